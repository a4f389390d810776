"""AWS's training rules checked before anything is uploaded, each limit on both sides, each
refusal one line naming the flag or parameter (issue 12, point 2)."""

from __future__ import annotations

from pathlib import Path

import botocore.session
import pytest
from training_plan_support import make_project, spec_for

from aws_sagemaker_remote.errors import UsageError
from aws_sagemaker_remote.kinds import TRAINING
from aws_sagemaker_remote.pipeline.validate import instance_types, validate


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path)


def ok(project, argv=(), **kwargs):
    spec = spec_for(project, list(argv), **kwargs)
    validate(spec)
    return spec


def refused(project, argv=(), **kwargs) -> str:
    spec = spec_for(project, list(argv), **kwargs)
    with pytest.raises(UsageError) as info:
        validate(spec)
    message = str(info.value)
    assert "\n" not in message
    return message


# ---------------------------------------------------------------- channels


def test_nineteen_inputs_leave_one_channel_for_the_code(project):
    ok(project, inputs={f"in{i}": str(project / "data") for i in range(19)})
    message = refused(project, inputs={f"in{i}": str(project / "data") for i in range(20)})
    assert message.startswith("inputs: 20 given; SageMaker allows at most 19")


def test_channel_names_of_at_most_64_characters(project):
    ok(project, inputs={"c" * 64: str(project / "data")})
    message = refused(project, inputs={"c" * 65: str(project / "data")})
    assert message.startswith("--" + "c" * 65 + ": its channel name")
    assert "1-64 characters of A-Z a-z 0-9 . - _" in message


def test_a_module_channel_is_module_dash_name(project):
    ok(project, dependencies={"m" * 57: str(project / "mylib")})
    assert refused(project, dependencies={"m" * 58: str(project / "mylib")}).startswith(
        "--" + "m" * 58 + ": its channel name 'module-"
    )


def test_a_non_ascii_input_name_is_no_channel_name(project):
    message = refused(project, inputs={"données": str(project / "data")})
    assert message.startswith("--données: its channel name 'données'")


def test_the_shared_code_channel_name_is_reserved(project):
    assert "reserved" in refused(project, inputs={"code": str(project / "data")})


def test_the_training_folders_are_not_input_names(project):
    with pytest.raises(ValueError, match="model_dir"):
        spec_for(project, [], inputs={"model_dir": str(project / "data")})


# ---------------------------------------------------------------- metrics


def test_at_most_40_metrics(project):
    ok(project, metrics={f"m{i}": "x=(.*)" for i in range(40)})
    message = refused(project, metrics={f"m{i}": "x=(.*)" for i in range(41)})
    assert message == "metrics: 41 given; SageMaker allows at most 40"


@pytest.mark.parametrize(
    ("name", "allowed"),
    [("n" * 255, True), ("n" * 256, False), ("", False), ("a\nb", False), ("ünïcode ok", True)],
)
def test_metric_names(project, name, allowed):
    metrics = {name: "x=(.*)"}
    if allowed:
        ok(project, metrics=metrics)
    else:
        assert refused(project, metrics=metrics).startswith(f"metrics: {name!r}: a metric name")


@pytest.mark.parametrize(
    ("regex", "problem"),
    [
        ("(" + "x" * 498 + ")", None),
        ("(" + "x" * 499 + ")", "1-500 characters"),
        ("", "1-500 characters"),
        ("a\r(b)", "on one line"),
        ("acc=([0-9.]+", "not a regular expression"),
    ],
)
def test_metric_regexes(project, regex, problem):
    metrics = {"acc": regex}
    if problem is None:
        ok(project, metrics=metrics)
    else:
        message = refused(project, metrics=metrics)
        assert message.startswith("metrics['acc']: ")
        assert problem in message


# ---------------------------------------------------------------- runtime, spot, checkpoints


def test_runtime_of_at_most_28_days(project):
    ok(project, ["--sagemaker-runtime-seconds", "2419200"])
    message = refused(project, ["--sagemaker-max-run", "2419201"])
    assert message == "--sagemaker-runtime-seconds: 2419201: must be between 1 and 2419200"


def test_max_wait_at_least_the_runtime(project):
    ok(project, ["--sagemaker-spot", "--sagemaker-max-run", "600", "--sagemaker-max-wait", "600"])
    message = refused(
        project, ["--sagemaker-spot", "--sagemaker-max-run", "600", "--sagemaker-max-wait", "599"]
    )
    assert message.startswith("--sagemaker-max-wait: 599: must be at least")


def test_max_wait_on_the_command_line_needs_spot(project):
    message = refused(project, ["--sagemaker-max-wait", "7200"])
    assert message.startswith("--sagemaker-max-wait: only with --sagemaker-spot yes")
    assert "--sagemaker-max-wait" in refused(
        project, ["--sagemaker-max-wait=7200", "--sagemaker-spot", "no"], spot=True
    )


def test_checkpoints_no_on_the_command_line_contradicts_spot(project):
    message = refused(project, ["--sagemaker-spot", "--sagemaker-checkpoints", "no"])
    assert message.startswith("--sagemaker-checkpoints: no is not possible with --sagemaker-spot")
    ok(project, ["--sagemaker-spot"], checkpoints=False)  # the code's default: spot wins
    message = refused(
        project, ["--sagemaker-checkpoints=no", "--sagemaker-checkpoint-s3", "s3://ckpt/a/"]
    )
    assert message.startswith("--sagemaker-checkpoint-s3: a checkpoint URI with")


def test_max_wait_from_the_code_without_spot_is_no_error(project):
    ok(project, max_wait=7200)


