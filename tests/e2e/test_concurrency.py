"""Many users' submissions at once through the emulator: each job completes with its own outputs.

The processes share the bucket, the staged (content-addressed) code, the digest cache, the jobs
folder and the runner machinery; their job names come from the same base and clock."""

from __future__ import annotations

import json
import subprocess
import sys

from e2e_support import EXAMPLES

SUBMISSIONS = 20
SAFETY_TIMEOUT = 600  # bounds a hung test only


def test_concurrent_submissions_all_complete(emulator_env, tmp_path):
    script = EXAMPLES / "hello_processing.py"
    processes = []
    for i in range(SUBMISSIONS):
        argv = [
            sys.executable, str(script),
            "--sagemaker-run", "yes",
            "--sagemaker-backend", "local",
            "--sagemaker-download", "yes",
            "--sagemaker-output-json", str(tmp_path / f"job-{i}.json"),
            "--output", str(tmp_path / f"out-{i}"),
            "--count", str(i + 1),
        ]  # fmt: skip
        log = open(tmp_path / f"log-{i}.txt", "w")  # noqa: SIM115 - closed below
        processes.append((subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT), log))
    codes = []
    for process, log in processes:
        codes.append(process.wait(timeout=SAFETY_TIMEOUT))
        log.close()
    failed = {i: (tmp_path / f"log-{i}.txt").read_text()[-2000:] for i, c in enumerate(codes) if c}
    assert failed == {}
    names = set()
    for i in range(SUBMISSIONS):
        described = json.loads((tmp_path / f"job-{i}.json").read_text())
        assert described["ProcessingJobStatus"] == "Completed"
        names.add(described["ProcessingJobName"])
        rows = json.loads((tmp_path / f"out-{i}" / "squares.json").read_text())
        assert [row["square"] for row in rows] == [n * n for n in range(1, i + 2)]
        summary = (tmp_path / f"out-{i}" / "summary.txt").read_text()
        assert summary.startswith(f"{i + 1} rows,")
    assert len(names) == SUBMISSIONS
