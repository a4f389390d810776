"""The parts of a Create*Job request every kind shares, for the kind's pipeline module to put
where its request has them: the cluster, the entrypoint and arguments, the environment, the VPC.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from typing import Dict, List, Optional

from ..container import protocol
from ..errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .layout import Layout
    from .spec import JobSpec

BOOTSTRAP = "aws_sagemaker_remote/container/bootstrap.py"


@dataclass
class Arguments:
    """How the script's argv reaches the container: `argv` (ContainerArguments, or the job
    file's when it does not fit), and `hyperparameters` (the user's own options, put before
    `argv` by the bootstrap, for a kind that has them) with `hyperparameter_flags`, the
    script's flags they may set (protocol.HYPERPARAMETER_FLAGS). `user_argc`: how many leading
    items of the argv the bootstrap builds are the user's own."""

    argv: List[str]
    user_argc: int
    hyperparameters: Optional[Dict[str, str]] = None
    hyperparameter_flags: str = ""


def pythonpath(spec: JobSpec, layout: Layout) -> List[str]:
    return [layout.folder("support")] + [layout.folder(f"module-{m.name}") for m in spec.modules]


def container_arguments(arguments: Arguments, job_file: Optional[bytes]) -> Optional[List[str]]:
    """ContainerArguments, or None when the argv travels in the job file."""
    if job_file is None or protocol.JOB_ARGV not in json.loads(job_file):
        return arguments.argv
    return None


def cluster(spec: JobSpec) -> dict:
    cluster = {
        "InstanceCount": spec.instance_count,
        "InstanceType": spec.instance,
        "VolumeSizeInGB": spec.volume_size,
    }
    if spec.volume_kms_key:
        cluster["VolumeKmsKeyId"] = spec.volume_kms_key
    return cluster


def entrypoint(spec: JobSpec, layout: Layout) -> List[str]:
    return shlex.split(spec.python) + [f"{layout.folder('support')}/{BOOTSTRAP}"]


def environment(
    spec: JobSpec,
    layout: Layout,
    job_file: Optional[bytes],
    arguments: Arguments,
    extra: Optional[Dict[str, str]] = None,
) -> Dict[str, str]:
    """The request's Environment: the user's entries, then ours (`extra`: the kind's own)."""
    longest = spec.limits.env_value
    joined = ":".join(pythonpath(spec, layout))
    place = ":".join(layout.placed_folders())
    env = {protocol.SCRIPT: layout.file_path("script"), protocol.PYTHON: spec.python}
    if len(joined) <= longest:
        env[protocol.PYTHONPATH] = joined
    if place and len(place) <= longest:
        env[protocol.PLACE] = place
    if spec.requirements:
        env[protocol.REQUIREMENTS] = layout.file_path("requirements")
    if spec.configuration_script:
        env[protocol.CONFIGURATION_SCRIPT] = layout.file_path("configuration")
    command = spec.configuration_command
    if command and len(command) <= longest:
        env[protocol.CONFIGURATION_COMMAND] = command
    if job_file is not None:
        env[protocol.JOB_FILE] = layout.file_path("job")
    # How many leading arguments are the user's own (the rest the plan added): `rerun -- ARGS`
    env[protocol.USER_ARGC] = str(arguments.user_argc)
    env.update(extra or {})
    _check_lengths(env, longest)
    return {**spec.env, **env}


def _check_lengths(env: Dict[str, str], longest: int) -> None:
    flags = {protocol.SCRIPT: "--sagemaker-script", protocol.PYTHON: "--sagemaker-python"}
    for key, value in env.items():
        if len(value) > longest:
            raise UsageError(
                f"{flags.get(key, key)}: {value[:60]!r}...: becomes a container environment value "
                f"of {len(value)} characters; SageMaker allows {longest}"
            )


def vpc_config(spec: JobSpec) -> dict:
    return {"SecurityGroupIds": list(spec.security_groups), "Subnets": list(spec.subnets)}
