"""The plan of a training job: the CreateTrainingJob request botocore accepts, its channels,
arguments and environment, checkpoints, spot and metrics (issue 12, points 2 and 3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from training_plan_support import (
    JOB,
    assert_valid_training_request,
    channels,
    container_argv,
    make_project,
    plan_for,
)

from aws_sagemaker_remote.errors import UsageError

DATA = "/opt/ml/input/data"
ADDED_TAIL = [
    "--model-dir", "/opt/ml/model",
    "--output-dir", "/opt/ml/output/data",
    "--checkpoint-dir", "/opt/ml/checkpoints",
    "--sagemaker-run", "no",
]  # fmt: skip


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path)


def env_of(plan) -> dict:
    return plan.request["Environment"]


def test_the_request_botocore_accepts_with_every_part(project):
    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    plan = plan_for(
        project,
        [
            "--epochs", "5", "--sagemaker-spot", "--sagemaker-output-kms-key", key,
            "--sagemaker-volume-kms-key", key, "--sagemaker-subnets", "subnet-0123abcd",
            "--sagemaker-security-groups", "sg-0a1b2c3d", "--sagemaker-network-isolation",
            "--sagemaker-inter-container-encryption", "--sagemaker-instance-count", "2",
            "--sagemaker-env", "A=1", "--sagemaker-tags", "team=ml",
        ],
        metrics={"accuracy": "accuracy=([0-9.]+)", "loss": "loss: (\\S+)"},
        dependencies={"mylib": str(project / "mylib")},
    )  # fmt: skip
    request = plan.request
    assert_valid_training_request(request)
    assert request["TrainingJobName"] == JOB
    algorithm = request["AlgorithmSpecification"]
    assert algorithm["TrainingInputMode"] == "File"
    assert algorithm["ContainerEntrypoint"] == [
        "python3",
        f"{DATA}/code-support/aws_sagemaker_remote/container/bootstrap.py",
    ]
    assert algorithm["MetricDefinitions"] == [
        {"Name": "accuracy", "Regex": "accuracy=([0-9.]+)"},
        {"Name": "loss", "Regex": "loss: (\\S+)"},
    ]
    assert request["OutputDataConfig"] == {
        "S3OutputPath": "s3://my-bucket/aws-sagemaker-remote/",
        "KmsKeyId": key,
    }
    assert request["ResourceConfig"] == {
        "InstanceCount": 2,
        "InstanceType": "ml.m5.large",
        "VolumeSizeInGB": 30,
        "VolumeKmsKeyId": key,
    }
    assert request["VpcConfig"] == {
        "SecurityGroupIds": ["sg-0a1b2c3d"],
        "Subnets": ["subnet-0123abcd"],
    }
    assert request["EnableNetworkIsolation"] is True
    assert request["EnableInterContainerTrafficEncryption"] is True
    assert request["EnableManagedSpotTraining"] is True
    assert {"Key": "team", "Value": "ml"} in request["Tags"]
    assert env_of(plan)["A"] == "1"


def test_each_code_piece_and_input_is_a_channel_at_its_name(project):
    plan = plan_for(
        project,
        ["--single", str(project / "single.csv")],
        inputs={"train": str(project / "data"), "single": ""},
        dependencies={"mylib": str(project / "mylib")},
    )
    found = channels(plan)
    assert list(found) == ["code-script", "code-support", "module-mylib", "train", "single"]
    types = {n: c["DataSource"]["S3DataSource"]["S3DataType"] for n, c in found.items()}
    assert types == {
        "code-script": "S3Prefix",
        "code-support": "S3Prefix",  # the bootstrap itself: under its real name
        "module-mylib": "ManifestFile",
        "train": "ManifestFile",
        "single": "ManifestFile",
    }
    assert all(channel["CompressionType"] == "None" for channel in found.values())
    uris = {n: c["DataSource"]["S3DataSource"]["S3Uri"] for n, c in found.items()}
    assert uris["train"].startswith("s3://my-bucket/aws-sagemaker-remote/channels/inputs/train-")
    assert uris["train"].endswith(".manifest")
    assert env_of(plan)["AWS_SAGEMAKER_REMOTE_PLACE"].split(":") == [
        f"{DATA}/module-mylib",
        f"{DATA}/train",
        f"{DATA}/single",
    ]
    assert {u.channel_uri for u in plan.uploads} == set(uris.values())
    argv = container_argv(plan)
    assert argv == [
        "--train", f"{DATA}/train",
        "--single", f"{DATA}/single/single.csv",
        *ADDED_TAIL[:-2],
        "--mylib", f"{DATA}/module-mylib/mylib",
        "--sagemaker-run", "no",
    ]  # fmt: skip
    env = env_of(plan)
    assert env["AWS_SAGEMAKER_REMOTE_SCRIPT"] == f"{DATA}/code-script/train.py"
    assert env["AWS_SAGEMAKER_REMOTE_PYTHONPATH"] == f"{DATA}/code-support:{DATA}/module-mylib"
    assert env["AWS_SAGEMAKER_REMOTE_KIND"] == "training"


def test_input_modes_and_distribution_reach_the_channel(project):
    plan = plan_for(
        project,
        ["--train-mode", "fastfile", "--train-distribution", "ShardedByS3Key"],
    )
    train = channels(plan)["train"]
    assert train["InputMode"] == "FastFile"
    assert train["DataSource"]["S3DataSource"]["S3DataDistributionType"] == "ShardedByS3Key"
    assert channels(plan)["code-script"]["InputMode"] == "File"


def test_a_pipe_file_input_points_at_its_channel_not_a_file(project):
    plan = plan_for(
        project,
        ["--train", "s3://bkt/data/one.csv", "--train-mode", "Pipe"],
        s3_objects={"s3://bkt/data/one.csv": True},
    )
    assert container_argv(plan)[:2] == ["--train", f"{DATA}/train"]
    file_plan = plan_for(
        project, ["--train", "s3://bkt/data/one.csv"], s3_objects={"s3://bkt/data/one.csv": True}
    )
    assert container_argv(file_plan)[:2] == ["--train", f"{DATA}/train/one.csv"]
    assert channels(file_plan)["train"]["DataSource"]["S3DataSource"]["S3Uri"] == (
        "s3://bkt/data/one.csv"
    )


def test_an_empty_optional_input_gets_no_channel_and_an_empty_value(project):
    plan = plan_for(project, [], inputs={"train": str(project / "data"), "extra": None})
    assert "extra" not in channels(plan)
    argv = container_argv(plan)
    assert argv[argv.index("--extra") + 1] == ""


def test_past_twenty_channels_the_code_shares_one_channel(project):
    inputs = {f"in{i}": str(project / "data") for i in range(15)}
    modules = {f"m{i}": str(project / "mylib") for i in range(4)}
    plan = plan_for(project, [], inputs=inputs, dependencies=modules)
    found = channels(plan)
    assert len(found) == 16
    assert "code" in found
    assert not any(n.startswith(("code-", "module-")) for n in found)
    env = env_of(plan)
    assert env["AWS_SAGEMAKER_REMOTE_SCRIPT"] == f"{DATA}/code/script/train.py"
    assert f"{DATA}/code/modules/m0" in env["AWS_SAGEMAKER_REMOTE_PYTHONPATH"].split(":")
    argv = container_argv(plan)
    assert argv[argv.index("--m3") + 1] == f"{DATA}/code/modules/m3/mylib"
    (bundle,) = [u for u in plan.uploads if u.name == "code"]
    assert "script/train.py" in {rel for rel, _ in bundle.files}
    assert_valid_training_request(plan.request)


def test_too_many_inputs_for_the_code_channel(project):
    inputs = {f"in{i}": str(project / "data") for i in range(20)}
    with pytest.raises(UsageError, match="at most 19"):
        plan_for(project, [], inputs=inputs)


# ---------------------------------------------------------------- checkpoints, spot, stopping


def test_checkpoints_off_by_default_and_the_folder_still_given(project):
    plan = plan_for(project, [])
    assert "CheckpointConfig" not in plan.request
    assert plan.request["EnableManagedSpotTraining"] is False
    assert plan.request["StoppingCondition"] == {"MaxRuntimeInSeconds": 86400}
    assert container_argv(plan)[-8:] == ADDED_TAIL


@pytest.mark.parametrize(
    "argv",
    [["--sagemaker-checkpoints"], ["--sagemaker-spot"], ["--sagemaker-spot-instances", "yes"]],
)
def test_checkpoints_default_to_the_jobs_own_prefix(project, argv):
    plan = plan_for(project, argv)
    assert plan.request["CheckpointConfig"] == {
        "S3Uri": f"s3://my-bucket/aws-sagemaker-remote/{JOB}/checkpoints/",
        "LocalPath": "/opt/ml/checkpoints",
    }


def test_a_checkpoint_uri_turns_checkpoints_on_and_is_used_as_given(project):
    plan = plan_for(project, ["--sagemaker-checkpoint-s3", "s3://ckpt/run-7/"])
    assert plan.request["CheckpointConfig"]["S3Uri"] == "s3://ckpt/run-7/"


@pytest.mark.parametrize(
    ("argv", "stopping"),
    [
        (["--sagemaker-spot"], {"MaxRuntimeInSeconds": 86400, "MaxWaitTimeInSeconds": 172800}),
        (
            ["--sagemaker-spot", "--sagemaker-max-run", "3600", "--sagemaker-max-wait", "3600"],
            {"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 3600},
        ),
        (
            ["--sagemaker-spot", "--sagemaker-runtime-seconds", "2000000"],
            {"MaxRuntimeInSeconds": 2000000, "MaxWaitTimeInSeconds": 2419200},
        ),
        (
            ["--sagemaker-spot", "--sagemaker-runtime-seconds", "2419200"],
            {"MaxRuntimeInSeconds": 2419200, "MaxWaitTimeInSeconds": 2419200},
        ),
    ],
)
def test_spot_stopping_condition(project, argv, stopping):
    plan = plan_for(project, argv)
    assert plan.request["StoppingCondition"] == stopping
    assert plan.request["EnableManagedSpotTraining"] is True


def test_max_wait_from_the_code_applies_only_with_spot(project):
    plan = plan_for(project, [], max_wait=7200)
    assert plan.request["StoppingCondition"] == {"MaxRuntimeInSeconds": 86400}
    spot = plan_for(project, ["--sagemaker-spot", "--sagemaker-max-run", "60"], max_wait=7200)
    assert spot.request["StoppingCondition"]["MaxWaitTimeInSeconds"] == 7200


def test_no_metrics_no_metric_definitions(project):
    plan = plan_for(project, [])
    assert "MetricDefinitions" not in plan.request["AlgorithmSpecification"]


# ---------------------------------------------------------------- arguments, job file, env


def test_long_arguments_travel_in_the_job_file(project):
    plan = plan_for(project, ["--files", "x" * 300, "y"])
    assert "ContainerArguments" not in plan.request["AlgorithmSpecification"]
    assert "HyperParameters" not in plan.request
    (job,) = [u for u in plan.uploads if u.name == "job"]
    argv = json.loads(job.files[0][1])["argv"]
    assert argv[:3] == ["--files", "x" * 300, "y"]
    env = env_of(plan)
    assert env["AWS_SAGEMAKER_REMOTE_JOB_FILE"] == f"{DATA}/code-job/job.json"
    assert env["AWS_SAGEMAKER_REMOTE_USER_ARGC"] == "3"
    assert "AWS_SAGEMAKER_REMOTE_ARGV_SOURCE" not in env
    assert_valid_training_request(plan.request)


def test_environment_values_up_to_512_characters_stay_in_the_request(project):
    command = "echo " + "y" * 507
    plan = plan_for(project, [], configuration_command=command)
    assert env_of(plan)["AWS_SAGEMAKER_REMOTE_CONFIGURATION_COMMAND"] == command
    longer = plan_for(project, [], configuration_command=command + "y")
    assert "AWS_SAGEMAKER_REMOTE_CONFIGURATION_COMMAND" not in env_of(longer)
    (job,) = [u for u in longer.uploads if u.name == "job"]
    assert json.loads(job.files[0][1])["configuration_command"] == command + "y"


def test_the_users_env_cannot_replace_ours(project):
    plan = plan_for(project, ["--sagemaker-env", "PATH=/x"])
    env = env_of(plan)
    assert env["PATH"] == "/x"
    assert list(env)[0] == "PATH"
    assert env["AWS_SAGEMAKER_REMOTE_KIND"] == "training"
