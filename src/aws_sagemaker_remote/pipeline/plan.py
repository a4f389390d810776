"""JobSpec + resolved names -> JobPlan: the uploads and the exact CreateProcessingJob request.

Pure: it reads the files it will upload (to name them by content) but writes nothing and calls
nothing. docs/architecture.md shows the container layout it produces.
"""

from __future__ import annotations

import json
import os
import posixpath
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from .. import contract as c
from ..errors import UsageError
from ..flags import flag_of
from ..s3.digest import piece_digest, piece_files
from ..s3.uploads import Upload
from .layout import Layout, channel, code_pieces, non_empty
from .resolve import Resolved
from .spec import InputSpec, JobSpec
from .tags import job_tags

BOOTSTRAP = "aws_sagemaker_remote/container/bootstrap.py"


@dataclass
class JobPlan:
    """`expected_owner`: bucket -> account that must own it (`Resolved.expected_owner`); S3
    calls on such a bucket pass `ExpectedBucketOwner=plan.bucket_owner(bucket)`."""

    uploads: List[Upload]
    request: dict
    expected_owner: Dict[str, str] = field(default_factory=dict)

    def bucket_owner(self, bucket: str) -> Optional[str]:
        return self.expected_owner.get(bucket)

    def to_json(self) -> dict:
        return {"request": self.request, "uploads": [u.to_json() for u in self.uploads]}


def make_plan(spec: JobSpec, resolved: Resolved, support_dir: Optional[Path] = None) -> JobPlan:
    support_dir = support_dir or Path(__file__).resolve().parents[1]
    pieces = code_pieces(spec, support_dir)
    inputs = [i for i in spec.inputs if i.value]
    for shared in (False, True):
        layout = Layout(spec, resolved, pieces, shared)
        argv = _container_argv(spec, layout, inputs)
        job_file = _job_file(spec, argv, _pythonpath(spec, layout))
        if job_file is not None:
            layout.add_job_file(job_file)
        if len(inputs) + layout.channel_count() <= c.MAX_CHANNELS:
            return _assemble(spec, resolved, layout, inputs, argv, job_file)
    raise UsageError(
        f"inputs: {len(inputs)} inputs leave no room for the code channel; SageMaker allows "
        f"{c.MAX_CHANNELS} input channels in all, so give at most {c.MAX_CHANNELS - 1} inputs"
    )


def _input_local(spec: JobSpec, item: InputSpec, resolved: Resolved) -> str:
    folder = posixpath.join(spec.input_mount, item.name)
    if _input_is_file(item, resolved):
        return f"{folder}/{_basename(item.value)}"
    return folder


def _input_is_file(item: InputSpec, resolved: Resolved) -> bool:
    if item.value.startswith("s3://"):
        return resolved.s3_objects.get(item.value, False)
    return os.path.isfile(item.value)


def _basename(value: str) -> str:
    return value.rstrip("/").rsplit("/", 1)[-1] if "://" in value else Path(value).name


def _container_argv(spec: JobSpec, layout: Layout, inputs: List[InputSpec]) -> List[str]:
    argv = list(spec.user_argv)
    resolved_inputs = {i.name: i for i in inputs}
    for item in spec.inputs:
        if item.name in resolved_inputs:
            argv += [flag_of(item.name), _input_local(spec, item, layout.resolved)]
        else:
            argv += [flag_of(item.name), ""]
    for out in spec.outputs:
        argv += [flag_of(out.name), posixpath.join(spec.output_mount, out.name)]
    for module in spec.modules:
        argv += [flag_of(module.name), layout.file_path(f"module-{module.name}")]
    return argv + ["--sagemaker-run", "no"]


def _fits(argv: List[str]) -> bool:
    return 0 < len(argv) <= c.MAX_ARGUMENTS and all(len(a) <= c.MAX_ARGUMENT for a in argv)


def _pythonpath(spec: JobSpec, layout: Layout) -> List[str]:
    return [layout.folder("support")] + [layout.folder(f"module-{m.name}") for m in spec.modules]


def _job_file(spec: JobSpec, argv: List[str], pythonpath: List[str]) -> Optional[bytes]:
    """What does not fit the request's limits: long or many arguments, a long configuration
    command, a PYTHONPATH too long for one environment value (many modules)."""
    content: Dict[str, object] = {}
    if not _fits(argv):
        content["argv"] = argv
    if len(":".join(pythonpath)) > c.MAX_ENV_VALUE:
        content["pythonpath"] = pythonpath
    command = spec.configuration_command
    if command and len(command) > c.MAX_ENV_VALUE:
        content["configuration_command"] = command
    if not content:
        return None
    return json.dumps(content, indent=1, sort_keys=True).encode()


