"""A training job submitted end to end against moto (SageMaker, IAM, STS, Logs) and SeaweedFS
(S3), through the production path: the script's own ``--sagemaker-run yes`` (issue 12, points
2 and 3). moto is not AWS: it stores the request and reports the job Completed at once; what
runs the request is the emulator's part."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import boto3
import pytest
from botocore.session import get_session
from botocore.validate import ParamValidator
from helpers import assert_staged_as_planned, offline
from test_remote import all_objects, owned_buckets, submit

from aws_sagemaker_remote.aws.policy import POLICY_NAME

ACCOUNT = "123456789012"
DEFAULT_BUCKET = f"sagemaker-us-east-1-{ACCOUNT}"
ROLE_NAME = "aws-sagemaker-remote-training-role"

SCRIPT = textwrap.dedent(
    """
    from aws_sagemaker_remote import sagemaker_training_main

    def main(args):
        print("trained locally", args.epochs)

    if __name__ == "__main__":
        sagemaker_training_main(
            main=main,
            inputs={"train": "data"},
            dependencies={"helpers": "helpers"},
            metrics={"accuracy": "accuracy=([0-9.]+)"},
            additional_arguments=[
                {"dest": "--epochs", "default": 3},
                {"dest": "--files", "nargs": "+", "default": []},
            ],
        )
    """
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "train.py").write_text(SCRIPT)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.csv").write_text("x,y\n1,2\n")
    (tmp_path / "helpers").mkdir()
    (tmp_path / "helpers" / "__init__.py").write_text("")
    return tmp_path


def run(project: Path, *argv: str) -> subprocess.CompletedProcess:
    return submit(project / "train.py", *argv)


def training_jobs() -> list:
    return boto3.client("sagemaker").list_training_jobs()["TrainingJobSummaries"]


def assert_valid(request: dict) -> None:
    shape = get_session().get_service_model("sagemaker").operation_model("CreateTrainingJob")
    report = ParamValidator().validate(request, shape.input_shape)
    assert not report.has_errors(), report.generate_report()


def test_dry_run_offline_prints_a_valid_request(project, monkeypatch):
    offline(monkeypatch, project)
    result = run(
        project,
        "--sagemaker-dry-run", "yes",
        "--sagemaker-training-role", f"arn:aws:iam::{ACCOUNT}:role/r",
        "--sagemaker-bucket", "my-bucket",
        "--sagemaker-region", "eu-west-1",
        "--sagemaker-training-image", f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/img:1",
        "--epochs", "9",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    request = plan["request"]
    assert_valid(request)
    assert request["HyperParameters"] == {"epochs": "9"}
    assert request["OutputDataConfig"] == {"S3OutputPath": "s3://my-bucket/aws-sagemaker-remote/"}
    assert all(u["s3_uri"].startswith("s3://my-bucket/") for u in plan["uploads"])


def test_run_creates_role_bucket_uploads_and_the_training_job(project, aws_env, s3_client):
    before = all_objects(s3_client)
    argv = ["--sagemaker-job-name", "train-test-1", "--epochs", "5", "--sagemaker-spot"]
    dry = run(project, *argv, "--sagemaker-dry-run", "yes")
    assert dry.returncode == 0, dry.stderr
    plan = json.loads(dry.stdout)
    assert_valid(plan["request"])
    assert all_objects(s3_client) == before
    iam = boto3.client("iam")
    assert ROLE_NAME not in [r["RoleName"] for r in iam.list_roles()["Roles"]]

    result = run(project, *argv)
    assert result.returncode == 0, result.stderr
    assert "Job name:  train-test-1" in result.stderr
    assert "/jobs/train-test-1" in result.stderr  # the console page of training jobs

    assert iam.list_role_policies(RoleName=ROLE_NAME)["PolicyNames"] == [POLICY_NAME]
    policy = iam.get_role_policy(RoleName=ROLE_NAME, PolicyName=POLICY_NAME)["PolicyDocument"]
    policy = json.loads(policy) if isinstance(policy, str) else policy
    logs = next(s for s in policy["Statement"] if s["Sid"] == "JobLogs")
    assert all("/aws/sagemaker/TrainingJobs" in r for r in logs["Resource"])

    assert_staged_as_planned(plan, set(before), set(all_objects(s3_client)))

    job = boto3.client("sagemaker").describe_training_job(TrainingJobName="train-test-1")
    request = plan["request"]
    for field in (
        "HyperParameters",
        "InputDataConfig",
        "OutputDataConfig",
        "ResourceConfig",
        "StoppingCondition",
        "CheckpointConfig",
        "RoleArn",
        "EnableManagedSpotTraining",
        "EnableNetworkIsolation",
    ):
        assert job[field] == request[field], field
    assert job["HyperParameters"] == {"epochs": "5"}
    assert job["CheckpointConfig"]["S3Uri"] == (
        f"s3://{DEFAULT_BUCKET}/aws-sagemaker-remote/train-test-1/checkpoints/"
    )
    argv_sent = job["AlgorithmSpecification"]["ContainerArguments"]
    assert argv_sent[:2] == ["--train", "/opt/ml/input/data/train"]
    assert argv_sent[-2:] == ["--sagemaker-run", "no"]


def test_arguments_that_are_no_hyperparameters_are_container_arguments(project, aws_env):
    result = run(project, "--sagemaker-job-name", "train-args", "--files", "a b", "c")
    assert result.returncode == 0, result.stderr
    job = boto3.client("sagemaker").describe_training_job(TrainingJobName="train-args")
    assert not job.get("HyperParameters")
    assert job["AlgorithmSpecification"]["ContainerArguments"][:3] == ["--files", "a b", "c"]


def test_wait_no_returns_after_creation(project, aws_env):
    result = run(project, "--sagemaker-job-name", "train-nowait", "--sagemaker-wait", "no")
    assert result.returncode == 0, result.stderr
    assert "training logs train-nowait" in result.stderr + result.stdout


VALIDATION_CASES = [
    (["--sagemaker-training-instance", "ml.m5.huge"], "--sagemaker-instance"),
    (["--sagemaker-max-run", "2419201"], "--sagemaker-runtime-seconds"),
    (["--sagemaker-max-wait", "100"], "--sagemaker-max-wait"),
    (["--sagemaker-spot", "--sagemaker-max-wait", "100"], "--sagemaker-max-wait"),
    (["--sagemaker-checkpoint-s3", "http://x/y"], "--sagemaker-checkpoint-s3"),
    (["--sagemaker-checkpoint-s3", "s3://no-such-bucket-anywhere/c/"], "--sagemaker-checkpoint-s3"),
    (["--sagemaker-env", "A=" + "v" * 513], "--sagemaker-env"),
    (["--train-mode", "Stream"], "--train-mode"),
    (["--sagemaker-training-role", "bad role"], "--sagemaker-role"),
    (["--sagemaker-download", "--model-dir", "data/model"], "--model-dir"),
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
    assert all_objects(s3_client) == before
    assert owned_buckets(s3_client) == buckets
    assert training_jobs() == []
    assert ROLE_NAME not in [r["RoleName"] for r in boto3.client("iam").list_roles()["Roles"]]


def test_an_existing_training_job_name_fails_before_side_effects(project, aws_env, s3_client):
    first = run(project, "--sagemaker-job-name", "taken-training")
    assert first.returncode == 0, first.stderr
    before = all_objects(s3_client)
    second = run(project, "--sagemaker-job-name", "taken-training", "--epochs", "4")
    assert second.returncode == 2
    assert second.stderr.strip().splitlines() == [
        "train.py: error: --sagemaker-job-name: 'taken-training': a training job of that name "
        "exists already (names are unique per account and region); choose another"
    ]
    assert all_objects(s3_client) == before
