"""Helpers of the emulator tests: requests shaped like the planner's, waiting, reading back."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest
from helpers import SAFETY_TIMEOUT, TERMINAL, probe_wheel, stop_leftovers  # noqa: F401 - re-exported

from aws_sagemaker_remote.kinds import PROCESSING
from aws_sagemaker_remote.kinds.processing import LOG_GROUP

CODE = "/opt/ml/processing/input/code"
INPUT = "/opt/ml/processing/input/data"
OUTPUT = "/opt/ml/processing/output/result"
PROBE_PACKAGE = "asr_emulator_probe_pkg"
REQ_DIR = "/opt/ml/processing/code/requirements"
IMAGE = "000000000000.dkr.ecr.us-east-1.amazonaws.com/emulated:latest"  # no profile: unknown

COPY_SCRIPT = """
import shutil, sys
shutil.copytree(sys.argv[1], sys.argv[2], dirs_exist_ok=True)
print("copied", sys.argv[1], "->", sys.argv[2])
"""


def put(s3_client, bucket, key, body):
    s3_client.put_object(
        Bucket=bucket, Key=key, Body=body.encode() if isinstance(body, str) else body
    )


def get(s3_client, bucket, key):
    return s3_client.get_object(Bucket=bucket, Key=key)["Body"].read()


def keys(s3_client, bucket, prefix):
    pages = s3_client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return sorted(obj["Key"] for page in pages for obj in page.get("Contents", ()))


def s3_input(name, uri, local_path, distribution="FullyReplicated"):
    return {
        "InputName": name,
        "S3Input": {
            "S3Uri": uri,
            "LocalPath": local_path,
            "S3DataType": "S3Prefix",
            "S3InputMode": "File",
            "S3DataDistributionType": distribution,
        },
    }


def s3_output(name, uri, local_path, mode="EndOfJob"):
    return {
        "OutputName": name,
        "S3Output": {"S3Uri": uri, "LocalPath": local_path, "S3UploadMode": mode},
    }


def make_request(
    name,
    bucket,
    *,
    arguments=(),
    inputs=(),
    outputs=(),
    count=1,
    env=None,
    max_runtime=600,
    entrypoint=("python3", f"{CODE}/script.py"),
    image=IMAGE,
):
    request = {
        "ProcessingJobName": name,
        "ProcessingResources": {
            "ClusterConfig": {
                "InstanceCount": count,
                "InstanceType": "ml.t3.medium",
                "VolumeSizeInGB": 30,
            }
        },
        "StoppingCondition": {"MaxRuntimeInSeconds": max_runtime},
        "AppSpecification": {
            "ImageUri": image,
            "ContainerEntrypoint": list(entrypoint),
        },
        "RoleArn": "arn:aws:iam::000000000000:role/emulated",
        "ProcessingInputs": [s3_input("code", f"s3://{bucket}/{name}/code", CODE), *inputs],
    }
    if arguments:
        request["AppSpecification"]["ContainerArguments"] = list(arguments)
    if outputs:
        request["ProcessingOutputConfig"] = {"Outputs": list(outputs)}
    if env:
        request["Environment"] = dict(env)
    return request


def submit(backend, s3_client, bucket, name, script, **kwargs):
    put(s3_client, bucket, f"{name}/code/script.py", textwrap.dedent(script))
    request = make_request(name, bucket, **kwargs)
    return backend.create_job(PROCESSING, request)


def wait(backend, name, statuses=TERMINAL):
    return wait_job(backend, PROCESSING, name, statuses)


def wait_job(backend, kind, name, statuses=TERMINAL):
    """The job's description once its status is one of `statuses`."""
    deadline = time.monotonic() + SAFETY_TIMEOUT
    while time.monotonic() < deadline:
        description = backend.describe_job(kind, name)
        if kind.status(description) in statuses:
            return description
        time.sleep(0.1)
    log = runner_log(backend, name, kind)
    pytest.fail(f"job {name} did not reach {statuses}; runner log:\n{log}")


def wait_for_file(backend, name, path):
    deadline = time.monotonic() + SAFETY_TIMEOUT
    while not path.exists():
        description = backend.describe_job(PROCESSING, name)
        assert description["ProcessingJobStatus"] == "InProgress", description
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def runner_log(backend, name, kind=PROCESSING):
    path = backend.job_dir(kind, name) / "runner.log"
    return path.read_text() if path.exists() else "(none)"


def instance_path(backend, name, container_path, host="algo-1", kind=PROCESSING):
    return backend.job_dir(kind, name) / "instances" / host / container_path.lstrip("/")


def all_events(backend, stream):
    response = backend.logs.get_log_events(
        logGroupName=LOG_GROUP, logStreamName=stream, startFromHead=True
    )
    return [event["message"] for event in response["events"]]


SUPPORT = "/opt/ml/processing/code/support"
BOOTSTRAP = f"{SUPPORT}/aws_sagemaker_remote/container/bootstrap.py"


def submit_with_bootstrap(backend, s3_client, bucket, name, script, *, env=None, inputs=(), **kw):
    """A job shaped like the planner's: the real bootstrap runs the script."""
    import aws_sagemaker_remote

    put(s3_client, bucket, f"{name}/code/script.py", textwrap.dedent(script))
    package = Path(aws_sagemaker_remote.__file__).parent
    for source in [package / "__init__.py", *sorted((package / "container").glob("*.py"))]:
        key = f"{name}/support/{source.relative_to(package.parent).as_posix()}"
        put(s3_client, bucket, key, source.read_bytes())
    request = make_request(
        name,
        bucket,
        entrypoint=["python3", BOOTSTRAP],
        inputs=[s3_input("code-support", f"s3://{bucket}/{name}/support", SUPPORT), *inputs],
        env={
            "AWS_SAGEMAKER_REMOTE_SCRIPT": f"{CODE}/script.py",
            "AWS_SAGEMAKER_REMOTE_PYTHON": "python3",
            "AWS_SAGEMAKER_REMOTE_PYTHONPATH": SUPPORT,
            **(env or {}),
        },
        **kw,
    )
    return backend.create_job(PROCESSING, request)
