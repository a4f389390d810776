"""The job command line speaks its own flags, takes them before or after the command, and shows
hints that reach the job they name (issue 11, point 3)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aws_sagemaker_remote.cli.rerun_args import replace_script_args
from aws_sagemaker_remote.follow.finish import detach_message, follow_hint
from aws_sagemaker_remote.kinds import PROCESSING


def cli(*argv: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "aws_sagemaker_remote", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


@pytest.fixture
def bare_env(tmp_path: Path) -> dict:
    """No region, no profile, no AWS configuration at all."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AWS_SAGEMAKER_REMOTE"))
    }
    env.update(
        AWS_CONFIG_FILE=str(tmp_path / "none"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
        AWS_EC2_METADATA_DISABLED="true",
        AWS_SAGEMAKER_REMOTE_HOME=str(tmp_path / "home"),
    )
    return env


def test_missing_region_names_the_commands_own_flag(bare_env):
    result = cli("processing", "list", env=bare_env)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "--region" in result.stderr
    assert "--sagemaker-region" not in result.stderr


def test_unknown_profile_names_the_commands_own_flag(bare_env):
    result = cli("--profile", "nobody", "processing", "list", "--region", "us-east-1", env=bare_env)
    assert result.returncode == 2
    assert result.stderr.startswith("aws-sagemaker-remote: error: --profile: profile 'nobody'")
    assert "--sagemaker-profile" not in result.stderr


def test_bad_backend_from_the_environment_names_the_commands_flag(bare_env):
    result = cli("processing", "list", env={**bare_env, "AWS_SAGEMAKER_REMOTE_BACKEND": "cloud"})
    assert result.returncode == 2
    assert "AWS_SAGEMAKER_REMOTE_BACKEND: expected one of aws, local, got 'cloud'" in result.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["--backend", "local", "processing", "list"],
        ["--backend=local", "processing", "list"],
        ["processing", "--backend", "local", "list"],
        ["processing", "list", "--backend", "local"],
        ["--region", "eu-west-1", "processing", "list", "--backend", "local"],
    ],
)
def test_job_options_before_or_after_the_command(argv, bare_env):
    result = cli(*argv, env=bare_env)
    assert (result.returncode, result.stdout, result.stderr) == (0, "No processing jobs.\n", "")


def test_a_job_option_without_its_value_is_one_line(bare_env):
    result = cli("--backend", env=bare_env)
    assert result.returncode == 2
    assert result.stderr == "aws-sagemaker-remote: error: --backend: expected a value after it\n"


def test_arguments_after_double_dash_belong_to_rerun_only(bare_env):
    result = cli(
        "--backend", "local", "processing", "describe", "x", "--", "--n", "1", env=bare_env
    )
    assert result.returncode == 2
    assert "only rerun" in result.stderr


def test_help_of_the_command_and_of_its_subcommands(bare_env):
    top = cli("--help", env=bare_env)
    assert top.returncode == 0
    assert "s3 serve | start | stop | status" in top.stdout
    assert "config show [--json] [SCRIPT [ARGS...]]" in top.stdout
    rerun = cli("processing", "rerun", "--help", env=bare_env)
    assert rerun.returncode == 0
    assert rerun.stdout.startswith(
        "usage: aws-sagemaker-remote processing rerun [options] NAME [-- ARGS ...]"
    )
    assert "latest" in rerun.stdout


class FakeBackend:
    def __init__(self, name, region, profile=None):
        self.name, self.region, self.profile = name, region, profile


def test_hints_carry_what_reaches_the_job(monkeypatch):
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    local = FakeBackend("local", "us-east-1")
    assert follow_hint("j-1", local, PROCESSING) == (
        "Follow its logs: aws-sagemaker-remote processing logs j-1 --follow --backend local"
    )
    lines = detach_message("j-1", FakeBackend("local", "eu-west-1"), PROCESSING).splitlines()
    assert lines[1].split(": ", 1)[1] == (
        "aws-sagemaker-remote processing logs j-1 --follow --backend local --region eu-west-1"
    )
    assert lines[2].split(": ", 1)[1].strip() == (
        "aws-sagemaker-remote processing stop j-1 --backend local --region eu-west-1"
    )
    aws = FakeBackend("aws", "eu-central-1", profile="team ml")
    assert follow_hint("j-2", aws, PROCESSING).endswith(
        "logs j-2 --follow --profile 'team ml' --region eu-central-1"
    )
    default_profile = FakeBackend("aws", "us-east-1", "default")
    assert "--profile" not in follow_hint("j-3", default_profile, PROCESSING)


def test_rerun_with_shared_code_channel_copies_the_bundle(s3_client, bucket):
    """Past 10 channels every code piece shares one channel: a new job file means a new bundle."""
    base = f"s3://{bucket}/p/code/bundle-0123456789abcdef/"
    files = {
        "script/job.py": b"print(1)\n",
        "support/aws_sagemaker_remote/__init__.py": b"",
        "job/job.json": json.dumps({"argv": ["--a", "1", "--out", "/o", "--sagemaker-run", "no"],
                                    "pythonpath": ["/x"]}).encode(),
    }  # fmt: skip
    for rel, body in files.items():
        s3_client.put_object(Bucket=bucket, Key=f"p/code/bundle-0123456789abcdef/{rel}", Body=body)
    request = {
        "ProcessingJobName": "new-name",
        "AppSpecification": {"ImageUri": "i"},
        "Environment": {
            "AWS_SAGEMAKER_REMOTE_USER_ARGC": "2",
            "AWS_SAGEMAKER_REMOTE_JOB_FILE": "/opt/ml/processing/code/job/job.json",
        },
        "ProcessingInputs": [
            {
                "InputName": "code",
                "S3Input": {"S3Uri": base, "LocalPath": "/opt/ml/processing/code"},
            }
        ],
    }
    replace_script_args(request, ["--b", "2", "--c"], s3_client, rerun_of="old-name")
    new = request["ProcessingInputs"][0]["S3Input"]["S3Uri"]
    assert new != base
    assert new.startswith(f"s3://{bucket}/p/code/bundle-")
    prefix = new[len(f"s3://{bucket}/") :]
    listed = s3_client.list_objects_v2(Bucket=bucket, Prefix=prefix)["Contents"]
    assert sorted(o["Key"][len(prefix) :] for o in listed) == sorted(files)
    body = s3_client.get_object(Bucket=bucket, Key=prefix + "job/job.json")["Body"].read()
    assert json.loads(body) == {
        "argv": ["--b", "2", "--c", "--out", "/o", "--sagemaker-run", "no"],
        "pythonpath": ["/x"],
    }
    script = s3_client.get_object(Bucket=bucket, Key=prefix + "script/job.py")["Body"].read()
    assert script == b"print(1)\n"
    assert request["Environment"]["AWS_SAGEMAKER_REMOTE_USER_ARGC"] == "3"


def test_missing_credentials_name_the_commands_own_profile_flag(bare_env):
    result = cli("processing", "list", "--region", "us-east-1", env=bare_env)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "no usable AWS credentials" in result.stderr
    assert "--profile" in result.stderr
    assert "--sagemaker-profile" not in result.stderr
    assert "local emulator" not in result.stderr  # it has no jobs here
