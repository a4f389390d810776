"""The execution role against moto's IAM and SeaweedFS, through the script's own
`--sagemaker-run yes` (issue 8 points 1, 6, 9): the role the tool creates has exactly the job's
S3 prefixes, a later run extends it, a role the user names is never modified.

Permissions per the SageMaker Developer Guide, "How to use SageMaker execution roles"
(sagemaker-roles.html, CreateProcessingJob execution role permissions).
"""

from __future__ import annotations

import fnmatch
import json
import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import boto3
import pytest

from aws_sagemaker_remote.aws.policy import POLICY_NAME

ROLE_NAME = "aws-sagemaker-remote-processing-role"
ACCOUNT = "123456789012"
STAGING = f"sagemaker-us-east-1-{ACCOUNT}"
S3 = "arn:aws:s3:::"

SCRIPT = textwrap.dedent(
    """
    from aws_sagemaker_remote import sagemaker_processing_main

    if __name__ == "__main__":
        sagemaker_processing_main(
            main=print,
            inputs={"data": "data", "table": "data"},
            outputs={"out": "out", "extra": "extra"},
        )
    """
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "job.py").write_text(SCRIPT)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.txt").write_text("alpha")
    return tmp_path


@pytest.fixture
def buckets(s3_client):
    """A bucket with input data and two output buckets, deleted afterwards."""
    names = {key: f"{key}-{uuid.uuid4().hex[:8]}" for key in ("data", "results", "more")}
    for name in names.values():
        s3_client.create_bucket(Bucket=name)
    s3_client.put_object(Bucket=names["data"], Key="train/part-1.csv", Body=b"1,2\n")
    yield names
    for name in names.values():
        for item in s3_client.list_objects_v2(Bucket=name).get("Contents", []):
            s3_client.delete_object(Bucket=name, Key=item["Key"])
        s3_client.delete_bucket(Bucket=name)


def run(project: Path, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(project / "job.py"), "--sagemaker-run", "yes", *argv],
        capture_output=True,
        text=True,
        cwd=project,
        env=dict(os.environ),
        timeout=180,
    )


def inline_policy(role: str) -> dict:
    iam = boto3.client("iam")
    document = iam.get_role_policy(RoleName=role, PolicyName=POLICY_NAME)["PolicyDocument"]
    return json.loads(document) if isinstance(document, str) else document


def statements(policy: dict, action: str) -> list:
    return [s for s in policy["Statement"] if action in s["Action"]]


def resources(policy: dict, action: str) -> set:
    return {r for s in statements(policy, action) for r in s["Resource"]}


def covered(patterns: set, arn: str) -> bool:
    return any(fnmatch.fnmatchcase(arn, p) for p in patterns)


def listable(policy: dict, bucket: str, prefix: str) -> bool:
    for statement in statements(policy, "s3:ListBucket"):
        if statement["Resource"] != [S3 + bucket]:
            continue
        condition = statement.get("Condition", {}).get("StringLike", {}).get("s3:prefix")
        if condition is None or any(fnmatch.fnmatchcase(prefix, p) for p in condition):
            return True
    return False


def job_uris(name: str) -> tuple:
    job = boto3.client("sagemaker").describe_processing_job(ProcessingJobName=name)
    inputs = [c["S3Input"]["S3Uri"] for c in job["ProcessingInputs"]]
    outputs = [o["S3Output"]["S3Uri"] for o in job["ProcessingOutputConfig"]["Outputs"]]
    return inputs, outputs


def split(uri: str) -> tuple:
    bucket, _, key = uri[len("s3://") :].partition("/")
    return bucket, key


