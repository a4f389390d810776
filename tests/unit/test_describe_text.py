"""`training describe NAME`: what a user wants to see of a training job, in a few lines."""

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from aws_sagemaker_remote.cli.text import describe_lines

T0 = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def test_a_training_job_shows_status_instances_spot_checkpoints_model_and_metrics(tmp_path):
    description = {
        "TrainingJobName": "t-1",
        "TrainingJobArn": "arn:aws:sagemaker:us-east-1:1:training-job/t-1",
        "TrainingJobStatus": "Completed",
        "SecondaryStatus": "Completed",
        "CreationTime": T0,
        "TrainingStartTime": T0,
        "TrainingEndTime": T0 + timedelta(seconds=75),
        "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 2, "VolumeSizeInGB": 30},
        "EnableManagedSpotTraining": True,
        "BillableTimeInSeconds": 40,
        "CheckpointConfig": {"S3Uri": "s3://b/p/t-1/checkpoints/"},
        "AlgorithmSpecification": {"TrainingImage": "img:1"},
        "ModelArtifacts": {"S3ModelArtifacts": "s3://b/p/t-1/output/model.tar.gz"},
        "FinalMetricDataList": [{"MetricName": "accuracy", "Value": 0.9}],
    }
    lines = describe_lines(description, SimpleNamespace(job_dir=lambda k, n: tmp_path, region=""))
    assert lines[:2] == ["Name:      t-1", "Status:    Completed (Completed)"]
    for expected in (
        "Instances: 2 x ml.m5.large, 30 GB",
        "Spot:      yes, 40 s billable",
        "Checkpoints: s3://b/p/t-1/checkpoints/",
        "Image:     img:1",
        "Model:     s3://b/p/t-1/output/model.tar.gz",
        "Metric accuracy: 0.9",
        f"Job dir:   {tmp_path}",
    ):
        assert expected in lines, (expected, lines)


def processing_description(**more):
    description = {
        "ProcessingJobName": "p-1",
        "ProcessingJobStatus": "Completed",
        "CreationTime": T0,
        "AppSpecification": {
            "ImageUri": "img:1",
            "ContainerArguments": ["--n", "3", "--words", "a b", "--data", "/opt/ml/x"],
        },
        "Environment": {"AWS_SAGEMAKER_REMOTE_USER_ARGC": "4"},
    }
    description.update(more)
    return description


def test_describe_shows_the_scripts_own_arguments(tmp_path):
    backend = SimpleNamespace(job_dir=lambda k, n: tmp_path, region="")
    lines = describe_lines(processing_description(), backend)
    assert "Arguments: --n 3 --words 'a b'" in lines  # not the ones the plan added
    older = processing_description(Environment={})  # a job that does not say which are whose
    assert "Arguments: --n 3 --words 'a b' --data /opt/ml/x" in describe_lines(older, backend)


def test_describe_shows_hyperparameters_that_are_the_scripts_arguments(tmp_path):
    description = {
        "TrainingJobName": "t-2",
        "TrainingJobStatus": "Completed",
        "CreationTime": T0,
        "HyperParameters": {"epochs": "5", "note": "two words"},
        "AlgorithmSpecification": {
            "TrainingImage": "img:1",
            "ContainerArguments": ["--sagemaker-run", "no"],
        },
        "Environment": {
            "AWS_SAGEMAKER_REMOTE_USER_ARGC": "0",
            "AWS_SAGEMAKER_REMOTE_HYPERPARAMETER_FLAGS": '{"epochs": "1", "note": "1"}',
        },
    }
    lines = describe_lines(description, SimpleNamespace(job_dir=lambda k, n: tmp_path, region=""))
    assert "Hyperparameters: epochs=5 note='two words' (the script's arguments)" in lines
    assert not any(line.startswith("Arguments:") for line in lines)
