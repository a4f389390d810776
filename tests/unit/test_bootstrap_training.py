"""The bootstrap's training mode, run as SageMaker runs it: the training toolkit's SM_* variables
from /opt/ml/input/config, the script's arguments rebuilt from hyperparameters.json as the
toolkit builds a script's arguments, reasons in /opt/ml/output/failure (which SageMaker Training
publishes); processing is untouched (issue 18 point 4).

The contract: aws/sagemaker-training-toolkit `environment.py` (`read_hyperparameters`,
`Environment`, `to_env_vars`, `to_cmd_args`), `mapping.py` (`to_env_vars`, `to_cmd_args`),
`params.py` (the keys SageMaker and the SDK set), ENVIRONMENT_VARIABLES.md."""

import json
import os
from pathlib import Path

import pytest
from bootstrap_support import RECORDING_SCRIPT, container_path, record, run

SCRIPT = "/opt/ml/input/data/code-script/train.py"
SUPPORT = "/opt/ml/input/data/code-support"
TRAINING = {
    "AWS_SAGEMAKER_REMOTE_KIND": "training",
    "AWS_SAGEMAKER_REMOTE_SCRIPT": SCRIPT,
    "AWS_SAGEMAKER_REMOTE_PYTHONPATH": f"{SUPPORT}:/opt/ml/input/data/module-helpers",
    "TRAINING_JOB_NAME": "train-1",
}
FLAGS = {
    "epochs": "1",
    "name": "1",
    "rate": "1",
    "shift": "1",
    "verbose": "0",
    "quiet": "0",
    "level": "?",
    "mode": "?",
    "layers": "1",
    "opts": "1",
    "learning-rate": "1",
    "batch_size": "1",
}
HYPERPARAMETERS = {
    "epochs": "3",
    "name": "a b=c",
    "rate": "0.5",
    "shift": "-2",
    "verbose": "",
    "quiet": "False",  # a tuning job's categorical value
    "level": "",
    "mode": "fast",
    "layers": "[1, 2]",
    "opts": '{"b": 2, "a": "x"}',
    "learning-rate": '"1.50"',  # JSON-encoded as the SDK sends a string: "1.50" arrives
    "batch_size": "32",
    "dropout": "0.1",  # not a flag of the script: in SM_HPS, not in its arguments
    "_tuning_objective_metric": "loss",  # a tuning job's
    "sagemaker_program": "x.py",
    "sagemaker_job_name": "train-1",
    "sagemaker_distribution_instance_groups": '["homogeneousCluster"]',
    "sagemaker_mpi_enabled": "true",
}
REBUILT = [
    "--batch_size", "32", "--epochs", "3", "--layers", "[1, 2]", "--learning-rate", "1.50",
    "--level", "--mode", "fast", "--name", "a b=c", "--opts", "a=x,b=2", "--rate", "0.5",
    "--shift=-2", "--verbose",
]  # fmt: skip
RESOURCE = {
    "current_host": "algo-2",
    "current_instance_type": "ml.m5.xlarge",
    "current_group_name": "homogeneousCluster",
    "hosts": ["algo-1", "algo-2"],
    "instance_groups": [
        {
            "instance_group_name": "homogeneousCluster",
            "instance_type": "ml.m5.xlarge",
            "hosts": ["algo-2", "algo-1"],
        }
    ],
    "network_interface_name": "eth0",
}
FILE = {"TrainingInputMode": "File", "S3DistributionType": "FullyReplicated"}
CHANNELS = {"train": FILE, "test": FILE, "code-script": FILE, "code-support": FILE,
            "module-helpers": FILE}  # fmt: skip


@pytest.fixture
def training_ml(ml: Path) -> Path:
    config = container_path(ml, "/opt/ml/input/config")
    config.mkdir(parents=True)
    (config / "hyperparameters.json").write_text(json.dumps(HYPERPARAMETERS))
    (config / "resourceconfig.json").write_text(json.dumps(RESOURCE))
    (config / "inputdataconfig.json").write_text(json.dumps(CHANNELS))
    script = container_path(ml, SCRIPT)
    script.parent.mkdir(parents=True)
    script.write_text(RECORDING_SCRIPT)
    return ml


def from_hyperparameters(flags=None) -> dict:
    return {**TRAINING, "AWS_SAGEMAKER_REMOTE_HYPERPARAMETER_FLAGS": json.dumps(flags or FLAGS)}


def test_arguments_are_rebuilt_from_hyperparameters_before_the_container_arguments(
    training_ml: Path,
) -> None:
    result = run(
        training_ml,
        ["--model-dir", "/opt/ml/model", "--sagemaker-run", "no"],
        **from_hyperparameters(),
    )
    assert result.returncode == 0, result.stderr
    # ContainerArguments pass as they are (the emulator rewrites them itself)
    assert record(training_ml)["argv"] == REBUILT + [
        "--model-dir", "/opt/ml/model", "--sagemaker-run", "no"
    ]  # fmt: skip
    assert "left out of its arguments (still in SM_HPS): dropout" in result.stderr
    env = record(training_ml)["env"]
    assert json.loads(env["SM_USER_ARGS"]) == REBUILT


