"""The caller's credentials never reach a job: recognisable secrets in the caller's environment
and credentials file, jobs run end to end (the emulator) or created (AWS on moto), then every
place a secret could land is scanned: output, logs, the job folder and every file of ours,
staged objects, job outputs, dry-run JSON, describe output and tags, the script's environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import boto3
import pytest
from helpers import our_folders_under

from aws_sagemaker_remote.aws.credentials import is_credential_name

SCRIPT = textwrap.dedent(
    """
    import json, os, shutil
    from aws_sagemaker_remote import sagemaker_processing_main

    def main(args):
        import botocore.session

        found = botocore.session.get_session().get_credentials()
        os.makedirs(args.out, exist_ok=True)
        shutil.copy(os.path.join(args.data, "a.txt"), args.out)
        report = {"environ": dict(os.environ), "credentials_found": found is not None}
        with open(os.path.join(args.out, "environment.json"), "w") as f:
            json.dump(report, f)
        for key, value in sorted(os.environ.items()):
            print(f"{key}={value}")

    if __name__ == "__main__":
        sagemaker_processing_main(
            main=main,
            inputs={"data": "data"},
            outputs={"out": "out"},
            requirements="requirements.txt",
            env={"VISIBLE": "yes"},
        )
    """
)


class Secrets:
    def __init__(self, tmp_path: Path, s3_server) -> None:
        tag = uuid.uuid4().hex
        self.access_key = f"AKIASCAN{tag[:12].upper()}"
        self.secret = f"ScanSecretAccessKey{tag}"
        self.token = f"ScanSessionToken{tag}"
        self.files = tmp_path / "aws"
        self.files.mkdir()
        self.credentials = self.files / f"credentials-{tag}"
        self.credentials.write_text(
            f"[scan]\naws_access_key_id = {s3_server.access_key}\n"
            f"aws_secret_access_key = {s3_server.secret_key}\n"
        )
        self.config = self.files / f"config-{tag}"
        self.config.write_text("[profile scan]\nregion = us-east-1\n")
        self.needles = [
            self.secret,
            self.token,
            self.access_key,
            s3_server.secret_key,
            str(self.credentials),
            str(self.config),
        ]

    def environment(self) -> dict:
        """Decoy credentials in the environment; the `scan` profile holds the working ones
        (an explicit profile makes botocore ignore credentials in the environment)."""
        return {
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret,
            "AWS_SESSION_TOKEN": self.token,
            "AWS_SECURITY_TOKEN": self.token,
            "AWS_SHARED_CREDENTIALS_FILE": str(self.credentials),
            "AWS_CONFIG_FILE": str(self.config),
        }

    def found_in(self, blob: bytes) -> list:
        return [needle for needle in self.needles if needle.encode() in blob]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "a.txt").write_text("alpha")
    (folder / "requirements.txt").write_text("tabulate\n")
    (folder / "job.py").write_text(SCRIPT)
    return folder


@pytest.fixture
def home(aws_env, tmp_path, monkeypatch) -> Path:
    root = tmp_path / "ours"
    our_folders_under(monkeypatch, root)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_STOP_GRACE", "3")
    return root


def run(cwd: Path, env: dict, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *argv],
        capture_output=True,
        cwd=cwd,
        env={**os.environ, **env},
        timeout=300,
    )


def cli(cwd: Path, env: dict, *argv: str) -> subprocess.CompletedProcess:
    result = run(cwd, env, "-m", "aws_sagemaker_remote", "processing", *argv)
    assert result.returncode == 0, result.stderr
    return result


def every_file(root: Path) -> dict:
    """The bytes of every regular file below `root` (links are not followed)."""
    return {str(p): p.read_bytes() for p in root.rglob("*") if p.is_file() and not p.is_symlink()}


def object_keys(s3) -> set:
    found = set()
    for bucket in s3.list_buckets().get("Buckets", []):
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket["Name"]):
            found.update((bucket["Name"], o["Key"], o["ETag"]) for o in page.get("Contents", []))
    return found


@pytest.fixture
def staging(bucket, s3_client):
    """The test's own bucket (deleted afterwards), and every object already in S3 before it."""
    return bucket, object_keys(s3_client)


def every_object(s3, before: set) -> dict:
    """Key and bytes of every object written since `before` was taken, in any bucket."""
    return {
        f"s3://{name}/{key}": key.encode()
        + b"\n"
        + s3.get_object(Bucket=name, Key=key)["Body"].read()
        for name, key, etag in object_keys(s3) - before
    }


def assert_nowhere(secrets: Secrets, places: dict) -> None:
    leaks = {where: secrets.found_in(blob) for where, blob in places.items()}
    assert {where: found for where, found in leaks.items() if found} == {}


def assert_clean_environment(report: dict, job_dir: Path) -> None:
    environ = report["environ"]
    assert report["credentials_found"] is False
    assert environ["VISIBLE"] == "yes"
    assert environ["AWS_ENDPOINT_URL_S3"] == os.environ["AWS_ENDPOINT_URL_S3"]
    assert environ["AWS_REGION"] == "us-east-1"
    for name in ("AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"):
        assert Path(environ[name]).is_relative_to(job_dir)
        assert not Path(environ[name]).exists()
    names = {k for k in environ if is_credential_name(k)}
    assert names == {"AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"}
    assert not [k for k in environ if k.startswith("AWS_SAGEMAKER_REMOTE_STOP")]


