"""A processing job's own part of the remote run: its checks (the mount points) and its
CreateProcessingJob request (shapes from botocore's SageMaker model: ProcessingInput,
ProcessingOutputConfig, ProcessingResources, AppSpecification, NetworkConfig).

The hooks every kind's pipeline module has (pipeline/__init__.py lists them): `extras`,
`check`, `hyperparameters_of`, `request`, `download_folders`, `chosen_places`,
`with_references`, `with_locations`.
"""

from __future__ import annotations

import posixpath
from typing import Any, Dict, List, Optional, Tuple

from ..errors import UsageError
from .checks import fail
from .parts import (
    Arguments,
    cluster,
    container_arguments,
    entrypoint,
    environment,
    vpc_config,
)
from .tags import job_tags

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .layout import Layout
    from .resolve import Resolved
    from .spec import InputSpec, JobSpec


def extras(*_build) -> None:
    """A processing job has nothing beyond the JobSpec."""
    return


def check(spec: JobSpec) -> None:
    _mounts(spec)


def _mounts(spec: JobSpec) -> None:
    root = posixpath.dirname(spec.kind.code_root)
    mounts = {
        "--sagemaker-input-mount": spec.input_mount,
        "--sagemaker-output-mount": spec.output_mount,
        "--sagemaker-module-mount": spec.module_mount,
    }
    for name, path in mounts.items():
        normal = posixpath.normpath(path or "/")
        if not normal.startswith(root + "/") or normal == spec.kind.code_root:
            raise fail(name, path, f"must be a folder under {root}/ (not .../code)")
    values = [posixpath.normpath(p) for p in mounts.values()]
    for a in values:
        for b in values:
            if a != b and (b + "/").startswith(a + "/"):
                raise UsageError(f"mount points {a} and {b} overlap; give each its own folder")
    if len(set(values)) != len(values):
        raise UsageError(f"mount points must differ, got {', '.join(values)}")


def hyperparameters_of(_spec: JobSpec) -> Optional[Dict[str, str]]:
    """The script's arguments are never hyperparameters: a processing job has none."""
    return None


def download_folders(spec: JobSpec) -> Dict[str, Tuple[str, str]]:
    """Output name -> (its flag's dest, the local folder --sagemaker-download fills)."""
    return {o.name: (o.name, o.local) for o in spec.outputs}


def chosen_places(_spec: JobSpec) -> List[Tuple[str, str]]:
    """Where the user chose the job writes besides its outputs: nowhere."""
    return []


def with_references(spec: JobSpec, _backend: Any) -> JobSpec:
    """Its only `job:` references are inputs (resolve.py resolves them)."""
    return spec


def with_locations(spec: JobSpec, _base: str, _job_name: str) -> JobSpec:
    """Its outputs are every place it writes (resolve.with_locations places them)."""
    return spec


def request(
    spec: JobSpec,
    resolved: Resolved,
    layout: Layout,
    staged: List[Tuple[InputSpec, str, str]],
    arguments: Arguments,
    job_file: Optional[bytes],
) -> dict:
    kind = spec.kind
    inputs = [
        kind.new_channel(item.name, uri, posixpath.join(spec.input_mount, item.name), item.mode,
                         item.distribution, data)
        for item, uri, data in staged
    ]  # fmt: skip
    code = [
        kind.new_channel(name, uri, folder, data_type=data)
        for name, uri, folder, data in layout.code_channels()
    ]
    request = {
        "ProcessingJobName": resolved.job_name,
        "ProcessingInputs": code + inputs,
        "ProcessingResources": {"ClusterConfig": cluster(spec)},
        "StoppingCondition": {"MaxRuntimeInSeconds": spec.runtime_seconds},
        "AppSpecification": _app(spec, resolved, layout, arguments, job_file),
        "Environment": environment(spec, layout, job_file, arguments),
        "NetworkConfig": _network(spec),
        "RoleArn": resolved.role_arn,
        "Tags": job_tags(spec.base_job_name or resolved.job_name, resolved.git, spec.tags),
    }
    if spec.outputs:
        request["ProcessingOutputConfig"] = _outputs(spec)
    return request


def _app(spec, resolved, layout, arguments, job_file) -> dict:
    app = {"ImageUri": resolved.image, "ContainerEntrypoint": entrypoint(spec, layout)}
    argv = container_arguments(arguments, job_file)
    if argv is not None:
        app["ContainerArguments"] = argv
    return app


def _network(spec: JobSpec) -> dict:
    network = {
        "EnableInterContainerTrafficEncryption": spec.inter_container_encryption,
        "EnableNetworkIsolation": spec.network_isolation,
    }
    if spec.subnets:
        network["VpcConfig"] = vpc_config(spec)
    return network


def _outputs(spec: JobSpec) -> dict:
    """Each output where resolve placed it (with_locations)."""
    outputs = [
        {
            "OutputName": out.name,
            "AppManaged": False,
            "S3Output": {
                "S3Uri": out.s3,
                "LocalPath": posixpath.join(spec.output_mount, out.name),
                "S3UploadMode": out.mode,
            },
        }
        for out in spec.outputs
    ]
    config = {"Outputs": outputs}
    if spec.output_kms_key:
        config["KmsKeyId"] = spec.output_kms_key
    return config
