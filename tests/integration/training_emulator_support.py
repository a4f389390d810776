"""Helpers of the emulator's training tests: CreateTrainingJob requests written out by hand in
the shape pipeline/plan_training.py gives them (not built by it, so that a planner bug cannot hide
an emulator bug), the real bootstrap running the script."""

from __future__ import annotations

import io
import json
import tarfile
import textwrap
import time
from pathlib import Path

from emulator_support import SAFETY_TIMEOUT, get, put, wait_job

from aws_sagemaker_remote.kinds import TRAINING
from aws_sagemaker_remote.kinds.training import LOG_GROUP as TRAINING_LOG_GROUP

DATA = "/opt/ml/input/data"
SUPPORT = f"{DATA}/code-support"
BOOTSTRAP = f"{SUPPORT}/aws_sagemaker_remote/container/bootstrap.py"
SCRIPT = f"{DATA}/code-script/train.py"


def channel(name, uri, distribution="FullyReplicated", mode="File"):
    return {
        "ChannelName": name,
        "DataSource": {
            "S3DataSource": {
                "S3DataType": "S3Prefix",
                "S3Uri": uri,
                "S3DataDistributionType": distribution,
            }
        },
        "InputMode": mode,
        "CompressionType": "None",
    }


def training_request(
    name,
    bucket,
    *,
    channels=(),
    arguments=(),
    hyperparameters=None,
    metrics=(),
    count=1,
    max_runtime=600,
    checkpoints=False,
    spot=False,
    instance_type="ml.m5.large",
):
    """A request as the plan makes it: code pieces as their own channels, the bootstrap as the
    entrypoint, the user's arguments in HyperParameters when given."""
    env = {
        "AWS_SAGEMAKER_REMOTE_SCRIPT": SCRIPT,
        "AWS_SAGEMAKER_REMOTE_PYTHON": "python3",
        "AWS_SAGEMAKER_REMOTE_PYTHONPATH": SUPPORT,
        "AWS_SAGEMAKER_REMOTE_KIND": "training",
    }
    request = {
        "TrainingJobName": name,
        "AlgorithmSpecification": {
            "TrainingImage": "000000000000.dkr.ecr.us-east-1.amazonaws.com/emulated:latest",
            "TrainingInputMode": "File",
            "ContainerEntrypoint": ["python3", BOOTSTRAP],
            "ContainerArguments": [*arguments, "--sagemaker-run", "no"],
            "MetricDefinitions": [{"Name": n, "Regex": r} for n, r in metrics],
        },
        "RoleArn": "arn:aws:iam::000000000000:role/emulated",
        "InputDataConfig": [
            channel("code-script", f"s3://{bucket}/{name}/code-script/"),
            channel("code-support", f"s3://{bucket}/{name}/code-support/"),
            *channels,
        ],
        "OutputDataConfig": {"S3OutputPath": f"s3://{bucket}/out/"},
        "ResourceConfig": {
            "InstanceType": instance_type,
            "InstanceCount": count,
            "VolumeSizeInGB": 30,
        },
        "StoppingCondition": {"MaxRuntimeInSeconds": max_runtime},
        "Environment": env,
    }
    if hyperparameters is not None:
        request["HyperParameters"] = dict(hyperparameters)
        flags = {key: "0" if value == "" else "1" for key, value in hyperparameters.items()}
        env["AWS_SAGEMAKER_REMOTE_HYPERPARAMETER_FLAGS"] = json.dumps(flags)
    if checkpoints or spot:
        request["CheckpointConfig"] = {
            "S3Uri": f"s3://{bucket}/{name}/checkpoints/",
            "LocalPath": "/opt/ml/checkpoints",
        }
    if spot:
        request["EnableManagedSpotTraining"] = True
        request["StoppingCondition"]["MaxWaitTimeInSeconds"] = max_runtime * 2
    return request


def stage_code(s3_client, bucket, name, script):
    """The script and this library's container package, where the code channels point."""
    import aws_sagemaker_remote

    put(s3_client, bucket, f"{name}/code-script/train.py", textwrap.dedent(script))
    package = Path(aws_sagemaker_remote.__file__).parent
    for source in [package / "__init__.py", *sorted((package / "container").glob("*.py"))]:
        key = f"{name}/code-support/{source.relative_to(package.parent).as_posix()}"
        put(s3_client, bucket, key, source.read_bytes())


def submit_training(backend, s3_client, bucket, name, script, **kwargs):
    stage_code(s3_client, bucket, name, script)
    return backend.create_job(TRAINING, training_request(name, bucket, **kwargs))


def wait_training(backend, name):
    return wait_job(backend, TRAINING, name)


def wait_until(check, what):
    deadline = time.monotonic() + SAFETY_TIMEOUT
    while not check():
        assert time.monotonic() < deadline, f"{what} never happened"
        time.sleep(0.05)


def archive_members(s3_client, bucket, key):
    """{name: bytes} of a gzipped tar in S3."""
    with tarfile.open(fileobj=io.BytesIO(get(s3_client, bucket, key)), mode="r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}


def transitions(description):
    return [t["Status"] for t in description["SecondaryStatusTransitions"]]


def log_messages(backend, stream):
    response = backend.logs.get_log_events(
        logGroupName=TRAINING_LOG_GROUP, logStreamName=stream, startFromHead=True
    )
    return [event["message"] for event in response["events"]]
