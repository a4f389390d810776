"""Remote runs against moto (SageMaker, IAM, STS, Logs) and SeaweedFS (S3), through the production
code path: the script's own ``--sagemaker-run yes``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import boto3
import pytest
from helpers import assert_staged_as_planned, offline

from aws_sagemaker_remote.aws.policy import POLICY_NAME

ACCOUNT = "123456789012"
DEFAULT_BUCKET = f"sagemaker-us-east-1-{ACCOUNT}"
ROLE_NAME = "aws-sagemaker-remote-processing-role"

SCRIPT = textwrap.dedent(
    """
    from aws_sagemaker_remote import sagemaker_processing_main

    def main(args):
        print("ran locally")

    if __name__ == "__main__":
        sagemaker_processing_main(
            main=main,
            inputs={"data": "data"},
            outputs={"out": "out"},
            dependencies={"helpers": "helpers"},
            requirements="requirements.txt",
            additional_arguments=[{"dest": "--files", "nargs": "+", "default": []}],
        )
    """
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "job.py").write_text(SCRIPT)
    (tmp_path / "requirements.txt").write_text("tabulate\n")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.txt").write_text("alpha")
    (tmp_path / "helpers").mkdir()
    (tmp_path / "helpers" / "__init__.py").write_text("")
    return tmp_path


def submit(script: Path, *argv: str) -> subprocess.CompletedProcess:
    """`python SCRIPT --sagemaker-run yes ARGV...` in the script's folder."""
    return subprocess.run(
        [sys.executable, str(script), "--sagemaker-run", "yes", *argv],
        capture_output=True,
        text=True,
        cwd=script.parent,
        env=dict(os.environ),
        timeout=120,
    )


def run(project: Path, *argv: str) -> subprocess.CompletedProcess:
    return submit(project / "job.py", *argv)


# The buckets these tests' runs may create or write. The S3 server is shared by the tests of a
# worker, so a test compares only these: another test's bucket is not its business.
OWNED = (DEFAULT_BUCKET, "my-bucket", "no-such-bucket-anywhere")


def owned_buckets(s3) -> set:
    """Which of the OWNED buckets exist."""
    return {b["Name"] for b in s3.list_buckets().get("Buckets", []) if b["Name"] in OWNED}


def all_objects(s3) -> dict:
    """s3://bucket/key -> size of every object in the OWNED buckets."""
    found = {}
    for name in sorted(owned_buckets(s3)):
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name):
            for item in page.get("Contents", []):
                found[f"s3://{name}/{item['Key']}"] = item["Size"]
    return found


def sagemaker():
    return boto3.client("sagemaker")


