"""CreateTrainingJob and the other training calls refused as boto3 and AWS refuse them, before any
job exists; training and processing job names are separate, as on AWS."""

from __future__ import annotations

import copy

import pytest
from emulator_support import make_request, put, wait
from training_emulator_support import channel, stage_code, training_request, wait_training

from aws_sagemaker_remote.kinds import PROCESSING, TRAINING

SCRIPT = "print('trained')"


def _refused(call, *args):
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as error:
        call(*args)
    assert error.value.response["Error"]["Code"] == "ValidationException"
    return str(error.value)


def test_invalid_request_raises_the_same_param_validation_error_as_boto3(backend, bucket):
    import boto3
    from botocore.exceptions import ParamValidationError

    request = training_request("bad-params", bucket)
    del request["OutputDataConfig"]
    request["ResourceConfig"]["InstanceCount"] = "two"
    client = boto3.client("sagemaker", region_name="us-east-1")
    with pytest.raises(ParamValidationError) as expected:
        client.create_training_job(**request)
    with pytest.raises(ParamValidationError) as got:
        backend.create_job(TRAINING, request)
    assert str(got.value) == str(expected.value)
    assert backend.list_jobs(TRAINING)["TrainingJobSummaries"] == []


def _pipe(request):
    request["InputDataConfig"][0]["InputMode"] = "Pipe"


def _no_entrypoint(request):
    del request["AlgorithmSpecification"]["ContainerEntrypoint"]


def _spot_without_wait(request):
    request["EnableManagedSpotTraining"] = True


def _short_wait(request):
    request["EnableManagedSpotTraining"] = True
    request["StoppingCondition"]["MaxWaitTimeInSeconds"] = 10


def _checkpoints_outside(request):
    request["CheckpointConfig"] = {"S3Uri": "s3://b/c/", "LocalPath": "/tmp/checkpoints"}


def _bad_regex(request):
    request["AlgorithmSpecification"]["MetricDefinitions"] = [{"Name": "m", "Regex": "(unclosed"}]


def _bad_name(request):
    request["TrainingJobName"] = "bad_name"


def _dot_dot_channel(request):
    request["InputDataConfig"][0]["ChannelName"] = ".."


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (_pipe, "Pipe input mode is not supported"),
        (_no_entrypoint, "AlgorithmSpecification.ContainerEntrypoint is required"),
        (_spot_without_wait, "needs StoppingCondition.MaxWaitTimeInSeconds"),
        (_short_wait, "MaxWaitTimeInSeconds must be at least MaxRuntimeInSeconds"),
        (_checkpoints_outside, "CheckpointConfig.LocalPath '/tmp/checkpoints'"),
        (_bad_regex, "metric 'm': Regex '(unclosed' is not valid"),
        (_bad_name, "at 'trainingJobName' failed to satisfy constraint"),
        (_dot_dot_channel, "channel '..': the name would not be a folder"),
    ],
)
def test_requests_aws_or_the_emulator_refuse_are_refused(backend, bucket, change, words):
    request = training_request("refused", bucket)
    change(request)
    assert words in _refused(backend.create_job, TRAINING, request)
    assert backend.list_jobs(TRAINING)["TrainingJobSummaries"] == []


def test_a_channel_without_objects_is_refused_as_aws_refuses_it(backend, s3_client, bucket):
    stage_code(s3_client, bucket, "no-data", SCRIPT)
    request = training_request(
        "no-data", bucket, channels=[channel("train", f"s3://{bucket}/nothing/here/")]
    )
    message = _refused(backend.create_job, TRAINING, request)
    assert f'No S3 objects found under S3 URL "s3://{bucket}/nothing/here/"' in message
    assert '"arn:aws:iam::000000000000:role/emulated" has "s3:ListBucket"' in message
    missing_bucket = copy.deepcopy(request)
    missing_bucket["InputDataConfig"][2] = channel("train", "s3://no-such-bucket-here/x/")
    assert "No S3 objects found" in _refused(backend.create_job, TRAINING, missing_bucket)
    assert backend.list_jobs(TRAINING)["TrainingJobSummaries"] == []


def test_unknown_jobs_and_names_in_use(backend, s3_client, bucket):
    for call in (backend.describe_job, backend.stop_job, backend.interrupt_job):
        message = _refused(call, TRAINING, "no-such-job")
        assert "Could not find requested job with name no-such-job" in message
    stage_code(s3_client, bucket, "shared-name", SCRIPT)
    backend.create_job(TRAINING, training_request("shared-name", bucket))
    message = _refused(backend.create_job, TRAINING, training_request("shared-name", bucket))
    assert "already exists" in message
    message = _refused(backend.interrupt_job, TRAINING, "shared-name")
    assert "not a managed spot job" in message
    # A processing job may have a training job's name: AWS keeps the two apart.
    put(s3_client, bucket, "shared-name/code/script.py", "print('processed')")
    backend.create_job(PROCESSING, make_request("shared-name", bucket))
    assert wait(backend, "shared-name")["ProcessingJobStatus"] == "Completed"
    assert wait_training(backend, "shared-name")["TrainingJobStatus"] == "Completed"
    assert backend.job_dir(PROCESSING, "shared-name").parent == backend.root
    kinds = {p.parent.name for p in (backend.job_dir(k, "shared-name") for k in _kinds())}
    assert kinds == {backend.root.name, "training-jobs"}


def _kinds():
    from aws_sagemaker_remote.kinds import PROCESSING, TRAINING

    return (PROCESSING, TRAINING)