def test_toolkit_variables_are_set_from_the_config_files(training_ml: Path) -> None:
    result = run(training_ml, **from_hyperparameters(), SM_MODEL_DIR="/kept/as/set")
    assert result.returncode == 0, result.stderr
    env = record(training_ml)["env"]
    root = str(training_ml)
    assert env["SM_HOSTS"] == '["algo-1","algo-2"]'
    assert env["SM_CURRENT_HOST"] == "algo-2"
    assert env["SM_CURRENT_INSTANCE_TYPE"] == "ml.m5.xlarge"
    assert env["SM_CURRENT_INSTANCE_GROUP"] == "homogeneousCluster"
    assert env["SM_CURRENT_INSTANCE_GROUP_HOSTS"] == '["algo-2","algo-1"]'
    assert env["SM_INSTANCE_GROUPS"] == '["homogeneousCluster"]'
    assert json.loads(env["SM_INSTANCE_GROUPS_DICT"]) == {
        "homogeneousCluster": RESOURCE["instance_groups"][0]
    }
    assert env["SM_DISTRIBUTION_INSTANCE_GROUPS"] == '["homogeneousCluster"]'
    assert env["SM_IS_HETERO"] == "false"
    assert env["SM_NETWORK_INTERFACE_NAME"] == "eth0"
    # the user's channels only: the code channels are the job's own
    assert env["SM_CHANNELS"] == '["test","train"]'
    assert env["SM_CHANNEL_TRAIN"] == f"{root}/input/data/train"
    assert "SM_CHANNEL_CODE-SCRIPT" not in env
    assert "SM_CHANNEL_MODULE-HELPERS" not in env
    assert json.loads(env["SM_INPUT_DATA_CONFIG"]) == CHANNELS  # the file as it is
    assert env["SM_MODEL_DIR"] == "/kept/as/set"  # a value already set is never overridden
    assert env["SM_OUTPUT_DATA_DIR"] == f"{root}/output/data"
    assert env["SM_OUTPUT_DIR"] == f"{root}/output"
    assert env["SM_OUTPUT_INTERMEDIATE_DIR"] == f"{root}/output/intermediate"
    assert env["SM_INPUT_DIR"] == f"{root}/input"
    assert env["SM_INPUT_CONFIG_DIR"] == f"{root}/input/config"
    assert env["SM_MODULE_DIR"] == f"{root}/input/data/code-script"
    assert env["SM_USER_ENTRY_POINT"] == "train.py"
    assert env["SM_MODULE_NAME"] == "train"
    assert env["SM_LOG_LEVEL"] == "20"
    assert env["SM_FRAMEWORK_MODULE"] == ""
    assert json.loads(env["SM_FRAMEWORK_PARAMS"]) == {
        "sagemaker_distribution_instance_groups": ["homogeneousCluster"],
        "sagemaker_mpi_enabled": True,
    }
    assert json.loads(env["SM_RESOURCE_CONFIG"]) == RESOURCE
    assert int(env["SM_NUM_CPUS"]) >= 1
    assert env["SM_NUM_GPUS"].isdigit()
    assert env["SM_NUM_NEURONS"] == "0"
    assert "SM_TOPOLOGY" not in env
    assert "SM_NUM_HOSTS" not in env  # processing's, not the toolkit's
    assert "SM_HOST_INDEX" not in env


def test_hyperparameter_variables_have_no_dashes_and_decoded_values(training_ml: Path) -> None:
    assert run(training_ml, **from_hyperparameters()).returncode == 0
    env = record(training_ml)["env"]
    hps = json.loads(env["SM_HPS"])
    assert hps["epochs"] == 3
    assert hps["rate"] == 0.5
    assert hps["learning-rate"] == "1.50"
    assert hps["layers"] == [1, 2]
    assert hps["quiet"] == "False"
    assert hps["dropout"] == 0.1
    assert not [k for k in hps if k.startswith(("sagemaker_", "_tuning"))]
    assert env["SM_HP_EPOCHS"] == "3"
    assert env["SM_HP_NAME"] == "a b=c"
    assert env["SM_HP_LEARNING-RATE"] == "1.50"  # the toolkit upper-cases, dashes stay
    assert env["SM_HP_BATCH_SIZE"] == "32"
    assert env["SM_HP_LAYERS"] == "[1,2]"
    assert "SM_HP_SAGEMAKER_PROGRAM" not in env
    assert "SM_HP__TUNING_OBJECTIVE_METRIC" not in env


