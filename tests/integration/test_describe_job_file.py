"""`describe NAME` reads the arguments of a job whose argv travelled in its job file from S3;
a job file that cannot be read is one line of the description, not its end (issue 21, point
8). Against SeaweedFS."""

from __future__ import annotations

import json
from types import SimpleNamespace

from aws_sagemaker_remote.cli.text import describe_lines

CODE = "/opt/ml/processing/code"


def description(bucket: str) -> dict:
    return {
        "ProcessingJobName": "p-file",
        "ProcessingJobStatus": "Completed",
        "AppSpecification": {"ImageUri": "img:1"},
        "ProcessingInputs": [
            {
                "InputName": "code-job",
                "S3Input": {
                    "S3Uri": f"s3://{bucket}/p/code/job-0123456789abcdef/",
                    "LocalPath": f"{CODE}/job",
                    "S3DataType": "S3Prefix",
                    "S3InputMode": "File",
                },
            }
        ],
        "Environment": {
            "AWS_SAGEMAKER_REMOTE_JOB_FILE": f"{CODE}/job/job.json",
            "AWS_SAGEMAKER_REMOTE_USER_ARGC": "2",
        },
    }


def test_arguments_from_the_job_file_and_one_that_is_gone(s3_client, bucket, tmp_path):
    backend = SimpleNamespace(job_dir=lambda k, n: tmp_path, region="", s3=s3_client)
    missing = describe_lines(description(bucket), backend)
    [line] = [line for line in missing if line.startswith("Arguments:")]
    assert line.startswith("Arguments: in its job file, which could not be read (")
    body = json.dumps({"argv": ["--words", "x" * 300, "--sagemaker-run", "no"]})
    key = "p/code/job-0123456789abcdef/job.json"
    s3_client.put_object(Bucket=bucket, Key=key, Body=body.encode())
    found = describe_lines(description(bucket), backend)
    assert "Arguments: --words " + "x" * 300 in found
