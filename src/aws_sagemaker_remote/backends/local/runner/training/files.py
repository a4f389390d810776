"""A training instance's `/opt/ml` tree, as SageMaker lays it out before the container starts
(SageMaker Developer Guide, your-algorithms-training-algo-running-container.html):

- /opt/ml/input/config/hyperparameters.json: the request's HyperParameters (string -> string);
- /opt/ml/input/config/inputdataconfig.json: per channel its ContentType (when set),
  TrainingInputMode ("File" also for FastFile), S3DistributionType and RecordWrapperType;
- /opt/ml/input/config/resourceconfig.json: current_host, hosts (sorted lexicographically),
  network_interface_name, and the instance-group keys SageMaker writes today (current_instance_type,
  current_group_name "homogeneousCluster", instance_groups), as training logs print them
  (SM_TRAINING_ENV's resource_config) and aws/sagemaker-training-toolkit environment.py reads them;
- /opt/ml/input/data/<channel>, /opt/ml/model, /opt/ml/output/data and the checkpoint folder.
"""

from __future__ import annotations

import json
import posixpath
from pathlib import Path
from typing import Any, Dict, Optional

from .....kinds.training import CHECKPOINT_DIR, MODEL_DIR, OUTPUT_DATA_DIR, TRAINING
from ..instance import Instance

CONFIG_DIR = "/opt/ml/input/config"
GROUP_NAME = "homogeneousCluster"
NETWORK_INTERFACE = "eth0"


def checkpoint_path(request: Dict[str, Any]) -> Optional[str]:
    """The container folder synced with CheckpointConfig.S3Uri, None without checkpoints."""
    config = request.get("CheckpointConfig")
    if config is None:
        return None
    return posixpath.normpath(config.get("LocalPath") or CHECKPOINT_DIR)


def prepare(instance: Instance, request: Dict[str, Any]) -> None:
    folders = [MODEL_DIR, OUTPUT_DATA_DIR, CONFIG_DIR]
    folders += [channel.local_path for channel in TRAINING.channels(request)]
    checkpoints = checkpoint_path(request)
    if checkpoints:
        folders.append(checkpoints)
    for folder in folders:
        instance.path(folder).mkdir(parents=True, exist_ok=True)
    config = instance.path(CONFIG_DIR)
    _write(config / "hyperparameters.json", request.get("HyperParameters", {}))
    _write(config / "inputdataconfig.json", input_data_config(request))
    _write(config / "resourceconfig.json", resource_config(instance, request))
    instance.log_file.parent.mkdir(parents=True, exist_ok=True)


def input_data_config(request: Dict[str, Any]) -> Dict[str, Dict[str, str]]:
    default_mode = request["AlgorithmSpecification"].get("TrainingInputMode", "File")
    config = {}
    for channel in request.get("InputDataConfig", []):
        entry = {}
        if channel.get("ContentType"):
            entry["ContentType"] = channel["ContentType"]
        mode = channel.get("InputMode", default_mode)
        entry["TrainingInputMode"] = "Pipe" if mode == "Pipe" else "File"
        s3 = channel["DataSource"]["S3DataSource"]
        entry["S3DistributionType"] = s3.get("S3DataDistributionType", "FullyReplicated")
        entry["RecordWrapperType"] = channel.get("RecordWrapperType", "None")
        config[channel["ChannelName"]] = entry
    return config


def resource_config(instance: Instance, request: Dict[str, Any]) -> Dict[str, Any]:
    hosts = sorted(instance.hosts)
    instance_type = request["ResourceConfig"].get("InstanceType", "local")
    return {
        "current_host": instance.host,
        "current_instance_type": instance_type,
        "current_group_name": GROUP_NAME,
        "hosts": hosts,
        "instance_groups": [
            {"instance_group_name": GROUP_NAME, "instance_type": instance_type, "hosts": hosts}
        ],
        "network_interface_name": NETWORK_INTERFACE,
    }


def _write(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
