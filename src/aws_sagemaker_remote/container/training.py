"""Training mode of the bootstrap (``AWS_SAGEMAKER_REMOTE_KIND=training``), standard library
only, Python 3.7+.

The job replaces the image's entrypoint, so the SageMaker training toolkit does not run; the
variables it gives a script are set here from the files SageMaker writes in /opt/ml/input/config,
named, valued and encoded as the toolkit does (aws/sagemaker-training-toolkit
ENVIRONMENT_VARIABLES.md; environment.py, ``Environment`` and its ``to_env_vars``; mapping.py
``to_env_vars``: ``SM_`` + the upper-cased name, a string as it is, None as "", anything else as
compact JSON with sorted keys). Every name of its ``to_env_vars`` is set: SM_HOSTS,
SM_NETWORK_INTERFACE_NAME, SM_HPS, SM_USER_ENTRY_POINT, SM_FRAMEWORK_PARAMS, SM_RESOURCE_CONFIG,
SM_INPUT_DATA_CONFIG, SM_OUTPUT_DATA_DIR, SM_CHANNELS, SM_CURRENT_HOST, SM_CURRENT_INSTANCE_TYPE,
SM_CURRENT_INSTANCE_GROUP, SM_CURRENT_INSTANCE_GROUP_HOSTS, SM_INSTANCE_GROUPS,
SM_INSTANCE_GROUPS_DICT, SM_DISTRIBUTION_INSTANCE_GROUPS, SM_IS_HETERO, SM_MODULE_NAME,
SM_LOG_LEVEL, SM_FRAMEWORK_MODULE, SM_INPUT_DIR, SM_INPUT_CONFIG_DIR, SM_OUTPUT_DIR,
SM_NUM_CPUS, SM_NUM_GPUS, SM_NUM_NEURONS, SM_MODEL_DIR, SM_MODULE_DIR, SM_TRAINING_ENV (every
property of the toolkit's environment), SM_USER_ARGS, SM_OUTPUT_INTERMEDIATE_DIR, SM_TOPOLOGY
(when the resource config has one), SM_CHANNEL_<NAME>, SM_HP_<NAME>. A variable already set (by
the image or the request's Environment) is kept.

What differs, because the job is not the toolkit's: the channels are the user's (the channels
that hold the job's own code are left out of SM_CHANNELS, SM_CHANNEL_<NAME> and
channel_input_dirs; SM_INPUT_DATA_CONFIG is the file as SageMaker wrote it); the entry point is
the script (SM_USER_ENTRY_POINT its file name, SM_MODULE_DIR its folder); SM_USER_ARGS is the
script's own arguments, rebuilt from the hyperparameters (container/hyperparameters.py) or, when
they travel as arguments, the user's share of them (``AWS_SAGEMAKER_REMOTE_USER_ARGC``).
"""

import json
import os
import shutil
from typing import Dict, List

from aws_sagemaker_remote.container.gpus import command_output, gpu_count
from aws_sagemaker_remote.container.hyperparameters import (
    SAGEMAKER_KEYS,
    HyperparameterError,
    decoded,
    ignored_keys,
    is_reserved,
    parse_flags,
    script_argv,
)
from aws_sagemaker_remote.container.protocol import HYPERPARAMETER_FLAGS
from aws_sagemaker_remote.container.settings import PathMap, Settings, SetupError, log

KIND_TRAINING = "training"
FAILURE_FILE = "/opt/ml/output/failure"  # published by SageMaker Training as FailureReason
INPUT_DIR = "/opt/ml/input"
CONFIG_DIR = INPUT_DIR + "/config"
DATA_DIR = INPUT_DIR + "/data"
OUTPUT_DIR = "/opt/ml/output"
MODEL_DIR = "/opt/ml/model"
DEFAULT_LOG_LEVEL = 20  # logging.INFO
DEFAULT_GROUP = "homogeneousCluster"
# Framework parameters that put the current instance group in the distribution (environment.py).
DISTRIBUTION_SWITCHES = (
    "sagemaker_mpi_enabled",
    "sagemaker_parameter_server_enabled",
    "sagemaker_distributed_dataparallel_enabled",
    "sagemaker_pytorch_ddp_enabled",
    "sagemaker_pytorch_xla_multi_worker_enabled",
    "sagemaker_multi_worker_mirrored_strategy_enabled",
    "sagemaker_torch_distributed_enabled",
)