def assert_covers_the_job_and_nothing_more(policy: dict, name: str, job_buckets: set) -> None:
    inputs, outputs = job_uris(name)
    read, write = resources(policy, "s3:GetObject"), resources(policy, "s3:PutObject")
    for uri in inputs:
        bucket, key = split(uri)
        assert covered(read, f"{S3}{bucket}/{key}/file.csv"), uri
        assert listable(policy, bucket, key), uri
    for uri in outputs:
        bucket, key = split(uri)
        assert covered(write, f"{S3}{bucket}/{key}/result.txt"), uri
    s3_resources = {
        r for s in policy["Statement"] for r in s["Resource"] if s["Action"][0].startswith("s3:")
    }
    for arn in s3_resources:
        bucket, _, key = arn[len(S3) :].partition("/")
        assert bucket in job_buckets, arn  # no bucket the job does not touch
        assert key != "*", arn  # never a whole bucket: the job's prefixes only
    assert not covered(read, f"{S3}{STAGING}/elsewhere/x")
    assert not covered(write, f"{S3}{STAGING}/elsewhere/x")
    every = [r for s in policy["Statement"] for r in s["Resource"]]
    assert "arn:aws:s3:::*" not in every
    assert all(not s["Action"][0].startswith("s3:") or "*" not in s["Resource"]
               for s in policy["Statement"])  # fmt: skip


