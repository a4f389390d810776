"""SIGTERM (a CI cancel, `timeout`, `kill`) is Ctrl-C (issue 23 point 5): the job we created
is stopped, uploads under way are cancelled with their multipart uploads aborted, exit 143."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import boto3
from e2e_support import ctrl_c_after, run_cli
from s3proxy import Faults, S3Proxy
from test_job_lifecycle import SLEEPER, write_script

BUCKET = "sagemaker-us-east-1-000000000000"


def test_sigterm_stops_the_job_and_exits_143(emulator_env, tmp_path):
    marker = tmp_path / "sigterm.txt"
    script = write_script(
        tmp_path, SLEEPER, "main=main, additional_arguments=[{'dest': '--marker'}]"
    )
    code, printed = ctrl_c_after(script, "ready", "--sagemaker-run", "yes",
                                 "--sagemaker-job-name", "term-me", "--marker", marker,
                                 signum=signal.SIGTERM)  # fmt: skip
    assert code == 143, printed
    assert "Terminated (SIGTERM): stopping job term-me" in printed
    assert marker.read_text() == "SIGTERM"  # the job's own script was stopped
    described = json.loads(run_cli("processing", "describe", "term-me", "--json").stdout)
    assert described["ProcessingJobStatus"] == "Stopped"


def test_sigterm_while_staging_aborts_uploads_and_creates_no_job(emulator_env, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "big.bin").write_bytes(b"\1" * (64 * 1024 * 1024))
    script = write_script(
        tmp_path, "def main(args):\n    pass\n", "main=main, inputs={'data': 'data'}"
    )
    s3 = boto3.client("s3", endpoint_url=emulator_env["AWS_ENDPOINT_URL_S3"])
    with S3Proxy(emulator_env["AWS_ENDPOINT_URL_S3"], Faults(delay=0.3)) as proxy:
        env = {**emulator_env, "AWS_ENDPOINT_URL_S3": proxy.endpoint}
        process = subprocess.Popen(
            [sys.executable, str(script), "--sagemaker-run", "yes", "--data", str(data),
             "--sagemaker-job-name", "term-staging"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while not _open_uploads(s3):
            assert time.monotonic() < deadline, "no multipart upload began"
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
    assert process.returncode == 143, err
    assert err.strip().endswith("terminated (SIGTERM)")
    assert _open_uploads(s3) == []
    assert "term-staging" not in run_cli("processing", "list").stdout


def _open_uploads(s3):
    try:
        return s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])
    except s3.exceptions.NoSuchBucket:
        return []
