"""Overhead of the local emulator, measured in one session against the same script's local run.

    python benchmarks/emulator.py [--runs 3] [--kind processing|training] [--requirements FILE]

A trivial job of the kind run end to end through the emulator, as a user runs it (`python
script.py --sagemaker-run yes --sagemaker-download yes`: stage, create, run, upload, follow,
download; for training also the archives packed and unpacked) minus the same script's local run.

Starts its own SeaweedFS on 127.0.0.1 and its own emulator home in a temporary directory. The
goal is an overhead of at most 2 s per job once the supporting code is staged and the job's
environment built (the first run does both: its environment build is printed on its own, from
the job's log). `--requirements FILE` gives the job a requirements file (installed into its
environment by the first job, from uv's cache or the package index). `--against-caller` also runs
the job in the caller's environment (`--sagemaker-emulator-environment caller`, the emulator's
way before isolated environments), alternating with the others: the difference is what an
isolated environment costs a job once built, a figure a busy machine moves far less than the
overhead itself.
"""

from __future__ import annotations

import argparse
import json
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


def timed(argv: list, env: dict) -> float:
    start = time.perf_counter()
    result = subprocess.run(argv, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode:
        raise SystemExit(f"{' '.join(map(str, argv))} failed:\n{result.stdout}{result.stderr}")
    return elapsed


def alternate(local_cmd: list, job_cmd: list, env: dict, runs: int, against_caller: bool):
    """(local times, job times, the first job's overhead, caller-environment job times), all
    alternating."""
    first = timed(job_cmd, env) - timed(local_cmd, env)
    caller_cmd = [*job_cmd, "--sagemaker-emulator-environment", "caller"]
    local, emulated, caller = [], [], []
    for _ in range(runs):
        local.append(timed(local_cmd, env))
        emulated.append(timed(job_cmd, env))
        if against_caller:
            caller.append(timed(caller_cmd, env))
    return local, emulated, first, caller


def processing_runs(tmp: Path, env: dict, runs: int, extra: list, against_caller: bool):
    local_cmd = [sys.executable, str(SCRIPT), "--output", str(tmp / "local")]
    job_cmd = [
        sys.executable, str(SCRIPT), "--sagemaker-run", "yes",
        "--sagemaker-download", "yes", "--output", str(tmp / "job"), *extra,
    ]  # fmt: skip
    return alternate(local_cmd, job_cmd, env, runs, against_caller)


def training_runs(tmp: Path, env: dict, runs: int, extra: list, against_caller: bool):
    """The training script submitted as a job (stage, create, run, archive, download and unpack
    the model) against the same script run here."""
    (tmp / "train").mkdir()
    (tmp / "train" / "train.csv").write_bytes(b"x,y\n" * 100)
    folders = ["--train", str(tmp / "train"), "--output-dir", str(tmp / "out"),
               "--checkpoint-dir", str(tmp / "checkpoints")]  # fmt: skip
    local_cmd = [sys.executable, str(TRAIN_SCRIPT), *folders, "--model-dir", str(tmp / "local")]
    job_cmd = [
        sys.executable, str(TRAIN_SCRIPT), *folders, "--model-dir", str(tmp / "job"),
        "--sagemaker-run", "yes", "--sagemaker-download", "yes", *extra,
    ]  # fmt: skip
    measured = alternate(local_cmd, job_cmd, env, runs, against_caller)
    if (tmp / "job" / "model.txt").read_text() != (tmp / "local" / "model.txt").read_text():
        raise SystemExit("the job's model differs from the local run's")
    return measured


def main() -> int:
    from aws_sagemaker_remote.s3server import S3Server

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--kind", choices=("processing", "training"), default="processing")
    parser.add_argument("--requirements", help="a requirements file for the job")
    parser.add_argument("--against-caller", action="store_true",
                        help="also time the job in the caller's environment")  # fmt: skip
    args = parser.parse_args()
    extra = []
    if args.requirements:
        extra = ["--sagemaker-requirements", os.path.abspath(args.requirements)]
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
            local, emulated, first, caller = measure(
                Path(tmp), env, args.runs, extra, args.against_caller
            )
            build = first_build_seconds(Path(tmp) / "home")
        finally:
            server.stop(grace=2)
    overhead = statistics.median(emulated) - statistics.median(local)
    job = f"emulated {args.kind} job"
    print(f"local run           {statistics.median(local) * 1000:7.0f} ms (median of {args.runs})")
    print(f"{job:<19} {statistics.median(emulated) * 1000:7.0f} ms (median of {args.runs})")
    print(f"emulator overhead   {overhead:7.2f} s  (goal <= 2 s)")
    print(f"first job (stages the supporting code, builds the job environment): overhead "
          f"{first:.2f} s")  # fmt: skip
    if build is not None:
        print(f"  of which the job environment's build: {build:.2f} s")
    if caller:
        cost = statistics.median(emulated) - statistics.median(caller)
        print(f"in the caller's environment {statistics.median(caller) * 1000:7.0f} ms: the "
              f"isolated environment costs {cost:+.2f} s per job")  # fmt: skip
    return 0


def first_build_seconds(home: Path):
    """From the first job's log: its environment's build, from the line that announces it to
    the next line."""
    for log in sorted(home.glob("*jobs/*/logs/algo-1.jsonl"), key=lambda p: p.stat().st_mtime):
        events = [json.loads(line) for line in log.read_text().splitlines()]
        for before, after in zip(events, events[1:]):
            if "building the job environment" in before["message"]:
                return (after["timestamp"] - before["timestamp"]) / 1000
    return None


if __name__ == "__main__":
    sys.exit(main())