def test_created_role_has_exactly_the_jobs_access_and_a_later_run_extends_it(
    project, aws_env, buckets
):
    first = run(
        project,
        "--sagemaker-job-name", "policy-1",
        "--table", f"s3://{buckets['data']}/train/",
        "--extra-s3", f"s3://{buckets['results']}/run-1",
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    iam = boto3.client("iam")
    assert iam.list_attached_role_policies(RoleName=ROLE_NAME)["AttachedPolicies"] == []
    assert iam.list_role_policies(RoleName=ROLE_NAME)["PolicyNames"] == [POLICY_NAME]
    policy = inline_policy(ROLE_NAME)
    assert_covers_the_job_and_nothing_more(
        policy, "policy-1", {STAGING, buckets["data"], buckets["results"]}
    )
    assert resources(policy, "s3:GetObject") == {
        f"{S3}{STAGING}/aws-sagemaker-remote/*",
        f"{S3}{buckets['data']}/train/*",
    }
    assert resources(policy, "s3:PutObject") == {
        f"{S3}{STAGING}/aws-sagemaker-remote/*",
        f"{S3}{buckets['results']}/run-1/*",
    }
    logs = resources(policy, "logs:PutLogEvents")
    assert logs == {
        f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/sagemaker/ProcessingJobs",
        f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/sagemaker/ProcessingJobs:*",
    }
    image = boto3.client("sagemaker").describe_processing_job(ProcessingJobName="policy-1")
    repository = image["AppSpecification"]["ImageUri"].split("/", 1)[1].split(":")[0]
    (pull,) = statements(policy, "ecr:BatchGetImage")
    assert pull["Resource"] == [f"arn:aws:ecr:us-east-1:683313688378:repository/{repository}"]
    assert not statements(policy, "ec2:CreateNetworkInterface")  # no VPC: no EC2
    assert not [s for s in policy["Statement"] if s["Action"][0].startswith("kms:")]

    second = run(
        project,
        "--sagemaker-job-name", "policy-2",
        "--extra-s3", f"s3://{buckets['more']}/run-2",
    )  # fmt: skip
    assert second.returncode == 0, second.stderr
    assert f"extended inline policy {POLICY_NAME}" in second.stderr
    extended = inline_policy(ROLE_NAME)
    assert f"{S3}{buckets['more']}/run-2/*" in resources(extended, "s3:PutObject")
    assert resources(policy, "s3:PutObject") <= resources(extended, "s3:PutObject")
    assert resources(policy, "s3:GetObject") <= resources(extended, "s3:GetObject")
    assert_covers_the_job_and_nothing_more(
        extended, "policy-2", {STAGING, buckets["data"], buckets["results"], buckets["more"]}
    )

    third = run(project, "--sagemaker-job-name", "policy-3")
    assert third.returncode == 0, third.stderr
    assert "extended" not in third.stderr  # nothing new: the policy is left as it is
    assert inline_policy(ROLE_NAME) == extended


def test_vpc_and_keys_add_only_their_statements(project, aws_env):
    result = run(
        project,
        "--sagemaker-job-name", "policy-vpc",
        "--sagemaker-subnets", "subnet-0123456789abcdef0",
        "--sagemaker-security-groups", "sg-0123456789abcdef0",
        "--sagemaker-output-kms-key", "alias/outputs",
        "--sagemaker-volume-kms-key", "1234abcd-12ab-34cd-56ef-1234567890ab",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    policy = inline_policy(ROLE_NAME)
    assert resources(policy, "ec2:CreateNetworkInterface") == {"*"}
    (grant,) = statements(policy, "kms:CreateGrant")
    assert grant["Resource"] == [
        f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    ]
    (encrypt,) = statements(policy, "kms:Encrypt")
    assert encrypt["Condition"] == {
        "ForAnyValue:StringEquals": {"kms:ResourceAliases": ["alias/outputs"]}
    }


@pytest.mark.parametrize("by_arn", [False, True], ids=["name", "arn"])
def test_role_the_user_names_is_never_modified(project, aws_env, by_arn):
    iam = boto3.client("iam")
    own = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*",
                                                   "Resource": "*"}]}  # fmt: skip
    arn = iam.create_role(RoleName="my-own-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    iam.put_role_policy(RoleName="my-own-role", PolicyName="mine", PolicyDocument=json.dumps(own))
    result = run(
        project,
        "--sagemaker-job-name", "named-role",
        "--sagemaker-role", arn if by_arn else "my-own-role",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert iam.list_role_policies(RoleName="my-own-role")["PolicyNames"] == ["mine"]
    assert iam.list_attached_role_policies(RoleName="my-own-role")["AttachedPolicies"] == []
    assert iam.get_role(RoleName="my-own-role")["Role"].get("Tags", []) == []
    assert ROLE_NAME not in [r["RoleName"] for r in iam.list_roles()["Roles"]]
    # moto does not offer SimulatePrincipalPolicy: the check says so in one line and goes on.
    warnings = [line for line in result.stderr.splitlines() if "cannot check" in line]
    assert len(warnings) == 1
    assert warnings[0].startswith(f"warning: cannot check the S3 permissions of role {arn}")


def test_a_bucket_encrypted_with_a_customer_key_lets_the_role_decrypt(
    project, aws_env, buckets, s3_client
):
    """Issue 18 point 2: the input bucket's default encryption is a customer managed key (made
    in moto's KMS; SeaweedFS keeps and answers the bucket's encryption configuration)."""
    kms = boto3.client("kms", endpoint_url=aws_env["AWS_ENDPOINT_URL_IAM"])
    key = kms.create_key(Description="input data")["KeyMetadata"]["Arn"]
    s3_client.put_bucket_encryption(
        Bucket=buckets["data"],
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                                              "KMSMasterKeyID": key}}]
        },
    )  # fmt: skip
    named = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0000abcd-12ab-34cd-56ef-1234567890ab"
    result = run(
        project,
        "--sagemaker-job-name", "kms-input",
        "--table", f"s3://{buckets['data']}/train/",
        "--sagemaker-s3-kms-keys", named,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "default encryption" not in result.stderr  # every bucket's encryption was read
    statements = {s["Sid"]: s for s in inline_policy(ROLE_NAME)["Statement"]}
    assert statements["DataKeyRead"]["Action"] == ["kms:Decrypt"]
    assert statements["DataKeyRead"]["Resource"] == sorted([key, named])
    assert statements["DataKeyWrite"]["Resource"] == [named]  # nothing written is encrypted


def test_provision_says_what_changed_in_iam(project, aws_env, buckets):
    """Issue 18 point 1: creating the role and extending its policy are both changes the job's
    creation must wait out; a run that changes nothing is not."""
    from aws_sagemaker_remote.kinds import PROCESSING
    from aws_sagemaker_remote.pipeline.plan import make_plan
    from aws_sagemaker_remote.pipeline.provision import provision
    from aws_sagemaker_remote.pipeline.resolve import resolve
    from aws_sagemaker_remote.pipeline.spec import JobSpec, OutputSpec

    def provisioned(outputs=()):
        spec = JobSpec(script=str(project / "job.py"), kind=PROCESSING, job_name="iam-change",
                       outputs=list(outputs))  # fmt: skip
        resolution = resolve(spec)
        return provision(resolution, make_plan(resolution.spec, resolution.resolved))

    assert provisioned() == f"role {ROLE_NAME} was just created"
    assert provisioned() is None
    more = OutputSpec("extra", str(project / "out"), f"s3://{buckets['more']}/run")
    assert provisioned([more]) == f"the policy of role {ROLE_NAME} was just extended"
