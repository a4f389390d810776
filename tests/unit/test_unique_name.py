"""A generated job name another submission took in the same millisecond is generated again."""

from types import SimpleNamespace

import pytest
from botocore.exceptions import ClientError

from aws_sagemaker_remote.pipeline.submit import NAME_ATTEMPTS, create_unique

TAKEN = {
    "Error": {
        "Code": "ValidationException",
        "Message": "Job name must be unique within an AWS account and region, and a job with "
        "this name already exists (arn:aws:sagemaker:us-east-1:1:processing-job/x)",
    }
}


class Backend:
    def __init__(self, taken: set):
        self.taken, self.created = taken, []

    def create_processing_job(self, **request):
        if request["ProcessingJobName"] in self.taken:
            raise ClientError(TAKEN, "CreateProcessingJob")
        self.created.append(request["ProcessingJobName"])
        return {"ProcessingJobArn": "arn:" + request["ProcessingJobName"]}


def plan(name):
    return SimpleNamespace(request={"ProcessingJobName": name})


def test_a_taken_generated_name_is_replaced():
    backend, names = Backend({"job-1", "job-2"}), iter(["job-2", "job-3"])
    response, used = create_unique(
        backend, plan("job-1"), attempts=1, renamed=lambda: plan(next(names)), sleep=lambda s: None
    )
    assert response["ProcessingJobArn"] == "arn:job-3"
    assert used.request["ProcessingJobName"] == "job-3"
    assert backend.created == ["job-3"]


def test_a_name_the_user_gave_is_never_replaced():
    backend = Backend({"mine"})
    with pytest.raises(ClientError):
        create_unique(backend, plan("mine"), attempts=1, sleep=lambda s: pytest.fail("slept"))


def test_renaming_gives_up_after_a_few_attempts():
    backend = Backend({"same"})
    with pytest.raises(ClientError):
        create_unique(
            backend, plan("same"), attempts=1, renamed=lambda: plan("same"), sleep=lambda s: None
        )
    assert NAME_ATTEMPTS >= 3