def _assemble(
    spec: JobSpec,
    resolved: Resolved,
    layout: Layout,
    inputs: List[InputSpec],
    argv: List[str],
    job_file: Optional[bytes],
) -> JobPlan:
    input_channels, input_uploads = _input_channels(spec, layout, inputs)
    request = {
        "ProcessingJobName": resolved.job_name,
        "ProcessingInputs": layout.channels() + input_channels,
        "ProcessingResources": {"ClusterConfig": _cluster(spec)},
        "StoppingCondition": {"MaxRuntimeInSeconds": spec.runtime_seconds},
        "AppSpecification": _app(spec, resolved, layout, argv, job_file),
        "Environment": _environment(spec, layout, job_file),
        "NetworkConfig": _network(spec),
        "RoleArn": resolved.role_arn,
        "Tags": job_tags(spec.base_job_name or resolved.job_name, resolved.git, spec.tags),
    }
    if spec.outputs:
        request["ProcessingOutputConfig"] = _outputs(spec, resolved, layout)
    return JobPlan(layout.uploads() + input_uploads, request, dict(resolved.expected_owner))


def _input_channels(spec, layout, inputs):
    channels, uploads = [], []
    for item in inputs:
        if item.value.startswith("s3://"):
            uri = item.value
        else:
            path = Path(item.value)
            files = piece_files(path, lf=False, skip_junk=False)
            files = non_empty(flag_of(item.name), path, files)
            uri = f"{layout.base}inputs/{item.name}-{piece_digest(files)}/"
            uploads.append(Upload(Path(item.value), uri, files))
        local = posixpath.join(spec.input_mount, item.name)
        channels.append(channel(item.name, uri, local, item.mode, item.distribution))
    return channels, uploads


def _cluster(spec: JobSpec) -> dict:
    cluster = {
        "InstanceCount": spec.instance_count,
        "InstanceType": spec.instance,
        "VolumeSizeInGB": spec.volume_size,
    }
    if spec.volume_kms_key:
        cluster["VolumeKmsKeyId"] = spec.volume_kms_key
    return cluster


def _app(spec, resolved, layout, argv, job_file) -> dict:
    bootstrap = f"{layout.folder('support')}/{BOOTSTRAP}"
    app = {
        "ImageUri": resolved.image,
        "ContainerEntrypoint": shlex.split(spec.python) + [bootstrap],
    }
    if job_file is None or "argv" not in json.loads(job_file):
        app["ContainerArguments"] = argv
    return app


def _environment(spec: JobSpec, layout: Layout, job_file: Optional[bytes]) -> Dict[str, str]:
    pythonpath = ":".join(_pythonpath(spec, layout))
    env = {
        c.ENV_PREFIX + "SCRIPT": layout.file_path("script"),
        c.ENV_PREFIX + "PYTHON": spec.python,
    }
    if len(pythonpath) <= c.MAX_ENV_VALUE:
        env[c.ENV_PREFIX + "PYTHONPATH"] = pythonpath
    if spec.requirements:
        env[c.ENV_PREFIX + "REQUIREMENTS"] = layout.file_path("requirements")
    if spec.configuration_script:
        env[c.ENV_PREFIX + "CONFIGURATION_SCRIPT"] = layout.file_path("configuration")
    command = spec.configuration_command
    if command and len(command) <= c.MAX_ENV_VALUE:
        env[c.ENV_PREFIX + "CONFIGURATION_COMMAND"] = command
    if job_file is not None:
        env[c.ENV_PREFIX + "JOB_FILE"] = layout.file_path("job")
    # How many leading arguments are the user's own (the rest the plan added): `rerun -- ARGS`
    env[c.ENV_PREFIX + "USER_ARGC"] = str(len(spec.user_argv))
    _check_lengths(env)
    return {**spec.env, **env}


def _check_lengths(env: Dict[str, str]) -> None:
    flags = {
        c.ENV_PREFIX + "SCRIPT": "--sagemaker-script",
        c.ENV_PREFIX + "PYTHON": "--sagemaker-python",
    }
    for key, value in env.items():
        if len(value) > c.MAX_ENV_VALUE:
            raise UsageError(
                f"{flags.get(key, key)}: {value[:60]!r}...: becomes a container environment value "
                f"of {len(value)} characters; SageMaker allows {c.MAX_ENV_VALUE}"
            )


def _network(spec: JobSpec) -> dict:
    network = {
        "EnableInterContainerTrafficEncryption": spec.inter_container_encryption,
        "EnableNetworkIsolation": spec.network_isolation,
    }
    if spec.subnets:
        network["VpcConfig"] = {
            "SecurityGroupIds": list(spec.security_groups),
            "Subnets": list(spec.subnets),
        }
    return network


def _outputs(spec: JobSpec, resolved: Resolved, layout: Layout) -> dict:
    outputs = []
    for out in spec.outputs:
        uri = out.s3
        if uri == "default":
            uri = f"{layout.base}{resolved.job_name}/{out.name}"
        outputs.append(
            {
                "OutputName": out.name,
                "AppManaged": False,
                "S3Output": {
                    "S3Uri": uri,
                    "LocalPath": posixpath.join(spec.output_mount, out.name),
                    "S3UploadMode": out.mode,
                },
            }
        )
    config = {"Outputs": outputs}
    if spec.output_kms_key:
        config["KmsKeyId"] = spec.output_kms_key
    return config