def test_the_training_environment_is_every_property(training_ml: Path) -> None:
    assert run(training_ml, **from_hyperparameters()).returncode == 0
    training_env = json.loads(record(training_ml)["env"]["SM_TRAINING_ENV"])
    assert sorted(training_env) == sorted(
        [
            "additional_framework_parameters",
            "channel_input_dirs",
            "current_host",
            "current_instance_group",
            "current_instance_group_hosts",
            "current_instance_type",
            "distribution_hosts",
            "distribution_instance_groups",
            "framework_module",
            "hosts",
            "hyperparameters",
            "input_config_dir",
            "input_data_config",
            "input_dir",
            "instance_groups",
            "instance_groups_dict",
            "is_hetero",
            "is_master",
            "is_modelparallel_enabled",
            "is_smddpmprun_installed",
            "is_smddprun_installed",
            "job_name",
            "log_level",
            "master_hostname",
            "model_dir",
            "module_dir",
            "module_name",
            "network_interface_name",
            "num_cpus",
            "num_gpus",
            "num_neurons",
            "output_data_dir",
            "output_dir",
            "output_intermediate_dir",
            "resource_config",
            "topology",
            "user_entry_point",
        ]
    )
    assert training_env["job_name"] == "train-1"
    assert training_env["master_hostname"] == "algo-2"  # the distribution group's first host
    assert training_env["is_master"] is True
    assert set(training_env["channel_input_dirs"]) == {"test", "train"}
    assert training_env["hyperparameters"]["epochs"] == 3


def test_without_hyperparameter_flags_the_arguments_are_as_started(training_ml: Path) -> None:
    result = run(
        training_ml, ["--x", "1", "--sagemaker-run", "no"], **TRAINING,
        AWS_SAGEMAKER_REMOTE_USER_ARGC="2",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert record(training_ml)["argv"] == ["--x", "1", "--sagemaker-run", "no"]
    env = record(training_ml)["env"]
    assert json.loads(env["SM_USER_ARGS"]) == ["--x", "1"]  # the user's share of them


def test_a_tuning_job_varies_a_flag_the_first_run_did_not_give(training_ml: Path) -> None:
    """A tuning job sets its ranges' values as plain strings and adds its objective metric."""
    hyperparameters = {"epochs": "7", "rate": "0.001", "_tuning_objective_metric": "loss"}
    config = container_path(training_ml, "/opt/ml/input/config/hyperparameters.json")
    config.write_text(json.dumps(hyperparameters))
    assert run(training_ml, **from_hyperparameters()).returncode == 0
    assert record(training_ml)["argv"] == ["--epochs", "7", "--rate", "0.001"]


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        ("verbose", "yes", "hyperparameter 'verbose': --verbose takes no value; got 'yes'"),
        ("epochs", 3, "hyperparameter 'epochs': the value is not a string"),
    ],
)
def test_a_value_a_flag_cannot_take_fails_before_the_script(
    training_ml: Path, key: str, value: object, reason: str
) -> None:
    config = container_path(training_ml, "/opt/ml/input/config/hyperparameters.json")
    config.write_text(json.dumps({key: value}))
    result = run(training_ml, **from_hyperparameters())
    assert result.returncode == 1
    assert (training_ml / "output" / "failure").read_text().startswith(reason)
    assert not (training_ml / "record.json").exists()


def test_failures_go_to_the_failure_file(training_ml: Path) -> None:
    result = run(training_ml, **TRAINING, TEST_EXIT_CODE="3")
    assert result.returncode == 3
    assert (training_ml / "output" / "failure").read_text() == "script exited with code 3"
    assert not (training_ml / "output" / "message").exists()


def test_an_exit_message_goes_to_the_failure_file(training_ml: Path) -> None:
    container_path(training_ml, SCRIPT).write_text("import sys\nsys.exit('no rows')\n")
    assert run(training_ml, **TRAINING).returncode == 1
    assert (training_ml / "output" / "failure").read_text() == "no rows"


def test_an_unreadable_hyperparameters_file_fails_before_the_script(training_ml: Path) -> None:
    (container_path(training_ml, "/opt/ml/input/config/hyperparameters.json")).write_text("[1]")
    result = run(training_ml, **from_hyperparameters())
    assert result.returncode == 1
    reason = (training_ml / "output" / "failure").read_text()
    assert reason == "hyperparameters.json: expected a JSON object"
    assert not (training_ml / "record.json").exists()


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        ({"AWS_SAGEMAKER_REMOTE_KIND": "train"}, "AWS_SAGEMAKER_REMOTE_KIND is 'train'"),
        ({**TRAINING, "AWS_SAGEMAKER_REMOTE_HYPERPARAMETER_FLAGS": '{"x": "2"}'},
         "AWS_SAGEMAKER_REMOTE_HYPERPARAMETER_FLAGS is not a JSON object of flags"),
        ({"AWS_SAGEMAKER_REMOTE_HYPERPARAMETER_FLAGS": "{}"},
         "AWS_SAGEMAKER_REMOTE_HYPERPARAMETER_FLAGS is set; only a training job"),
    ],
)  # fmt: skip
def test_unknown_modes_are_refused(training_ml: Path, env: dict, reason: str) -> None:
    result = run(training_ml, **env)
    assert result.returncode == 1
    folder = training_ml / "output"
    written = [(folder / name).read_text() for name in os.listdir(folder)]
    assert any(text.startswith(reason) for text in written), written


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
