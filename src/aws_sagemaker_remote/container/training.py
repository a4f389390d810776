"""Training mode of the bootstrap (``AWS_SAGEMAKER_REMOTE_KIND=training``), standard library
only, Python 3.7+.

The job replaces the image's entrypoint, so the SageMaker training toolkit does not run; its
documented variables are set here from the files SageMaker writes in /opt/ml/input/config, named
and encoded as the toolkit does (aws/sagemaker-training-toolkit ENVIRONMENT_VARIABLES.md,
environment.py ``to_env_vars`` and mapping.py ``to_env_vars``: ``SM_`` + the upper-cased name, a
string as it is, anything else as compact JSON with sorted keys): SM_MODEL_DIR, SM_CHANNELS,
SM_CHANNEL_<NAME>, SM_HPS, SM_HP_<NAME>, SM_CURRENT_HOST, SM_CURRENT_INSTANCE_TYPE, SM_HOSTS,
SM_NUM_CPUS, SM_NUM_GPUS, SM_NETWORK_INTERFACE_NAME, SM_INPUT_DIR, SM_INPUT_CONFIG_DIR,
SM_OUTPUT_DIR, SM_OUTPUT_DATA_DIR, SM_RESOURCE_CONFIG, SM_INPUT_DATA_CONFIG. A variable already
set (by the image or the request's Environment) is kept. Left out: what only the toolkit's own
launcher means (SM_USER_ARGS, SM_MODULE_*, SM_FRAMEWORK_*, SM_LOG_LEVEL, SM_TRAINING_ENV).

Hyperparameter values are JSON-decoded for SM_HPS and SM_HP_* when they parse (the toolkit's
``read_hyperparameters``); ``sagemaker_``-prefixed ones are left out (``params.SAGEMAKER_PREFIX``).

With ``AWS_SAGEMAKER_REMOTE_ARGV_SOURCE=hyperparameters`` the script's own arguments come from
hyperparameters.json: one ``--flag=value`` token per entry (``--flag`` for an empty value), in
the file's order, before the arguments the container was started with.
"""

import json
import os
from typing import Dict, List

from aws_sagemaker_remote.container.gpus import gpu_count
from aws_sagemaker_remote.container.settings import PathMap, SetupError

KIND_TRAINING = "training"
FAILURE_FILE = "/opt/ml/output/failure"  # published by SageMaker Training as FailureReason
INPUT_DIR = "/opt/ml/input"
CONFIG_DIR = INPUT_DIR + "/config"
DATA_DIR = INPUT_DIR + "/data"
OUTPUT_DIR = "/opt/ml/output"
SAGEMAKER_PREFIX = "sagemaker_"


def read_config(name: str, path_map: PathMap) -> object:
    path = path_map.path(CONFIG_DIR + "/" + name)
    try:
        with open(path, encoding="utf-8") as stream:
            return json.load(stream)
    except OSError as error:
        raise SetupError(f"{path_map.shown(path)}: {error.strerror or error}") from None
    except ValueError as error:
        raise SetupError(f"{path_map.shown(path)}: {error}") from None


def hyperparameter_argv(path_map: PathMap) -> List[str]:
    hyperparameters = _object(read_config("hyperparameters.json", path_map), "hyperparameters")
    tokens = []
    for key, value in hyperparameters.items():
        if not isinstance(value, str):
            raise SetupError(f"hyperparameters.json: the value of {key!r} is not a string")
        tokens.append(path_map.token(key if value == "" else key + "=" + value))
    return tokens


def set_training_variables(env: Dict[str, str], path_map: PathMap) -> None:
    resource = _object(read_config("resourceconfig.json", path_map), "resourceconfig")
    channels = _object(read_config("inputdataconfig.json", path_map), "inputdataconfig")
    hyperparameters = _object(read_config("hyperparameters.json", path_map), "hyperparameters")
    user_hps = {
        key: _decoded(value)
        for key, value in hyperparameters.items()
        if not key.startswith(SAGEMAKER_PREFIX)
    }
    found = {
        "model_dir": path_map.path("/opt/ml/model"),
        "channels": sorted(channels),
        "hps": user_hps,
        "current_host": resource.get("current_host"),
        "current_instance_type": resource.get("current_instance_type"),
        "hosts": resource.get("hosts"),
        "num_cpus": os.cpu_count() or 1,
        "num_gpus": gpu_count(),
        "network_interface_name": resource.get("network_interface_name", "eth0"),
        "input_dir": path_map.path(INPUT_DIR),
        "input_config_dir": path_map.path(CONFIG_DIR),
        "output_dir": path_map.path(OUTPUT_DIR),
        "output_data_dir": path_map.path(OUTPUT_DIR + "/data"),
        "resource_config": resource,
        "input_data_config": channels,
    }
    for name in channels:
        found["channel_" + name] = path_map.path(DATA_DIR + "/" + name)
    for key, value in user_hps.items():
        found["hp_" + key] = value
    for name, value in found.items():
        if value is not None:
            env.setdefault("SM_" + name.upper(), _encoded(value))


def _object(value: object, name: str) -> Dict:
    if not isinstance(value, dict):
        raise SetupError(f"{name}.json: expected a JSON object")
    return value


def _decoded(value: object) -> object:
    try:
        return json.loads(value)  # type: ignore[arg-type]
    except (ValueError, TypeError):
        return value


def _encoded(value: object) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
