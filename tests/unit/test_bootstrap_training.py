"""The bootstrap's training mode, run as SageMaker runs it: the training toolkit's SM_* variables
from /opt/ml/input/config, the script's arguments rebuilt from hyperparameters.json, reasons in
/opt/ml/output/failure (which SageMaker Training publishes); processing is untouched."""

import json
from pathlib import Path

import pytest
from bootstrap_support import container_path, record, run

TRAINING = {"AWS_SAGEMAKER_REMOTE_KIND": "training"}
HYPERPARAMETERS = {
    "--epochs": "3",
    "--name": "a b=c",
    "--verbose": "",
    "--rate": "0.5",
    "sagemaker_program": "x.py",
}
RESOURCE = {
    "current_host": "algo-2",
    "current_instance_type": "ml.m5.xlarge",
    "current_group_name": "homogeneousCluster",
    "hosts": ["algo-1", "algo-2"],
    "instance_groups": [],
    "network_interface_name": "eth0",
}
CHANNELS = {
    "train": {"TrainingInputMode": "File", "S3DistributionType": "FullyReplicated"},
    "code-script": {"TrainingInputMode": "File", "S3DistributionType": "FullyReplicated"},
}


@pytest.fixture
def training_ml(ml: Path) -> Path:
    config = container_path(ml, "/opt/ml/input/config")
    config.mkdir(parents=True)
    (config / "hyperparameters.json").write_text(json.dumps(HYPERPARAMETERS))
    (config / "resourceconfig.json").write_text(json.dumps(RESOURCE))
    (config / "inputdataconfig.json").write_text(json.dumps(CHANNELS))
    return ml


def test_toolkit_variables_are_set_from_the_config_files(training_ml: Path) -> None:
    result = run(training_ml, ["--x", "1"], **TRAINING, SM_MODEL_DIR="/kept/as/set")
    assert result.returncode == 0, result.stderr
    env = record(training_ml)["env"]
    root = str(training_ml)  # the emulator's /opt/ml: container paths are mapped
    assert env["SM_HOSTS"] == '["algo-1","algo-2"]'
    assert env["SM_CURRENT_HOST"] == "algo-2"
    assert env["SM_CURRENT_INSTANCE_TYPE"] == "ml.m5.xlarge"
    assert env["SM_NETWORK_INTERFACE_NAME"] == "eth0"
    assert env["SM_CHANNELS"] == '["code-script","train"]'
    assert env["SM_CHANNEL_TRAIN"] == f"{root}/input/data/train"
    assert env["SM_CHANNEL_CODE-SCRIPT"] == f"{root}/input/data/code-script"
    assert env["SM_MODEL_DIR"] == "/kept/as/set"  # a value already set is never overridden
    assert env["SM_OUTPUT_DATA_DIR"] == f"{root}/output/data"
    assert env["SM_OUTPUT_DIR"] == f"{root}/output"
    assert env["SM_INPUT_DIR"] == f"{root}/input"
    assert env["SM_INPUT_CONFIG_DIR"] == f"{root}/input/config"
    assert json.loads(env["SM_HPS"]) == {
        "--epochs": 3,
        "--name": "a b=c",
        "--verbose": "",
        "--rate": 0.5,
    }
    assert env["SM_HP_--EPOCHS"] == "3"
    assert env["SM_HP_--NAME"] == "a b=c"
    assert "SM_HP_SAGEMAKER_PROGRAM" not in env
    assert json.loads(env["SM_RESOURCE_CONFIG"]) == RESOURCE
    assert json.loads(env["SM_INPUT_DATA_CONFIG"]) == CHANNELS
    assert int(env["SM_NUM_CPUS"]) >= 1
    assert env["SM_NUM_GPUS"].isdigit()
    assert "SM_NUM_HOSTS" not in env
    assert "SM_HOST_INDEX" not in env
    assert record(training_ml)["argv"] == ["--x", "1"]  # without ARGV_SOURCE: as started


def test_arguments_are_rebuilt_from_hyperparameters_before_the_container_arguments(
    training_ml: Path,
) -> None:
    result = run(
        training_ml,
        ["--model-dir", "/opt/ml/model", "--sagemaker-run", "no"],
        **TRAINING,
        AWS_SAGEMAKER_REMOTE_ARGV_SOURCE="hyperparameters",
    )
    assert result.returncode == 0, result.stderr
    assert record(training_ml)["argv"] == [
        "--epochs=3",
        "--name=a b=c",
        "--verbose",
        "--rate=0.5",
        "sagemaker_program=x.py",
        "--model-dir",
        "/opt/ml/model",
        "--sagemaker-run",
        "no",
    ]


def test_failures_go_to_the_failure_file(training_ml: Path) -> None:
    result = run(training_ml, **TRAINING, TEST_EXIT_CODE="3")
    assert result.returncode == 3
    assert (training_ml / "output" / "failure").read_text() == "script exited with code 3"
    assert not (training_ml / "output" / "message").exists()


def test_an_unreadable_hyperparameters_file_fails_before_the_script(training_ml: Path) -> None:
    (container_path(training_ml, "/opt/ml/input/config/hyperparameters.json")).write_text("[1]")
    result = run(training_ml, **TRAINING, AWS_SAGEMAKER_REMOTE_ARGV_SOURCE="hyperparameters")
    assert result.returncode == 1
    reason = (training_ml / "output" / "failure").read_text()
    assert reason == "hyperparameters.json: expected a JSON object"
    assert not (training_ml / "record.json").exists()


@pytest.mark.parametrize(
    ("name", "value"),
    [("AWS_SAGEMAKER_REMOTE_KIND", "train"), ("AWS_SAGEMAKER_REMOTE_ARGV_SOURCE", "hps")],
)
def test_unknown_modes_are_refused(ml: Path, name: str, value: str) -> None:
    result = run(ml, **{name: value})
    assert result.returncode == 1
    assert f"{name} is {value!r}" in (ml / "output" / "message").read_text()


def test_processing_mode_is_unchanged_by_training_files(training_ml: Path) -> None:
    (training_ml / "config" / "resourceconfig.json").write_text(
        json.dumps({"current_host": "algo-1", "hosts": ["algo-1"]})
    )
    result = run(training_ml, TEST_EXIT_CODE="2")
    assert result.returncode == 2
    env = record(training_ml)["env"]
    assert env["SM_NUM_HOSTS"] == "1"
    assert "SM_CHANNELS" not in env
    assert "SM_HPS" not in env
    assert (training_ml / "output" / "message").read_text() == "script exited with code 2"
    assert not (training_ml / "output" / "failure").exists()
