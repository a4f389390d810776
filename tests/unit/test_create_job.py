"""Creating the job right after an IAM change (issue 18 point 1): SageMaker's answers that mean
the change is not in effect yet are retried for about a minute, with a line saying why; nothing
else is. The SageMaker client is botocore's own, its answers stubbed (botocore Stubber), the
clock and the sleep injected: no test sleeps.

The answers' wording is AWS's: "Could not assume role ..." and CreateTrainingJob's
`No S3 objects found under S3 URL ... has "s3:ListBucket" permissions on bucket ...`
(aws/amazon-sagemaker-examples issue #2267)."""

from __future__ import annotations

import io

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from aws_sagemaker_remote.aws.propagation import PROPAGATION_SECONDS, propagation_symptom
from aws_sagemaker_remote.backends.aws import AwsBackend
from aws_sagemaker_remote.kinds import PROCESSING, TRAINING
from aws_sagemaker_remote.pipeline.submit import create_job

ROLE = "arn:aws:iam::123456789012:role/aws-sagemaker-remote-processing-role"
ASSUME = f"Could not assume role {ROLE}. Please ensure that the role exists and allows principal 'sagemaker.amazonaws.com' to assume the role."  # noqa: E501
NO_OBJECTS = (
    'No S3 objects found under S3 URL "s3://b/p/code/script-0123456789abcdef/" given in input '
    "data source. Please ensure that the bucket exists in the selected region (us-east-1), that "
    f'objects exist under that S3 prefix, and that the role "{ROLE}" has "s3:ListBucket" '
    'permissions on bucket "b".'
)
CHANGE = "the policy of role aws-sagemaker-remote-processing-role was just extended"


class Clock:
    """Time that passes only when slept."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def backend():
    session = boto3.session.Session(
        aws_access_key_id="a", aws_secret_access_key="b", region_name="us-east-1"
    )
    backend = AwsBackend(session)
    with Stubber(backend.sagemaker) as stub:
        backend.stub = stub
        yield backend
        stub.assert_no_pending_responses()


REQUESTS = {
    PROCESSING: {
        "ProcessingJobName": "job-1",
        "ProcessingResources": {
            "ClusterConfig": {
                "InstanceCount": 1, "InstanceType": "ml.t3.medium", "VolumeSizeInGB": 30
            }
        },
        "AppSpecification": {"ImageUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/i:1"},
        "RoleArn": ROLE,
    },
    TRAINING: {
        "TrainingJobName": "job-1",
        "AlgorithmSpecification": {
            "TrainingImage": "123456789012.dkr.ecr.us-east-1.amazonaws.com/i:1",
            "TrainingInputMode": "File",
        },
        "RoleArn": ROLE,
        "OutputDataConfig": {"S3OutputPath": "s3://b/p/"},
        "ResourceConfig": {
            "InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 30
        },
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
    },
}  # fmt: skip
OPERATION = {PROCESSING: "create_processing_job", TRAINING: "create_training_job"}


def refuse(backend, kind, message: str, code: str = "ValidationException") -> None:
    backend.stub.add_client_error(
        OPERATION[kind], code, message, 400, expected_params=REQUESTS[kind]
    )


def accept(backend, kind) -> None:
    arn = f"arn:aws:sagemaker:us-east-1:123456789012:{kind.name}-job/job-1"
    backend.stub.add_response(OPERATION[kind], {kind.field("Arn"): arn}, REQUESTS[kind])


def create(backend, kind, change, clock, out=None):
    return create_job(
        backend,
        kind,
        REQUESTS[kind],
        change,
        sleep=clock.sleep,
        clock=clock,
        out=out if out is not None else io.StringIO(),
    )


def test_a_new_role_is_retried_until_sagemaker_can_assume_it(backend):
    clock, out = Clock(), io.StringIO()
    refuse(backend, PROCESSING, ASSUME)
    refuse(backend, PROCESSING, ASSUME)
    accept(backend, PROCESSING)
    response = create(backend, PROCESSING, "role r was just created", clock, out)
    assert response["ProcessingJobArn"].endswith(":processing-job/job-1")
    assert clock.slept == [1, 2]
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("waiting for IAM to apply the change (role r was just created;")
    assert f"ValidationException: {ASSUME}" in lines[0]
    assert lines[1].endswith("retrying in 2 s (1 s of at most 60 s)")


def test_an_extended_policy_is_retried_while_a_channel_reads_as_empty(backend):
    """CreateTrainingJob lists each channel with the role: a ListBucket grant not in effect yet
    looks like a channel without objects."""
    clock, out = Clock(), io.StringIO()
    refuse(backend, TRAINING, NO_OBJECTS)
    accept(backend, TRAINING)
    create(backend, TRAINING, CHANGE, clock, out)
    assert clock.slept == [1]
    assert CHANGE in out.getvalue()
    assert '"s3:ListBucket"' in out.getvalue()


def test_the_retries_end_after_about_a_minute(backend):
    clock = Clock()
    for _ in range(8):
        refuse(backend, PROCESSING, ASSUME)
    with pytest.raises(ClientError, match="Could not assume role"):
        create(backend, PROCESSING, CHANGE, clock)
    assert clock.slept == [1, 2, 4, 8, 15, 15, 15]
    assert sum(clock.slept) == PROPAGATION_SECONDS


def test_without_an_iam_change_nothing_is_retried(backend):
    clock, out = Clock(), io.StringIO()
    refuse(backend, PROCESSING, ASSUME)
    with pytest.raises(ClientError, match="Could not assume role"):
        create(backend, PROCESSING, None, clock, out)
    assert clock.slept == []
    assert out.getvalue() == ""


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ResourceLimitExceeded", "The account-level service limit is 0 Instances"),
        ("ValidationException", 'No S3 objects found under S3 URL "s3://b/p/x/"'),  # no role
        ("ResourceInUse", "Job name must be unique within an AWS account and region"),
    ],
)
def test_other_refusals_are_not_retried_after_a_change(backend, code, message):
    clock = Clock()
    refuse(backend, PROCESSING, message, code)
    with pytest.raises(ClientError, match=code):
        create(backend, PROCESSING, CHANGE, clock)
    assert clock.slept == []


def test_symptoms():
    def error(code, message):
        return ClientError({"Error": {"Code": code, "Message": message}}, "CreateTrainingJob")

    assert propagation_symptom(error("ValidationException", ASSUME))
    assert propagation_symptom(error("ValidationException", NO_OBJECTS))
    assert propagation_symptom(error("AccessDeniedException", "not authorized")) is None
    assert propagation_symptom(error("ValidationException", "Invalid image")) is None