def test_max_wait_below_the_code_runtime_with_spot(project):
    assert refused(project, ["--sagemaker-spot"], max_wait=60).startswith("--sagemaker-max-wait")


@pytest.mark.parametrize(
    ("uri", "allowed"),
    [
        ("default", True),
        ("s3://my-checkpoints/run-1/", True),
        ("s3://my-checkpoints", True),
        ("https://my-checkpoints/x", False),
        ("s3://Bad_Bucket/x", False),
        ("s3://my-checkpoints/" + "k" * 1004, True),  # 1024 characters
        ("s3://my-checkpoints/" + "k" * 1005, False),
    ],
)
def test_checkpoint_uri(project, uri, allowed):
    argv = ["--sagemaker-checkpoint-s3", uri]
    if allowed:
        ok(project, argv)
    else:
        assert refused(project, argv).startswith("--sagemaker-checkpoint-s3: ")


# ---------------------------------------------------------------- the rest, by kind


def test_training_instance_types_are_the_models_training_enum(project):
    model = botocore.session.get_session().get_service_model("sagemaker")
    assert instance_types(TRAINING) == tuple(model.shape_for("TrainingInstanceType").enum)
    p4d = ["--sagemaker-training-instance", "ml.p4d.24xlarge", "--sagemaker-image", "pytorch"]
    ok(project, p4d)  # not a processing type
    message = refused(project, ["--sagemaker-instance", "ml.m5.huge"])
    assert message.startswith("--sagemaker-instance: 'ml.m5.huge': not one of SageMaker's")
    assert "training instance types (e.g. ml.m5.large, ml.m5.xlarge)" in message


def test_instance_count_has_no_model_maximum(project):
    ok(project, ["--sagemaker-instance-count", "101"])


def test_volume_key_refused_on_local_nvme_storage(project):
    argv = ["--sagemaker-instance", "ml.p4d.24xlarge", "--sagemaker-volume-kms-key", "alias/k"]
    assert refused(project, argv).startswith("--sagemaker-volume-kms-key: ml.p4d.24xlarge")


@pytest.mark.parametrize("key", ["alias/vol", "arn:aws:kms:us-east-1:123456789012:alias/vol"])
def test_a_volume_key_alias_is_refused(project, key):
    """ResourceConfig.VolumeKmsKeyId takes a key id or key ARN (botocore's SageMaker model);
    OutputDataConfig.KmsKeyId also takes aliases (issue 18 point 5)."""
    message = refused(project, ["--sagemaker-volume-kms-key", key])
    assert message.startswith(f"--sagemaker-volume-kms-key: {key!r}: a training job's volume")
    assert f"aws kms describe-key --key-id {key}" in message
    ok(project, ["--sagemaker-output-kms-key", key])


@pytest.mark.parametrize(
    "key",
    [
        "1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    ],
)
def test_a_volume_key_by_id_or_arn_is_taken(project, key):
    ok(project, ["--sagemaker-volume-kms-key", key])


def test_network_isolation_refuses_requirements(project):
    (project / "req.txt").write_text("x\n")
    argv = ["--sagemaker-network-isolation", "--sagemaker-requirements", str(project / "req.txt")]
    assert refused(project, argv).startswith("--sagemaker-requirements: not possible")


@pytest.mark.parametrize(
    ("entries", "allowed"),
    [({f"K{i}": "v" for i in range(89)}, True), ({f"K{i}": "v" for i in range(90)}, False)],
)
def test_environment_entries_leave_room_for_ours(project, entries, allowed):
    """11 of SageMaker's 100: the plan's 9 (container/protocol.py, PLACE included) and the
    training kind's 2."""
    if allowed:
        ok(project, env=entries)
    else:
        message = refused(project, env=entries)
        assert message == (
            "--sagemaker-env: '90 entries': at most 89 (SageMaker allows 100, 11 are used by "
            "aws-sagemaker-remote)"
        )


@pytest.mark.parametrize(
    ("key", "value", "allowed"),
    [
        ("K" * 512, "v", True),
        ("K" * 513, "v", False),
        ("K", "v" * 512, True),
        ("K", "v" * 513, False),
    ],
)
def test_environment_keys_and_values_of_at_most_512_characters(project, key, value, allowed):
    if allowed:
        ok(project, env={key: value})
    else:
        assert refused(project, env={key: value}).startswith("--sagemaker-env: ")


def test_download_folders_must_not_be_inputs(project):
    argv = ["--sagemaker-download", "--model-dir", str(project / "data" / "model")]
    message = refused(project, argv)
    assert message.startswith("--model-dir: ")
    assert "inside the input" in message


def test_download_needs_wait_and_names_the_training_command(project):
    message = refused(project, ["--sagemaker-download", "--sagemaker-wait", "no"])
    assert message.endswith("aws-sagemaker-remote training download JOB-NAME")


def test_training_has_no_mount_flags(project):
    spec = ok(project)
    assert spec.extras is not None
    with pytest.raises(SystemExit):
        spec_for(project, ["--sagemaker-input-mount", "/opt/ml/x"])


def test_pipe_channels_are_for_aws_the_emulator_refuses_them_before_staging(project, monkeypatch):
    monkeypatch.delenv("AWS_SAGEMAKER_REMOTE_BACKEND", raising=False)
    ok(project, ["--train-mode", "Pipe"])
    message = refused(project, ["--train-mode", "Pipe", "--sagemaker-backend", "local"])
    assert message.startswith("--train-mode: 'Pipe': the local emulator delivers channels as File")
    ok(project, ["--train-mode", "FastFile", "--sagemaker-backend", "local"])
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_BACKEND", "local")
    refused(project, ["--train-mode", "Pipe"])