class TrainingConfig:
    """The three files SageMaker writes in /opt/ml/input/config, read once."""

    def __init__(self, path_map: PathMap) -> None:
        self.resource = _object(_read(path_map, "resourceconfig.json"), "resourceconfig")
        self.channels = _object(_read(path_map, "inputdataconfig.json"), "inputdataconfig")
        self.hyperparameters = _object(_read(path_map, "hyperparameters.json"), "hyperparameters")


def hyperparameter_argv(
    config: TrainingConfig, environ: Dict[str, str], path_map: PathMap
) -> List[str]:
    """The script's own arguments from the hyperparameters (HYPERPARAMETER_FLAGS names its
    flags), container paths mapped as the job file's are; a line names the keys left out."""
    flags = parse_flags(environ.get(HYPERPARAMETER_FLAGS, ""))
    if flags is None:
        raise SetupError(HYPERPARAMETER_FLAGS + " is not a JSON object of flags and arities")
    try:
        argv = script_argv(config.hyperparameters, flags)
    except HyperparameterError as error:
        raise SetupError(str(error)) from None
    left_out = ignored_keys(config.hyperparameters, flags)
    if left_out:
        log(
            "hyperparameters that are not flags of the script, left out of its arguments (still "
            "in SM_HPS): " + ", ".join(left_out)
        )
    return [path_map.token(token) for token in argv]


def set_training_variables(
    env: Dict[str, str],
    path_map: PathMap,
    config: TrainingConfig,
    settings: Settings,
    user_args: List[str],
) -> None:
    environment = toolkit_environment(env, path_map, config, settings)
    for name, value in toolkit_variables(environment, user_args).items():
        env.setdefault(name, _encoded(value))


def toolkit_environment(
    env: Dict[str, str], path_map: PathMap, config: TrainingConfig, settings: Settings
) -> Dict[str, object]:
    """The toolkit's ``Environment`` as a mapping of its properties (SM_TRAINING_ENV)."""
    resource, hps = config.resource, config.hyperparameters
    sagemaker = {k: decoded(v) for k, v in hps.items() if is_reserved(k)}
    framework = {k: v for k, v in sagemaker.items() if k not in SAGEMAKER_KEYS}
    hosts = resource.get("hosts") or []
    current = resource.get("current_host")
    instance_type = resource.get("current_instance_type", "local")
    groups = resource.get("instance_groups", [])
    group = resource.get("current_group_name", DEFAULT_GROUP)
    distribution = framework.get(
        "sagemaker_distribution_instance_groups",
        [group] if any(framework.get(k) for k in DISTRIBUTION_SWITCHES) else [],
    )
    distribution_hosts = [
        h for g in groups if g["instance_group_name"] in distribution for h in g["hosts"]
    ] if groups else list(hosts)  # fmt: skip
    master = (distribution_hosts or hosts or [None])[0]
    entry_point = os.path.basename(settings.script)
    model_parallel = env.get("SM_HP_MP_PARAMETERS")
    return {
        "additional_framework_parameters": framework,
        "channel_input_dirs": {
            name: path_map.path(DATA_DIR + "/" + name)
            for name in user_channels(config, path_map, settings)
        },
        "current_host": current,
        "current_instance_group": group,
        "current_instance_group_hosts": next(
            (g["hosts"] for g in groups if g["instance_group_name"] == group), []
        ),
        "current_instance_type": instance_type,
        "distribution_hosts": distribution_hosts,
        "distribution_instance_groups": distribution,
        "framework_module": env.get("SAGEMAKER_TRAINING_MODULE"),
        "hosts": hosts,
        "hyperparameters": {k: decoded(v) for k, v in hps.items() if not is_reserved(k)},
        "input_config_dir": path_map.path(CONFIG_DIR),
        "input_data_config": config.channels,
        "input_dir": path_map.path(INPUT_DIR),
        "instance_groups": [g["instance_group_name"] for g in groups],
        "instance_groups_dict": {g["instance_group_name"]: g for g in groups},
        "is_hetero": len(groups) > 1,
        "is_master": current == master,
        "is_modelparallel_enabled": model_parallel and model_parallel != "{}",
        "is_smddpmprun_installed": shutil.which("smddpmprun") is not None,
        "is_smddprun_installed": shutil.which("smddprun") is not None,
        "job_name": env.get("TRAINING_JOB_NAME"),
        "log_level": sagemaker.get("sagemaker_container_log_level", DEFAULT_LOG_LEVEL),
        "master_hostname": master,
        "model_dir": path_map.path(MODEL_DIR),
        "module_dir": str(
            sagemaker.get("sagemaker_submit_directory", os.path.dirname(settings.script))
        ),
        "module_name": entry_point[:-3] if entry_point.endswith(".py") else entry_point,
        "network_interface_name": resource.get("network_interface_name", "eth0"),
        "num_cpus": os.cpu_count() or 1,
        "num_gpus": gpu_count(),
        "num_neurons": neuron_count(instance_type),
        "output_data_dir": path_map.path(OUTPUT_DIR + "/data"),
        "output_dir": path_map.path(OUTPUT_DIR),
        "output_intermediate_dir": path_map.path(OUTPUT_DIR + "/intermediate"),
        "resource_config": resource,
        "topology": resource.get("topology", []),
        "user_entry_point": entry_point,
    }


