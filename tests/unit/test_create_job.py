"""Creating the job: a just-created role is retried while it propagates, nothing else is."""

import pytest
from botocore.exceptions import ClientError

from aws_sagemaker_remote.kinds import PROCESSING
from aws_sagemaker_remote.pipeline.submit import create_job

ASSUME = {"Error": {"Code": "ValidationException", "Message": "Could not assume role arn:x"}}


class Backend:
    def __init__(self, failures: int):
        self.failures, self.calls = failures, 0

    def create_job(self, kind, request):
        assert kind is PROCESSING
        self.calls += 1
        if self.calls <= self.failures:
            raise ClientError(ASSUME, "CreateProcessingJob")
        return {"ProcessingJobArn": "arn:job"}


def test_new_role_is_retried_until_it_can_be_assumed():
    backend, slept = Backend(failures=2), []
    assert (
        create_job(backend, PROCESSING, {}, attempts=8, sleep=slept.append)["ProcessingJobArn"]
        == "arn:job"
    )
    assert backend.calls == 3
    assert slept == [1, 2]


def test_an_existing_role_is_not_retried():
    backend = Backend(failures=1)
    with pytest.raises(ClientError):
        create_job(backend, PROCESSING, {}, attempts=1, sleep=lambda s: pytest.fail("slept"))
    assert backend.calls == 1
