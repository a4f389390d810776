"""A dry run without credentials and without network, for both kinds (issue 20, point 3): the
account's values as placeholders with one note line, everything else exact; with a role ARN,
a bucket and a region nothing is looked up even with credentials at hand. "Nothing looked up"
is measured: every AWS endpoint points at a listener that counts connections."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from botocore.session import get_session
from botocore.validate import ParamValidator
from helpers import offline

PLACEHOLDER = "<account-id>"
SCRIPTS = {
    "processing": """
        from aws_sagemaker_remote import sagemaker_processing_main

        def main(args):
            print("ran locally")

        if __name__ == "__main__":
            sagemaker_processing_main(
                main=main,
                inputs={"data": "data", "remote": "s3://their-bucket/some/file.csv"},
                outputs={"out": "out"},
            )
        """,
    "training": """
        from aws_sagemaker_remote import sagemaker_training_main

        def main(args):
            print("ran locally")

        if __name__ == "__main__":
            sagemaker_training_main(main=main, inputs={"train": "data"})
        """,
}
OPERATIONS = {"processing": "CreateProcessingJob", "training": "CreateTrainingJob"}


class Listener:
    """A TCP port that accepts and counts connections (and answers nothing)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _accept(self) -> None:
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.running = False
        self.thread.join()
        self.sock.close()


@pytest.fixture
def listener():
    found = Listener()
    yield found
    found.close()


@pytest.fixture(params=sorted(SCRIPTS))
def project(request, tmp_path, monkeypatch, listener) -> tuple:
    """A script of each kind; no credentials, no AWS config, every AWS endpoint the listener."""
    offline(monkeypatch, tmp_path)
    monkeypatch.setenv("AWS_ENDPOINT_URL", listener.url)
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_HOME", str(tmp_path / "home"))
    (tmp_path / "job.py").write_text(textwrap.dedent(SCRIPTS[request.param]))
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.csv").write_text("x\n1\n")
    return request.param, tmp_path


def dry_run(folder: Path, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(folder / "job.py"), "--sagemaker-run", "yes", "--sagemaker-dry-run",
         "yes", *argv],
        capture_output=True, text=True, timeout=120, cwd=folder,
    )  # fmt: skip


def valid(kind: str, request: dict) -> None:
    shape = get_session().get_service_model("sagemaker").operation_model(OPERATIONS[kind])
    report = ParamValidator().validate(request, shape.input_shape)
    assert not report.has_errors(), report.generate_report()


def notes(stderr: str) -> list:
    return [line for line in stderr.splitlines() if line.startswith("note:")]


def test_no_credentials_no_region_no_flags(project, listener):
    kind, folder = project
    result = dry_run(folder)
    assert result.returncode == 0, result.stderr
    request = json.loads(result.stdout)["request"]
    valid(kind, request)
    assert request["RoleArn"] == f"arn:aws:iam::{PLACEHOLDER}:role/aws-sagemaker-remote-{kind}-role"
    text = json.dumps(request)
    assert f"s3://sagemaker-us-east-1-{PLACEHOLDER}/aws-sagemaker-remote/" in text
    assert "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:" in text
    [note] = notes(result.stderr)
    assert note.startswith("note: dry run without AWS (no region configured): <account-id> stands")
    assert "the role's ARN and the default bucket" in note
    assert "region us-east-1 assumed" in note
    assert ("s3:// inputs taken as prefixes" in note) == (kind == "processing")
    assert listener.connections == 0


def test_the_profile_s_region_without_credentials(project, listener):
    kind, folder = project
    (folder / "aws-config").write_text("[default]\nregion = eu-west-1\n")
    result = subprocess.run(
        [sys.executable, str(folder / "job.py"), "--sagemaker-run", "yes", "--sagemaker-dry-run",
         "yes", "--sagemaker-bucket", "my-team-bucket"],
        capture_output=True, text=True, timeout=120, cwd=folder,
        env={**_environ(), "AWS_CONFIG_FILE": str(folder / "aws-config")},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    request = json.loads(result.stdout)["request"]
    text = json.dumps(request)
    assert ".dkr.ecr.eu-west-1.amazonaws.com/" in text
    assert "s3://my-team-bucket/aws-sagemaker-remote/" in text
    assert "sagemaker-eu-west-1" not in text
    [note] = notes(result.stderr)
    assert "(no AWS credentials)" in note
    assert "stands for your AWS account id in the role's ARN" in note
    assert "default bucket" not in note
    assert "assumed" not in note
    assert listener.connections == 0


@pytest.mark.parametrize("credentials", [True, False], ids=["credentials", "no-credentials"])
def test_role_bucket_and_region_given_nothing_is_looked_up(
    project, listener, monkeypatch, credentials
):
    kind, folder = project
    if credentials:
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    role = "arn:aws:iam::111122223333:role/team-role"
    result = dry_run(folder, "--sagemaker-role", role, "--sagemaker-bucket", "my-team-bucket",
                     "--sagemaker-region", "eu-central-1")  # fmt: skip
    assert result.returncode == 0, result.stderr
    request = json.loads(result.stdout)["request"]
    valid(kind, request)
    assert request["RoleArn"] == role
    assert PLACEHOLDER not in result.stdout
    assert ".dkr.ecr.eu-central-1.amazonaws.com/sagemaker-scikit-learn:" in json.dumps(request)
    assert notes(result.stderr) == (
        ["note: dry run without AWS: s3:// inputs taken as prefixes"] if kind == "processing"
        else []
    )  # fmt: skip
    assert listener.connections == 0
    assert "AKIAIOSFODNN7EXAMPLE" not in result.stdout + result.stderr


def test_credentials_but_aws_out_of_reach(project, monkeypatch):
    kind, folder = project
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # a closed port
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")
    result = dry_run(folder)
    assert result.returncode == 0, result.stderr
    request = json.loads(result.stdout)["request"]
    valid(kind, request)
    assert f"sagemaker-ap-south-1-{PLACEHOLDER}" in json.dumps(request)
    [note] = notes(result.stderr)
    assert "(AWS out of reach: EndpointConnectionError)" in note
    assert "AKIAIOSFODNN7EXAMPLE" not in result.stdout + result.stderr


def test_a_job_reference_needs_aws(project, listener):
    kind, folder = project
    name = "data" if kind == "processing" else "train"
    result = dry_run(folder, "--sagemaker-region", "eu-west-1", f"--{name}", "job:earlier/out")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1].endswith(
        "job: inputs are looked up in AWS, which this dry run cannot reach (see the note)"
    )
    assert listener.connections == 0


def test_a_real_run_without_credentials_still_stops_with_one_line(project):
    _, folder = project
    result = subprocess.run(
        [sys.executable, str(folder / "job.py"), "--sagemaker-run", "yes",
         "--sagemaker-region", "eu-west-1"],
        capture_output=True, text=True, timeout=120, cwd=folder,
    )  # fmt: skip
    assert result.returncode == 2
    assert "no usable AWS credentials" in result.stderr
    assert result.stderr.count("\n") == 1


def _environ() -> dict:
    import os

    return dict(os.environ)
