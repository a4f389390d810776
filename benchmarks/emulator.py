"""Overhead of the local emulator: a trivial job run end to end through the emulator (stage,
create, run, upload, download) minus the same script's local run, measured in one session.

    python benchmarks/emulator.py [--runs 3]

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


def timed(argv: list, env: dict) -> float:
    start = time.perf_counter()
    result = subprocess.run(argv, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode:
        raise SystemExit(f"{' '.join(map(str, argv))} failed:\n{result.stdout}{result.stderr}")
    return elapsed


def main() -> int:
    from aws_sagemaker_remote.s3server import S3Server

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
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
            local_cmd = [sys.executable, str(SCRIPT), "--output", str(Path(tmp) / "local")]
            job_cmd = [
                sys.executable, str(SCRIPT), "--sagemaker-run", "yes",
                "--sagemaker-download", "yes", "--output", str(Path(tmp) / "job"),
            ]  # fmt: skip
            first = timed(job_cmd, env) - timed(local_cmd, env)
            local, emulated = [], []
            for _ in range(args.runs):
                local.append(timed(local_cmd, env))
                emulated.append(timed(job_cmd, env))
        finally:
            server.stop(grace=2)
    overhead = statistics.median(emulated) - statistics.median(local)
    print(f"local run           {statistics.median(local) * 1000:7.0f} ms (median of {args.runs})")
    print(
        f"emulated job        {statistics.median(emulated) * 1000:7.0f} ms (median of {args.runs})"
    )
    print(f"emulator overhead   {overhead:7.2f} s  (goal <= 2 s)")
    print(f"first job (stages the supporting code too): overhead {first:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
