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