def test_emulated_job_sees_no_caller_credentials(
    project, home, staging, s3_client, s3_server, tmp_path
):
    secrets = Secrets(tmp_path, s3_server)
    env = {**secrets.environment(), "AWS_SAGEMAKER_REMOTE_BACKEND": "local"}
    name = "scan-local"
    flags = ["--sagemaker-run", "yes", "--sagemaker-profile", "scan", "--sagemaker-job-name", name]
    flags += ["--sagemaker-bucket", staging[0]]
    dry = run(project, env, "job.py", *flags, "--sagemaker-dry-run", "yes")
    assert dry.returncode == 0, dry.stderr
    described = tmp_path / "described.json"
    ran = run(
        project,
        env,
        "job.py",
        *flags,
        "--sagemaker-download", "yes",
        "--sagemaker-output-json", str(described),
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    logs = cli(project, env, "logs", name)
    describe = cli(project, env, "describe", name, "--json")
    report = json.loads((project / "out" / "environment.json").read_text())
    job_dir = home / "home" / "jobs" / name
    assert_clean_environment(report, job_dir)
    assert b"VISIBLE=yes" in logs.stdout  # the script's output is in the logs
    places = {
        "dry-run": dry.stdout + dry.stderr,
        "run": ran.stdout + ran.stderr,
        "logs": logs.stdout + logs.stderr,
        "describe": describe.stdout + describe.stderr,
        **every_file(home),
        **every_file(project),
        **every_object(s3_client, staging[1]),
        str(described): described.read_bytes(),
    }
    assert str(job_dir / "request.json") in places
    assert_nowhere(secrets, places)


def test_emulated_job_without_a_profile(project, home, staging, s3_client, s3_server, tmp_path):
    """The usual case: the working credentials themselves are in the caller's environment."""
    secrets = Secrets(tmp_path, s3_server)
    name = "scan-env"
    env = {"AWS_SAGEMAKER_REMOTE_BACKEND": "local"}
    argv = ["job.py", "--sagemaker-run", "yes", "--sagemaker-job-name", name]
    argv += ["--sagemaker-bucket", staging[0]]
    ran = run(project, env, *argv, "--sagemaker-download", "yes")
    assert ran.returncode == 0, ran.stderr
    report = json.loads((project / "out" / "environment.json").read_text())
    assert_clean_environment(report, home / "home" / "jobs" / name)
    places = {"run": ran.stdout + ran.stderr, **every_file(home), **every_file(project)}
    assert_nowhere(secrets, {**places, **every_object(s3_client, staging[1])})


def test_passing_credentials_is_an_explicit_choice(project, home, bucket, s3_server):
    """Its output holds a secret: it goes to the test's own bucket, deleted afterwards."""
    env = {"AWS_SAGEMAKER_REMOTE_BACKEND": "local", "AWS_SAGEMAKER_REMOTE_PASS_CREDENTIALS": "1"}
    argv = ["job.py", "--sagemaker-run", "yes", "--sagemaker-download", "yes"]
    argv += ["--sagemaker-bucket", bucket]
    ran = run(project, env, *argv)
    assert ran.returncode == 0, ran.stderr
    report = json.loads((project / "out" / "environment.json").read_text())
    assert report["credentials_found"] is True
    assert report["environ"]["AWS_SECRET_ACCESS_KEY"] == s3_server.secret_key


@pytest.fixture
def managed_policies(monkeypatch):
    """moto loads AWS managed policies (for the role's attachment) only when asked, on reset."""
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")


def test_aws_job_request_and_description_hold_no_credentials(
    managed_policies, project, aws_env, home, staging, s3_client, s3_server, tmp_path
):
    secrets = Secrets(tmp_path, s3_server)
    env = secrets.environment()
    name = "scan-aws"
    flags = ["--sagemaker-run", "yes", "--sagemaker-profile", "scan", "--sagemaker-job-name", name]
    flags += ["--sagemaker-backend", "aws", "--sagemaker-bucket", staging[0]]
    dry = run(project, env, "job.py", *flags, "--sagemaker-dry-run", "yes")
    assert dry.returncode == 0, dry.stderr
    ran = run(project, env, "job.py", *flags, "--sagemaker-wait", "no")
    assert ran.returncode == 0, ran.stderr
    describe = cli(project, env, "describe", name, "--json", "--backend", "aws")
    text = cli(project, env, "describe", name, "--backend", "aws")
    sagemaker = boto3.client("sagemaker")
    arn = sagemaker.describe_processing_job(ProcessingJobName=name)["ProcessingJobArn"]
    tags = sagemaker.list_tags(ResourceArn=arn)["Tags"]
    assert {"Key": "Source", "Value": "aws-sagemaker-remote"} in tags
    request = json.loads(dry.stdout)["request"]
    assert request["Environment"]["VISIBLE"] == "yes"
    assert not [k for k in request["Environment"] if is_credential_name(k)]
    places = {
        "dry-run": dry.stdout + dry.stderr,
        "run": ran.stdout + ran.stderr,
        "describe": describe.stdout + text.stdout + describe.stderr + text.stderr,
        "tags": json.dumps(tags).encode(),
        **every_file(home),
        **every_file(project),
        **every_object(s3_client, staging[1]),
    }
    assert_nowhere(secrets, places)
