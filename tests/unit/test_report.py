"""The links printed once a job was created."""

from aws_sagemaker_remote.follow.report import console_url, logs_url, summary_lines
from aws_sagemaker_remote.kinds import PROCESSING


def test_console_links_follow_the_partition():
    assert console_url("eu-west-1", "j", PROCESSING).startswith(
        "https://eu-west-1.console.aws.amazon.com/"
    )
    assert console_url("cn-north-1", "j", PROCESSING).startswith("https://console.amazonaws.cn/")
    assert logs_url("us-gov-west-1", "j", PROCESSING).startswith(
        "https://console.amazonaws-us-gov.com/"
    )
    assert "region=eu-west-1#/processing-jobs/j" in console_url("eu-west-1", "j", PROCESSING)


def test_summary_names_every_s3_path():
    request = {
        "ProcessingJobName": "j-1",
        "ProcessingInputs": [
            {"InputName": "code-script", "S3Input": {"S3Uri": "s3://b/code/script-1/"}},
            {"InputName": "data", "S3Input": {"S3Uri": "s3://b/in/"}},
        ],
        "ProcessingOutputConfig": {
            "Outputs": [{"OutputName": "out", "S3Output": {"S3Uri": "s3://b/j-1/out"}}]
        },
    }
    text = "\n".join(summary_lines(request, arn="arn:x", region="us-east-1", backend="aws"))
    for expected in ("j-1", "arn:x", "s3://b/code/script-1/", "s3://b/in/", "s3://b/j-1/out"):
        assert expected in text
    assert "console.aws.amazon.com" in text
    assert "cloudwatch" in text


def test_a_training_summary_names_its_archives_spot_checkpoints_and_metrics():
    request = {
        "TrainingJobName": "t-1",
        "InputDataConfig": [{"ChannelName": "train", "DataSource": {"S3DataSource": {
            "S3Uri": "s3://b/p/inputs/train-0/"}}}],
        "OutputDataConfig": {"S3OutputPath": "s3://b/p/"},
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 7200},
        "EnableManagedSpotTraining": True,
        "CheckpointConfig": {"S3Uri": "s3://b/p/t-1/checkpoints/",
                             "LocalPath": "/opt/ml/checkpoints"},
        "AlgorithmSpecification": {"MetricDefinitions": [
            {"Name": "accuracy", "Regex": "a=(.*)"}, {"Name": "loss", "Regex": "l=(.*)"}]},
    }  # fmt: skip
    lines = summary_lines(request, arn="arn:t", region="eu-west-1", backend="aws")
    assert lines[2].endswith("#/jobs/t-1")
    assert lines[4:] == [
        "Input  train: s3://b/p/inputs/train-0/",
        "Output model, output: s3://b/p/t-1/output/",
        "Runtime:   at most 3600 s (1h00m00s, MaxRuntimeInSeconds)",
        "Wait:      at most 7200 s (2h00m00s, MaxWaitTimeInSeconds)",
        "Spot:      managed spot instances; an interrupted job restarts",
        "Checkpoints: /opt/ml/checkpoints <-> s3://b/p/t-1/checkpoints/",
        "Metrics:   accuracy, loss",
    ]
