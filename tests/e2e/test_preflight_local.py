"""Pre-flight checks of an emulated run (issue 8 points 5 and 8): the local backend never talks
to AWS, a job name in use or a missing output bucket stops the run before anything is staged."""

from __future__ import annotations

import os
import socket
import textwrap
from pathlib import Path

import pytest
from e2e_support import run_script

SCRIPT = textwrap.dedent(
    """
    from aws_sagemaker_remote import sagemaker_processing_main

    def main(args):
        print("hello from", args.output)

    sagemaker_processing_main(main=main, outputs={"output": "out"})
    """
)
START = "start one with `aws-sagemaker-remote s3 start`"
OWN = "unset the endpoint variable to use the server of `aws-sagemaker-remote s3 start`, or fix it"


@pytest.fixture
def script(tmp_path):
    path = tmp_path / "job.py"
    path.write_text(SCRIPT)
    return path


def one_error_line(result) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def without(monkeypatch, *names):
    for name in names:
        monkeypatch.delenv(name, raising=False)


def test_without_an_s3_server_it_stops_before_staging(emulator_env, script, monkeypatch):
    without(monkeypatch, "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL")
    line = one_error_line(run_script(script, "--sagemaker-run", "yes"))
    assert "--sagemaker-backend local" in line
    folder = Path(os.environ["AWS_SAGEMAKER_REMOTE_HOME"]) / "s3"
    assert f"none runs for {folder} (nor is AWS_ENDPOINT_URL_S3 set)" in line
    assert line.endswith(START)


def test_with_nothing_set_it_is_the_same_line_not_no_credentials(emulator_env, script, monkeypatch):
    without(
        monkeypatch,
        "AWS_ENDPOINT_URL_S3",
        "AWS_ENDPOINT_URL",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_DEFAULT_REGION",
    )
    line = one_error_line(run_script(script, "--sagemaker-run", "yes"))
    assert "NoCredentials" not in line
    assert line.endswith(START)


def test_an_endpoint_that_does_not_answer_is_named(emulator_env, script, monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        endpoint = f"http://127.0.0.1:{sock.getsockname()[1]}"
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", endpoint)
        line = one_error_line(run_script(script, "--sagemaker-run", "yes"))
    assert f"nothing answers at the S3 endpoint {endpoint}" in line
    assert line.endswith(OWN)


def test_an_aws_endpoint_is_refused(emulator_env, script, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "https://s3.eu-west-1.amazonaws.com")
    line = one_error_line(run_script(script, "--sagemaker-run", "yes"))
    assert "the S3 endpoint set is AWS's (https://s3.eu-west-1.amazonaws.com)" in line
    assert line.endswith(OWN)


def test_an_endpoint_without_credentials(emulator_env, script, monkeypatch):
    without(monkeypatch, "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
    line = one_error_line(run_script(script, "--sagemaker-run", "yes"))
    assert "no credentials for the S3 endpoint" in line


def test_a_job_name_in_use_stops_the_second_run(emulator_env, script):
    first = run_script(script, "--sagemaker-run", "yes", "--sagemaker-job-name", "same-name")
    assert first.returncode == 0, first.stderr
    line = one_error_line(
        run_script(script, "--sagemaker-run", "yes", "--sagemaker-job-name", "same-name")
    )
    assert "--sagemaker-job-name: 'same-name': a processing job of that name exists" in line


def test_a_missing_output_bucket_stops_the_run(emulator_env, script, s3_client):
    result = run_script(
        script, "--sagemaker-run", "yes", "--output-s3", "s3://no-such-bucket-here/out"
    )
    line = one_error_line(result)
    assert "--output-s3: 's3://no-such-bucket-here/out': bucket no-such-bucket-here" in line
    names = {b["Name"] for b in s3_client.list_buckets()["Buckets"]}
    assert "no-such-bucket-here" not in names


def test_the_default_image_follows_the_local_python(emulator_env, script):
    import json
    import sys

    result = run_script(script, "--sagemaker-run", "yes", "--sagemaker-dry-run", "yes")
    assert result.returncode == 0, result.stderr
    image = json.loads(result.stdout)["request"]["AppSpecification"]["ImageUri"]
    expected = {(3, 9): "1.2-1", (3, 10): "1.4-2"}.get(sys.version_info[:2], "1.9-0")
    assert image.endswith(f"/sagemaker-scikit-learn:{expected}-cpu-py3")
    newer = sys.version_info[:2] > (3, 12)
    assert ("warning: local Python" in result.stderr) == newer
    assert os.environ["AWS_SAGEMAKER_REMOTE_BACKEND"] == "local"
