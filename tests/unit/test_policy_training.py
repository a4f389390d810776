"""The role's policy computed from a CreateTrainingJob request: channels read, the model written
under S3OutputPath, the checkpoint prefix read, listed and written, the TrainingJobs log group,
the training image's repository, the VPC and the keys (issue 12, point 3)."""

from __future__ import annotations

from pathlib import Path

import pytest
from training_plan_support import make_project, plan_for

from aws_sagemaker_remote.aws.policy import Permission, Place, job_policy, s3_checks

PLACE = Place("aws", "us-east-1", "123456789012")
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path)


def statements_for(plan) -> dict:
    policy = job_policy(plan.request, PLACE, "my-bucket", "aws-sagemaker-remote")
    return {s["Sid"]: s for s in policy["Statement"]}


def test_a_staged_training_job_needs_its_staging_prefix_and_training_logs(project):
    statements = statements_for(plan_for(project, ["--sagemaker-spot"]))
    staged = "arn:aws:s3:::my-bucket/aws-sagemaker-remote/*"
    assert statements["ReadJobData"]["Resource"] == [staged]
    assert statements["WriteJobData"]["Resource"] == [staged]  # model, output, checkpoints
    group = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/TrainingJobs"
    assert statements["JobLogs"]["Resource"] == [group, group + ":*"]
    assert statements["ImagePull"]["Resource"] == [
        "arn:aws:ecr:us-east-1:123456789012:repository/img"
    ]
    assert "VpcNetworkInterfaces" not in statements


def test_a_checkpoint_prefix_of_its_own_is_read_listed_and_written(project):
    plan = plan_for(
        project,
        ["--sagemaker-checkpoint-s3", "s3://ckpt/run-1/", "--train", "s3://data/train/"],
    )
    statements = statements_for(plan)
    assert "arn:aws:s3:::ckpt/run-1/*" in statements["ReadJobData"]["Resource"]
    assert "arn:aws:s3:::data/train/*" in statements["ReadJobData"]["Resource"]
    assert "arn:aws:s3:::ckpt/run-1/*" in statements["WriteJobData"]["Resource"]
    assert "arn:aws:s3:::data/train/*" not in statements["WriteJobData"]["Resource"]
    checks = s3_checks(plan.request, "my-bucket", "aws-sagemaker-remote")
    assert Permission("s3:ListBucket", "arn:aws:s3:::ckpt", "run-1/") in checks
    assert Permission("s3:PutObject", "arn:aws:s3:::ckpt/run-1/*") in checks


def test_vpc_and_keys_of_a_training_request(project):
    plan = plan_for(
        project,
        [
            "--sagemaker-subnets", "subnet-0123abcd", "--sagemaker-security-groups", "sg-0a1b2c3d",
            "--sagemaker-output-kms-key", "alias/out", "--sagemaker-volume-kms-key", KEY,
        ],
    )  # fmt: skip
    statements = statements_for(plan)
    assert "VpcNetworkInterfaces" in statements
    assert statements["OutputKeyByAlias"]["Action"] == [
        "kms:Decrypt",
        "kms:Encrypt",
        "kms:GenerateDataKey",
    ]
    assert statements["OutputKeyByAlias"]["Condition"] == {
        "ForAnyValue:StringEquals": {"kms:ResourceAliases": ["alias/out"]}
    }
    assert statements["VolumeKey"]["Resource"] == [KEY]
