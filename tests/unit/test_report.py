"""The links printed once a job was created."""

from aws_sagemaker_remote.follow.report import console_url, logs_url, summary_lines


def test_console_links_follow_the_partition():
    assert console_url("eu-west-1", "j").startswith("https://eu-west-1.console.aws.amazon.com/")
    assert console_url("cn-north-1", "j").startswith("https://console.amazonaws.cn/")
    assert logs_url("us-gov-west-1", "j").startswith("https://console.amazonaws-us-gov.com/")
    assert "region=eu-west-1#/processing-jobs/j" in console_url("eu-west-1", "j")


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
