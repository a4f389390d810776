"""Overhead of the local emulator, measured in one session against the same script's local run.

    python benchmarks/emulator.py [--runs 3] [--kind processing|training]

processing: a trivial job run end to end through the emulator (stage, create, run, upload,
download) minus the same script's local run. training: a CreateTrainingJob request (one data
channel, the code as channels, the bootstrap as entrypoint, a metric, as the plan builds it) from
create to Completed with model.tar.gz in S3, minus the same script's local run.

Starts its own SeaweedFS on 127.0.0.1 in a temporary directory. The goal is an overhead of at
most 2 s per job once the supporting code is staged (the first run also uploads it).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "scripts" / "trivial_asr.py"
TRAIN_SCRIPT = HERE / "scripts" / "trivial_train.py"
DATA = "/opt/ml/input/data"
BOOTSTRAP = f"{DATA}/code-support/aws_sagemaker_remote/container/bootstrap.py"


def timed(argv: list, env: dict) -> float:
    start = time.perf_counter()
    result = subprocess.run(argv, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode:
        raise SystemExit(f"{' '.join(map(str, argv))} failed:\n{result.stdout}{result.stderr}")
    return elapsed


def processing_runs(tmp: Path, env: dict, runs: int):
    local_cmd = [sys.executable, str(SCRIPT), "--output", str(tmp / "local")]
    job_cmd = [
        sys.executable, str(SCRIPT), "--sagemaker-run", "yes",
        "--sagemaker-download", "yes", "--output", str(tmp / "job"),
    ]  # fmt: skip
    first = timed(job_cmd, env) - timed(local_cmd, env)
    local, emulated = [], []
    for _ in range(runs):
        local.append(timed(local_cmd, env))
        emulated.append(timed(job_cmd, env))
    return local, emulated, first


# ---------------------------------------------------------------------- training


def stage_training(s3, bucket: str) -> None:
    import aws_sagemaker_remote

    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="data/train.csv", Body=b"x,y\n" * 100)
    s3.put_object(Bucket=bucket, Key="code/script/train.py", Body=TRAIN_SCRIPT.read_bytes())
    package = Path(aws_sagemaker_remote.__file__).parent
    for source in [package / "__init__.py", *sorted((package / "container").glob("*.py"))]:
        key = f"code/support/{source.relative_to(package.parent).as_posix()}"
        s3.put_object(Bucket=bucket, Key=key, Body=source.read_bytes())


def training_request(name: str, bucket: str) -> dict:
    def channel(channel_name: str, prefix: str) -> dict:
        source = {"S3DataType": "S3Prefix", "S3Uri": f"s3://{bucket}/{prefix}/"}
        return {"ChannelName": channel_name, "DataSource": {"S3DataSource": source}}

    return {
        "TrainingJobName": name,
        "AlgorithmSpecification": {
            "TrainingImage": "000000000000.dkr.ecr.us-east-1.amazonaws.com/emulated:latest",
            "TrainingInputMode": "File",
            "ContainerEntrypoint": ["python3", BOOTSTRAP],
            "ContainerArguments": [
                "--train",
                f"{DATA}/train",
                "--model-dir",
                "/opt/ml/model",
                "--sagemaker-run",
                "no",
            ],  # fmt: skip
            "MetricDefinitions": [{"Name": "rows", "Regex": r"rows=(\d+);"}],
        },
        "RoleArn": "arn:aws:iam::000000000000:role/emulated",
        "InputDataConfig": [
            channel("code-script", "code/script"),
            channel("code-support", "code/support"),
            channel("train", "data"),
        ],
        "OutputDataConfig": {"S3OutputPath": f"s3://{bucket}/out/"},
        "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 1},
        "StoppingCondition": {"MaxRuntimeInSeconds": 600},
        "Environment": {
            "AWS_SAGEMAKER_REMOTE_SCRIPT": f"{DATA}/code-script/train.py",
            "AWS_SAGEMAKER_REMOTE_PYTHON": "python3",
            "AWS_SAGEMAKER_REMOTE_PYTHONPATH": f"{DATA}/code-support",
            "AWS_SAGEMAKER_REMOTE_KIND": "training",
        },
    }


def timed_training_job(backend, name: str, bucket: str) -> float:
    start = time.perf_counter()
    backend.create_training_job(**training_request(name, bucket))
    while True:
        description = backend.describe_training_job(TrainingJobName=name)
        if description["TrainingJobStatus"] in ("Completed", "Failed", "Stopped"):
            break
        time.sleep(backend.poll_seconds)
    elapsed = time.perf_counter() - start
    if description["TrainingJobStatus"] != "Completed":
        raise SystemExit(f"{name}: {description['TrainingJobStatus']}: {description}")
    backend.s3.head_object(Bucket=bucket, Key=f"out/{name}/output/model.tar.gz")
    return elapsed


def training_runs(tmp: Path, env: dict, runs: int):
    """The emulated job from this process (its caller is already up, as after staging)."""
    from aws_sagemaker_remote.backends.local import LocalBackend

    os.environ.update(env)
    backend = LocalBackend()
    bucket = "benchmark-training"
    stage_training(backend.s3, bucket)
    (tmp / "train").mkdir()
    (tmp / "train" / "train.csv").write_bytes(b"x,y\n" * 100)
    local_cmd = [
        sys.executable, str(TRAIN_SCRIPT), "--train", str(tmp / "train"),
        "--model-dir", str(tmp / "model"),
    ]  # fmt: skip
    first = timed_training_job(backend, "bench-first", bucket) - timed(local_cmd, env)
    local, emulated = [], []
    for run in range(runs):
        local.append(timed(local_cmd, env))
        emulated.append(timed_training_job(backend, f"bench-{run}", bucket))
    return local, emulated, first


def main() -> int:
    from aws_sagemaker_remote.s3server import S3Server

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--kind", choices=("processing", "training"), default="processing")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = S3Server(Path(tmp) / "s3")
        info = server.start()
        try:
            env = {
                **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
                **info.env(),
                "AWS_SAGEMAKER_REMOTE_HOME": str(Path(tmp) / "home"),
                "AWS_SAGEMAKER_REMOTE_BACKEND": "local",
            }
            measure = training_runs if args.kind == "training" else processing_runs
            local, emulated, first = measure(Path(tmp), env, args.runs)
        finally:
            server.stop(grace=2)
    overhead = statistics.median(emulated) - statistics.median(local)
    job = f"emulated {args.kind} job"
    print(f"local run           {statistics.median(local) * 1000:7.0f} ms (median of {args.runs})")
    print(f"{job:<19} {statistics.median(emulated) * 1000:7.0f} ms (median of {args.runs})")
    print(f"emulator overhead   {overhead:7.2f} s  (goal <= 2 s)")
    what = "stages the supporting code too" if args.kind == "processing" else "cold caches"
    print(f"first job ({what}): overhead {first:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
