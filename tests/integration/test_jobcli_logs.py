"""`processing logs NAME --follow` against the emulator: a finished job's log once, one exit-code
rule whether the job was running or already over (issue 11 point 4)."""

from __future__ import annotations

import io
import time

import pytest
from emulator_support import submit, wait

from aws_sagemaker_remote.cli import jobs as jobcli
from aws_sagemaker_remote.kinds import PROCESSING

LINES = "for i in range(5):\n    print('line', i, flush=True)\n"
FOREVER = "import time\nprint('working', flush=True)\nwhile True:\n    time.sleep(0.05)\n"


def follow(backend, name, sleep=time.sleep):
    out = io.StringIO()
    code = jobcli.main(
        ["logs", name, "--follow"], out=out, sleep=sleep, backend=backend, kind=PROCESSING
    )
    return code, out.getvalue()


def test_finished_job_log_is_printed_once(backend, s3_client, bucket):
    submit(backend, s3_client, bucket, "done-job", LINES)
    assert wait(backend, "done-job")["ProcessingJobStatus"] == "Completed"
    code, text = follow(backend, "done-job")
    assert code == 0
    for i in range(5):
        assert text.count(f"line {i}") == 1, text
    assert text.rstrip().endswith("Job done-job Completed.")


@pytest.mark.parametrize(
    "script", ["import sys\nsys.exit(2)\n", FOREVER], ids=["failed", "stopped"]
)
def test_logs_follow_exit_code_is_1_for_a_job_already_over(backend, s3_client, bucket, script):
    submit(backend, s3_client, bucket, "over", script)
    if script == FOREVER:
        wait(backend, "over", statuses=("InProgress",))
        backend.stop_job(PROCESSING, "over")
    status = wait(backend, "over")["ProcessingJobStatus"]
    assert status in ("Failed", "Stopped")
    code, text = follow(backend, "over")
    assert code == 1
    assert f"Job over {status}." in text


def test_logs_follow_exit_code_is_1_for_a_job_it_follows_to_stopped(backend, s3_client, bucket):
    submit(backend, s3_client, bucket, "running", FOREVER)
    wait(backend, "running", statuses=("InProgress",))
    asked = []

    def stop_once_working(seconds):
        description = backend.describe_job(PROCESSING, "running")
        if not asked and description["ProcessingJobStatus"] == "InProgress":
            asked.append(1)
            backend.stop_job(PROCESSING, "running")
        time.sleep(seconds)

    code, text = follow(backend, "running", sleep=stop_once_working)
    assert asked
    assert code == 1
    assert "Job running Stopped." in text