def test_dry_run_offline_needs_no_credentials(project, monkeypatch):
    offline(monkeypatch, project)
    result = run(
        project,
        "--sagemaker-dry-run", "yes",
        "--sagemaker-role", f"arn:aws:iam::{ACCOUNT}:role/r",
        "--sagemaker-bucket", "my-bucket",
        "--sagemaker-region", "eu-west-1",
        "--sagemaker-image", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/img:1",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert set(plan) == {"request", "uploads"}
    assert plan["request"]["RoleArn"] == f"arn:aws:iam::{ACCOUNT}:role/r"
    assert all(u["s3_uri"].startswith("s3://my-bucket/") for u in plan["uploads"])


def test_run_creates_role_bucket_uploads_plan_and_job(project, aws_env, s3_client):
    before = all_objects(s3_client)
    argv = [
        "--sagemaker-job-name",
        "remote-test-1",
        "--files",
        "a b",
        "",
        "--sagemaker-wait",
        "yes",
    ]
    dry = run(project, *argv, "--sagemaker-dry-run", "yes")
    assert dry.returncode == 0, dry.stderr
    plan = json.loads(dry.stdout)
    assert all_objects(s3_client) == before
    iam = boto3.client("iam")
    assert ROLE_NAME not in [r["RoleName"] for r in iam.list_roles()["Roles"]]

    result = run(project, *argv)
    assert result.returncode == 0, result.stderr
    assert "remote-test-1" in result.stderr

    role = iam.get_role(RoleName=ROLE_NAME)["Role"]
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert trust["Statement"][0]["Principal"]["Service"] == "sagemaker.amazonaws.com"
    assert iam.list_attached_role_policies(RoleName=ROLE_NAME)["AttachedPolicies"] == []
    assert iam.list_role_policies(RoleName=ROLE_NAME)["PolicyNames"] == [POLICY_NAME]

    after = set(all_objects(s3_client))
    assert_staged_as_planned(plan, set(before), after)
    assert any(k.startswith(f"s3://{DEFAULT_BUCKET}/") for k in after - set(before))

    job = sagemaker().describe_processing_job(ProcessingJobName="remote-test-1")
    request = plan["request"]
    core = {"ProcessingInputs", "AppSpecification", "ProcessingOutputConfig", "RoleArn"}
    assert core <= set(job)
    for field in set(request) & set(job):
        assert job[field] == request[field], field
    args = job["AppSpecification"]["ContainerArguments"]
    assert args[:4] == ["--files", "a b", "", "--data"]


def test_second_run_uploads_nothing_new(project, aws_env, s3_client):
    first = run(project, "--sagemaker-job-name", "remote-a")
    assert first.returncode == 0, first.stderr
    objects = all_objects(s3_client)
    second = run(project, "--sagemaker-job-name", "remote-b")
    assert second.returncode == 0, second.stderr
    added = set(all_objects(s3_client)) - set(objects)
    assert [k.split("/aws-sagemaker-remote/", 1)[1].split("/")[0] for k in added] == ["leases"]
    assert "\nunchanged " in "\n" + second.stderr


def test_wait_no_returns_after_creation(project, aws_env):
    result = run(project, "--sagemaker-job-name", "remote-nowait", "--sagemaker-wait", "no")
    assert result.returncode == 0, result.stderr
    assert "processing logs remote-nowait" in result.stderr + result.stdout


def test_output_json_written(project, aws_env):
    target = project / "job.json"
    result = run(
        project, "--sagemaker-job-name", "remote-json", "--sagemaker-output-json", str(target)
    )
    assert result.returncode == 0, result.stderr
    described = json.loads(target.read_text())
    assert described["ProcessingJobName"] == "remote-json"
    assert "ResponseMetadata" not in described


VALIDATION_CASES = [
    (["--sagemaker-job-name", "bad_name!"], "--sagemaker-job-name"),
    (["--sagemaker-job-name", "x" * 64], "--sagemaker-job-name"),
    (["--sagemaker-script", "missing.py"], "--sagemaker-script"),
    (["--sagemaker-requirements", "missing.txt"], "--sagemaker-requirements"),
    (["--sagemaker-configuration-script", "missing.sh"], "--sagemaker-configuration-script"),
    (["--data", "nope/"], "--data"),
    (["--data", "s3://Bad_Bucket/x"], "--data"),
    (["--data", "s3://" + "b" * 10 + "/" + "k" * 1100], "--data"),
    (["--out-s3", "http://x/y"], "--out-s3"),
    (["--helpers", "nope"], "--helpers"),
    (["--sagemaker-env", "A=" + "v" * 257], "--sagemaker-env"),
    (["--sagemaker-env", ",".join(f"K{i}=v" for i in range(101))], "--sagemaker-env"),
    (["--sagemaker-env", "1BAD=x"], "--sagemaker-env"),
    (["--sagemaker-input-mount", "/tmp/in"], "--sagemaker-input-mount"),
    (["--sagemaker-instance", "t3.medium"], "--sagemaker-instance"),
    (["--sagemaker-instance-count", "101"], "--sagemaker-instance-count"),
    (["--sagemaker-runtime-seconds", "999999999"], "--sagemaker-runtime-seconds"),
    (["--sagemaker-role", "bad role"], "--sagemaker-role"),
    (["--sagemaker-bucket", "UPPER"], "--sagemaker-bucket"),
    (["--sagemaker-subnets", "s-1"], "--sagemaker-subnets"),
    (["--sagemaker-tags", "Source=me"], "--sagemaker-tags"),
    (["--sagemaker-output-json", "/no/such/dir/x.json"], "--sagemaker-output-json"),
    (["--data", "job:not a job"], "--data"),
    (["--sagemaker-run", "maybe"], "--sagemaker-run"),
    (["--sagemaker-download", "yes", "--sagemaker-wait", "no"], "--sagemaker-download"),
    # issue 8 point 5: what AWS refuses only at CreateProcessingJob or in the running job
    (["--sagemaker-instance", "ml.m5.huge"], "--sagemaker-instance"),
    (["--sagemaker-instance", "ml.fake.nonexistent"], "--sagemaker-instance"),
    (["--sagemaker-network-isolation", "yes"], "--sagemaker-requirements"),
    (
        ["--sagemaker-instance", "ml.g5.xlarge", "--sagemaker-volume-kms-key", "k-1"],
        "--sagemaker-volume-kms-key",
    ),
    (["--out-s3", "s3://no-such-bucket-anywhere/out"], "--out-s3"),
]


@pytest.mark.parametrize(("argv", "flag"), VALIDATION_CASES, ids=[c[1] for c in VALIDATION_CASES])
def test_validation_failure_has_no_side_effect(project, aws_env, s3_client, argv, flag):
    before = all_objects(s3_client)
    buckets = owned_buckets(s3_client)
    result = run(project, *argv)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert flag in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert all_objects(s3_client) == before
    assert owned_buckets(s3_client) == buckets
    assert sagemaker().list_processing_jobs()["ProcessingJobSummaries"] == []
    roles = [r["RoleName"] for r in boto3.client("iam").list_roles()["Roles"]]
    assert ROLE_NAME not in roles


def test_existing_job_name_fails_before_side_effects(project, aws_env, s3_client):
    first = run(project, "--sagemaker-job-name", "taken-name")
    assert first.returncode == 0, first.stderr
    before = all_objects(s3_client)
    second = run(project, "--sagemaker-job-name", "taken-name", "--data", "helpers")
    assert second.returncode == 2
    assert second.stderr.strip().splitlines() == [
        f"{Path(project / 'job.py').name}: error: --sagemaker-job-name: 'taken-name': a "
        "processing job of that name exists already (names are unique per account and "
        "region); choose another"
    ]
    assert all_objects(s3_client) == before


def test_too_many_channels_fails_before_side_effects(tmp_path, aws_env, s3_client):
    inputs = {f"in{i}": "data" for i in range(10)}
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "x").write_text("x")
    (tmp_path / "job.py").write_text(
        "from aws_sagemaker_remote import sagemaker_processing_main\n"
        f"sagemaker_processing_main(main=print, inputs={inputs!r})\n"
    )
    before = all_objects(s3_client)
    result = run(tmp_path)
    assert result.returncode == 2
    assert "at most 9 inputs" in result.stderr
    assert all_objects(s3_client) == before
    assert sagemaker().list_processing_jobs()["ProcessingJobSummaries"] == []
