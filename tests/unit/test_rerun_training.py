"""`training rerun NAME`: a CreateTrainingJob request that repeats the job under a new name."""

from datetime import datetime, timezone

import pytest
from botocore.session import get_session
from botocore.validate import ParamValidator

from aws_sagemaker_remote.cli.rerun import RERUN_TAG, rerun_request
from aws_sagemaker_remote.errors import UsageError

OLD = "train-2024-01-02-03-04-05-678-abcde"
BASE = "s3://bucket/prefix/"


def described() -> dict:
    return {
        "TrainingJobName": OLD,
        "TrainingJobArn": f"arn:aws:sagemaker:us-east-1:123456789012:training-job/{OLD}",
        "TrainingJobStatus": "Completed",
        "SecondaryStatus": "Completed",
        "CreationTime": datetime(2024, 1, 2, tzinfo=timezone.utc),
        "AlgorithmSpecification": {
            "TrainingImage": "123.dkr.ecr.us-east-1.amazonaws.com/sklearn:1.2-1",
            "TrainingInputMode": "File",
            "ContainerEntrypoint": ["python3", "/opt/ml/input/data/code-support/boot.py"],
            "ContainerArguments": ["--model-dir", "/opt/ml/model"],
            "MetricDefinitions": [{"Name": "accuracy", "Regex": "accuracy=([0-9.]+)"}],
            "EnableSageMakerMetricsTimeSeries": False,
        },
        "HyperParameters": {"epochs": "3"},
        "InputDataConfig": [
            {
                "ChannelName": "train",
                "DataSource": {
                    "S3DataSource": {
                        "S3DataType": "S3Prefix",
                        "S3Uri": f"{BASE}inputs/train-0123/",
                        "S3DataDistributionType": "FullyReplicated",
                    }
                },
                "InputMode": "File",
                "CompressionType": "None",
            }
        ],  # fmt: skip
        "OutputDataConfig": {"S3OutputPath": BASE},
        "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 30},
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 7200},
        "EnableManagedSpotTraining": True,
        "EnableNetworkIsolation": False,
        "CheckpointConfig": {
            "S3Uri": f"{BASE}{OLD}/checkpoints/",
            "LocalPath": "/opt/ml/checkpoints",
        },
        "Environment": {
            "AWS_SAGEMAKER_REMOTE_KIND": "training",
            "AWS_SAGEMAKER_REMOTE_HYPERPARAMETER_FLAGS": '{"epochs":"1"}',
        },
        "RoleArn": "arn:aws:iam::123456789012:role/r",
        "ModelArtifacts": {"S3ModelArtifacts": f"{BASE}{OLD}/output/model.tar.gz"},
        "FinalMetricDataList": [{"MetricName": "accuracy", "Value": 0.9}],
        "SecondaryStatusTransitions": [{"Status": "Completed", "StartTime": datetime(2024, 1, 2)}],
    }


def test_the_request_repeats_the_job_and_is_valid_for_create_training_job():
    now = datetime(2025, 5, 6, 7, 8, 9, 123000, tzinfo=timezone.utc)
    tags = [{"Key": "team", "Value": "ml"}, {"Key": "aws:x", "Value": "y"}]
    request = rerun_request(described(), tags, now)
    shape = get_session().get_service_model("sagemaker").operation_model("CreateTrainingJob")
    report = ParamValidator().validate(request, shape.input_shape)
    assert not report.has_errors(), report.generate_report()
    new = request["TrainingJobName"]
    assert new.startswith("train-2025-05-06-07-08-09-123")
    assert request["CheckpointConfig"]["S3Uri"] == f"{BASE}{new}/checkpoints/"  # a fresh start
    assert request["HyperParameters"] == {"epochs": "3"}  # a rerun keeps them
    assert request["EnableManagedSpotTraining"] is True
    assert request["Tags"] == [{"Key": "team", "Value": "ml"}, {"Key": RERUN_TAG, "Value": OLD}]
    assert "ModelArtifacts" not in request


def test_a_description_without_its_algorithm_cannot_be_rerun():
    broken = described()
    del broken["AlgorithmSpecification"]
    with pytest.raises(UsageError, match="has no AlgorithmSpecification"):
        rerun_request(broken, [])