# The toolkit's to_env_vars: each SM_<NAME> and the property it takes ("" for the same name).
VARIABLES = {
    "hosts": "", "network_interface_name": "", "hps": "hyperparameters",
    "user_entry_point": "", "framework_params": "additional_framework_parameters",
    "resource_config": "", "input_data_config": "", "output_data_dir": "",
    "channels": "channel_input_dirs", "current_host": "", "current_instance_type": "",
    "current_instance_group": "", "current_instance_group_hosts": "", "instance_groups": "",
    "instance_groups_dict": "", "distribution_instance_groups": "", "is_hetero": "",
    "module_name": "", "log_level": "", "framework_module": "", "input_dir": "",
    "input_config_dir": "", "output_dir": "", "num_cpus": "", "num_gpus": "", "num_neurons": "",
    "model_dir": "", "module_dir": "", "output_intermediate_dir": "",
}  # fmt: skip


def toolkit_variables(environment: Dict[str, object], user_args: List[str]) -> Dict[str, object]:
    """SM_<NAME> -> value, as the toolkit's to_env_vars names them."""
    found = {name: environment[prop or name] for name, prop in VARIABLES.items()}
    found["channels"] = sorted(environment["channel_input_dirs"])  # type: ignore[arg-type]
    found["training_env"] = environment
    found["user_args"] = user_args
    if environment["topology"]:
        found["topology"] = environment["topology"]
    for name, path in environment["channel_input_dirs"].items():  # type: ignore[attr-defined]
        found["channel_" + name] = path
    for key, value in environment["hyperparameters"].items():  # type: ignore[attr-defined]
        found["hp_" + key] = value
    return {"SM_" + name.upper(): value for name, value in found.items()}


def user_channels(config: TrainingConfig, path_map: PathMap, settings: Settings) -> List[str]:
    """The channels of inputdataconfig.json but those holding the job's own code: the script,
    requirements, configuration script, job file or a PYTHONPATH folder."""
    code = [settings.script, settings.requirements, settings.configuration_script]
    code += [settings.job_file] + settings.pythonpath
    names = []
    for name in sorted(config.channels):
        folder = path_map.path(DATA_DIR + "/" + name)
        if not any(p == folder or p.startswith(folder + "/") for p in code if p):
            names.append(name)
    return names


def neuron_count(instance_type: str) -> int:
    """Neuron cores (the toolkit's ``num_neurons``): 64 on trn2.48xlarge, else the ``nc_count``
    of each device ``neuron-ls -j`` lists, 0 without it."""
    if "trn2.48xlarge" in instance_type:
        return 64
    try:
        devices = json.loads(command_output("neuron-ls", "-j") or "[]")
        return sum(int(d.get("nc_count", 0)) for d in devices)
    except (ValueError, TypeError, AttributeError):
        return 0


def _read(path_map: PathMap, name: str) -> object:
    path = path_map.path(CONFIG_DIR + "/" + name)
    try:
        with open(path, encoding="utf-8") as stream:
            return json.load(stream)
    except OSError as error:
        raise SetupError(f"{path_map.shown(path)}: {error.strerror or error}") from None
    except ValueError as error:
        raise SetupError(f"{path_map.shown(path)}: {error}") from None


def _object(value: object, name: str) -> Dict:
    if not isinstance(value, dict):
        raise SetupError(f"{name}.json: expected a JSON object")
    return value


def _encoded(value: object) -> str:
    """mapping.to_env_vars' value: a string as it is, None as "", else compact sorted JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
