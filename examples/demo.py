"""The tour behind ``make demo``: a script run here, then the same script run as a processing job
through the dockerless emulator against an embedded S3 server; then a training script, here and
as an emulated training job. No AWS account is needed.

It uses the S3 server of ``aws-sagemaker-remote s3 start`` (or ``s3 serve``) when one runs, and
leaves it running; otherwise it starts its own, with its data under ``.aws-sagemaker-remote/s3``
in the project, and stops it at the end. Its other files stay under ``.aws-sagemaker-remote/``
too (the emulator's jobs go to the usual place, ``aws-sagemaker-remote processing list``).
"""

from __future__ import annotations

import filecmp
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / ".aws-sagemaker-remote"
WORK = STATE / "demo"
S3_DIR = STATE / "s3"
PYTHON = sys.executable


def step(title: str) -> None:
    print(f"\n\033[1m=== {title} ===\033[0m", flush=True)


def run(argv, env=None) -> None:
    shown = [os.path.relpath(a, ROOT) if os.path.isabs(str(a)) else str(a) for a in argv]
    shown[0] = "python"
    print("$ " + " ".join(shlex.quote(a) for a in shown), flush=True)
    subprocess.run([str(a) for a in argv], check=True, env=env, cwd=ROOT)


def same_tree(left: Path, right: Path) -> bool:
    names = sorted(p.relative_to(left) for p in left.rglob("*") if p.is_file())
    other = sorted(p.relative_to(right) for p in right.rglob("*") if p.is_file())
    return names == other and all(filecmp.cmp(left / n, right / n, shallow=False) for n in names)


def list_outputs(description: dict, env: dict) -> None:
    import boto3

    s3 = boto3.client(
        "s3",
        endpoint_url=env["AWS_ENDPOINT_URL_S3"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        region_name=env["AWS_DEFAULT_REGION"],
    )
    for output in description["ProcessingOutputConfig"]["Outputs"]:
        uri = output["S3Output"]["S3Uri"]
        bucket, _, prefix = uri[len("s3://") :].partition("/")
        listed = s3.list_objects_v2(Bucket=bucket, Prefix=prefix)
        print(f"{output['OutputName']}: {uri}")
        for item in listed.get("Contents", []):
            print(f"    s3://{bucket}/{item['Key']}  ({item['Size']} bytes)")


def s3_server():
    """The running server of `aws-sagemaker-remote s3 start/serve`, else the demo's own; and the
    folder of the one to stop at the end (None: leave it running)."""
    from aws_sagemaker_remote.paths import s3_data_dir
    from aws_sagemaker_remote.s3server import running_info, start_or_reuse

    shared = s3_data_dir()
    info = running_info(shared)
    if info is not None:
        print(f"Using the S3 server already running at {info.endpoint} (data in {shared})")
        return info, None
    info, _ = start_or_reuse(S3_DIR)
    print(f"S3 endpoint {info.endpoint}, data in {os.path.relpath(S3_DIR, ROOT)}")
    return info, S3_DIR


def main() -> int:
    from aws_sagemaker_remote.s3server import stop_running

    started = time.monotonic()
    shutil.rmtree(WORK, ignore_errors=True)
    local, emulated = WORK / "local", WORK / "emulator"

    step("1. A script with no inputs and one output, run here")
    run([PYTHON, ROOT / "examples/hello_processing.py", "--output", local / "hello"])

    step("2. A script with an input folder, a module and requirements, run here")
    run([PYTHON, ROOT / "examples/word_count/word_count.py", "--counts", local / "counts"])

    step("3. Start the embedded S3 server (SeaweedFS on 127.0.0.1)")
    info, own = s3_server()
    env = {**os.environ, **info.env(), "AWS_SAGEMAKER_REMOTE_BACKEND": "local"}

    try:
        step("4. The same script as a processing job through the local emulator")
        description_file = WORK / "word-count-job.json"
        run(
            [
                PYTHON,
                ROOT / "examples/word_count/word_count.py",
                "--sagemaker-run", "yes",
                "--sagemaker-download", "yes",
                "--sagemaker-output-json", description_file,
                "--counts", emulated / "counts",
            ],
            env=env,
        )  # fmt: skip

        step("5. Where the outputs landed")
        description = json.loads(description_file.read_text())
        list_outputs(description, env)
        print(f"downloaded to {os.path.relpath(emulated / 'counts', ROOT)}")
        identical = same_tree(local / "counts", emulated / "counts")
        print(f"local run and job outputs identical: {'yes' if identical else 'NO'}")

        step("6. The job command line works on the emulator too")
        run([PYTHON, "-m", "aws_sagemaker_remote", "processing", "list", "--max", "3"], env=env)
        run([PYTHON, "-m", "aws_sagemaker_remote", "processing", "describe", "latest"], env=env)

        step("7. A training script, run here, then as a training job through the emulator")
        trained = train_both(local / "train", emulated / "train", env)
    finally:
        if own is not None:
            step("8. Stop the embedded S3 server (its data stays for next time)")
            stop_running(own)
    print(f"\nDemo finished in {time.monotonic() - started:.0f} s.")
    return 0 if identical and trained else 1


def train_both(here: Path, there: Path, env: dict) -> bool:
    """examples/train_classifier here and as an emulated training job (checkpoints, metrics,
    hyperparameters); the two models must be identical."""
    script = ROOT / "examples/train_classifier/train.py"

    def folders(root: Path) -> list:
        return ["--epochs", "10", "--model-dir", root / "model", "--output-dir", root / "output",
                "--checkpoint-dir", root / "checkpoints"]  # fmt: skip

    run([PYTHON, script, *folders(here)])
    run([PYTHON, script, *folders(there), "--sagemaker-run", "yes", "--sagemaker-download", "yes"],
        env=env)  # fmt: skip
    identical = same_tree(here / "model", there / "model")
    print(f"model trained here and by the job identical: {'yes' if identical else 'NO'}")
    return identical


if __name__ == "__main__":
    sys.exit(main())
