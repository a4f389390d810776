"""JobSpec + resolved names -> JobPlan: the uploads and the exact Create*Job request (this module
makes CreateProcessingJob's and what every kind shares; plan_training.py CreateTrainingJob's).

Pure: it reads the files it will upload (to name them by content) but writes nothing and calls
nothing. docs/architecture.md shows the container layout it produces.
"""

from __future__ import annotations

import json
import posixpath
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from .. import contract as c
from ..errors import UsageError
from ..flags import flag_of
from ..s3.digest import piece_digest, piece_files
from ..s3.uploads import MANIFEST, Upload
from .layout import Layout, channel, code_pieces, data_type, input_layout, non_empty
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


@dataclass
class Arguments:
    """How the script's argv reaches the container: `argv` (ContainerArguments, or the job
    file's when it does not fit), and `hyperparameters` (training: the user's own options,
    put before `argv` by the bootstrap). `user_argc`: how many leading items of the argv the
    bootstrap builds are the user's own."""

    argv: List[str]
    user_argc: int
    hyperparameters: Optional[Dict[str, str]] = None


def make_plan(spec: JobSpec, resolved: Resolved, support_dir: Optional[Path] = None) -> JobPlan:
    support_dir = support_dir or Path(__file__).resolve().parents[1]
    pieces = code_pieces(spec, support_dir)
    inputs = [i for i in spec.inputs if i.value]
    limits = spec.limits
    for shared in (False, True):
        layout = Layout(spec, resolved, pieces, shared)
        arguments = _arguments(spec, layout, inputs)
        job_file = _job_file(spec, arguments.argv, pythonpath(spec, layout),
                             placed_folders(spec, layout), limits.env_value)  # fmt: skip
        if job_file is not None:
            layout.add_job_file(job_file)
        if len(inputs) + layout.channel_count() <= limits.channels:
            return _assemble(spec, resolved, layout, inputs, arguments, job_file)
    raise UsageError(
        f"inputs: {len(inputs)} inputs leave no room for the code channel; SageMaker allows "
        f"{limits.channels} input channels in all, so give at most {limits.channels - 1} inputs"
    )


def _arguments(spec: JobSpec, layout: Layout, inputs: List[InputSpec]) -> Arguments:
    added = _added_argv(spec, layout, inputs)
    if spec.training is not None:
        from .hyperparameters import hyperparameters

        found = hyperparameters(spec.training.options) if fits(added) else None
        if found is not None:
            return Arguments(added, len(found), found)
    return Arguments(spec.user_argv + added, len(spec.user_argv))


def _added_argv(spec: JobSpec, layout: Layout, inputs: List[InputSpec]) -> List[str]:
    """The arguments the plan adds after the user's: each input, folder and module flag with
    its container path (an input without a value gets an empty one), then `--sagemaker-run no`."""
    given = {i.name for i in inputs}
    argv: List[str] = []
    for item in spec.inputs:
        argv += [flag_of(item.name), layout.input_path(item) if item.name in given else ""]
    for name, folder in layout.output_folders():
        argv += [flag_of(name), folder]
    for module in spec.modules:
        argv += [flag_of(module.name), layout.file_path(f"module-{module.name}")]
    return argv + ["--sagemaker-run", "no"]


def fits(argv: List[str]) -> bool:
    return 0 < len(argv) <= c.MAX_ARGUMENTS and all(len(a) <= c.MAX_ARGUMENT for a in argv)


def pythonpath(spec: JobSpec, layout: Layout) -> List[str]:
    return [layout.folder("support")] + [layout.folder(f"module-{m.name}") for m in spec.modules]


def _job_file(
    spec: JobSpec, argv: List[str], pythonpath: List[str], place: List[str], longest: int
) -> Optional[bytes]:
    """What does not fit the request's limits: long or many arguments, a long configuration
    command, a PYTHONPATH or a list of folders to place too long for one environment value."""
    content: Dict[str, object] = {}
    if not fits(argv):
        content["argv"] = argv
    if len(":".join(pythonpath)) > longest:
        content["pythonpath"] = pythonpath
    if len(":".join(place)) > longest:
        content["place"] = place
    command = spec.configuration_command
    if command and len(command) > longest:
        content["configuration_command"] = command
    if not content:
        return None
    return json.dumps(content, indent=1, sort_keys=True).encode()


def container_arguments(arguments: Arguments, job_file: Optional[bytes]) -> Optional[List[str]]:
    """ContainerArguments, or None when the argv travels in the job file."""
    if job_file is None or "argv" not in json.loads(job_file):
        return arguments.argv
    return None


def _assemble(
    spec: JobSpec,
    resolved: Resolved,
    layout: Layout,
    inputs: List[InputSpec],
    arguments: Arguments,
    job_file: Optional[bytes],
) -> JobPlan:
    staged, input_uploads = stage_inputs(layout, inputs)
    if spec.training is not None:
        from .plan_training import training_request

        request = training_request(spec, resolved, layout, staged, arguments, job_file)
    else:
        request = _processing_request(spec, resolved, layout, staged, arguments, job_file)
    return JobPlan(layout.uploads() + input_uploads, request, dict(resolved.expected_owner))


def _processing_request(spec, resolved, layout, staged, arguments, job_file) -> dict:
    inputs = [
        channel(item.name, upload_uri, posixpath.join(spec.input_mount, item.name), data,
                item.mode, item.distribution)
        for item, upload_uri, data in staged
    ]  # fmt: skip
    request = {
        "ProcessingJobName": resolved.job_name,
        "ProcessingInputs": [
            channel(name, uri, folder, data) for name, uri, folder, data in layout.code_channels()
        ]
        + inputs,
        "ProcessingResources": {"ClusterConfig": cluster(spec)},
        "StoppingCondition": {"MaxRuntimeInSeconds": spec.runtime_seconds},
        "AppSpecification": _app(spec, resolved, layout, arguments, job_file),
        "Environment": environment(spec, layout, job_file, arguments),
        "NetworkConfig": _network(spec),
        "RoleArn": resolved.role_arn,
        "Tags": job_tags(spec.base_job_name or resolved.job_name, resolved.git, spec.tags),
    }
    if spec.outputs:
        request["ProcessingOutputConfig"] = _outputs(spec, resolved, layout)
    return request


def stage_inputs(
    layout: Layout, inputs: List[InputSpec]
) -> Tuple[List[Tuple[InputSpec, str, str]], List[Upload]]:
    """Each input with the S3 URI and S3DataType of its channel (an s3:// input in place, a
    local one staged as the version `inputs/NAME-DIGEST`), and the uploads of the local ones."""
    staged, uploads = [], []
    for item in inputs:
        if item.value.startswith("s3://"):
            staged.append((item, item.value, "S3Prefix"))
            continue
        path = Path(item.value)
        files = non_empty(flag_of(item.name), path, piece_files(path, lf=False, skip_junk=False))
        version = f"inputs/{item.name}-{piece_digest(files)}"
        how = input_layout(item.mode, item.distribution)
        upload = Upload(path, layout.base, version, files, item.name, how)
        uploads.append(upload)
        staged.append((item, upload.channel_uri, data_type(upload)))
    return staged, uploads


def placed_folders(spec: JobSpec, layout: Layout) -> List[str]:
    """Container folders of the ManifestFile channels: the bootstrap puts their files under
    their real names before anything else (AWS_SAGEMAKER_REMOTE_PLACE)."""
    folders = layout.placed_modules()
    for item in spec.inputs:
        local = item.value and not item.value.startswith("s3://")
        if local and input_layout(item.mode, item.distribution) == MANIFEST:
            folders.append(layout.input_folder(item))
    return folders


def cluster(spec: JobSpec) -> dict:
    cluster = {
        "InstanceCount": spec.instance_count,
        "InstanceType": spec.instance,
        "VolumeSizeInGB": spec.volume_size,
    }
    if spec.volume_kms_key:
        cluster["VolumeKmsKeyId"] = spec.volume_kms_key
    return cluster


def _app(spec, resolved, layout, arguments, job_file) -> dict:
    app = {"ImageUri": resolved.image, "ContainerEntrypoint": entrypoint(spec, layout)}
    argv = container_arguments(arguments, job_file)
    if argv is not None:
        app["ContainerArguments"] = argv
    return app


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
    place = ":".join(placed_folders(spec, layout))
    env = {
        c.ENV_PREFIX + "SCRIPT": layout.file_path("script"),
        c.ENV_PREFIX + "PYTHON": spec.python,
    }
    if len(joined) <= longest:
        env[c.ENV_PREFIX + "PYTHONPATH"] = joined
    if place and len(place) <= longest:
        env[c.ENV_PREFIX + "PLACE"] = place
    if spec.requirements:
        env[c.ENV_PREFIX + "REQUIREMENTS"] = layout.file_path("requirements")
    if spec.configuration_script:
        env[c.ENV_PREFIX + "CONFIGURATION_SCRIPT"] = layout.file_path("configuration")
    command = spec.configuration_command
    if command and len(command) <= longest:
        env[c.ENV_PREFIX + "CONFIGURATION_COMMAND"] = command
    if job_file is not None:
        env[c.ENV_PREFIX + "JOB_FILE"] = layout.file_path("job")
    # How many leading arguments are the user's own (the rest the plan added): `rerun -- ARGS`
    env[c.ENV_PREFIX + "USER_ARGC"] = str(arguments.user_argc)
    env.update(extra or {})
    _check_lengths(env, longest)
    return {**spec.env, **env}


def _check_lengths(env: Dict[str, str], longest: int) -> None:
    flags = {
        c.ENV_PREFIX + "SCRIPT": "--sagemaker-script",
        c.ENV_PREFIX + "PYTHON": "--sagemaker-python",
    }
    for key, value in env.items():
        if len(value) > longest:
            raise UsageError(
                f"{flags.get(key, key)}: {value[:60]!r}...: becomes a container environment value "
                f"of {len(value)} characters; SageMaker allows {longest}"
            )


def _network(spec: JobSpec) -> dict:
    network = {
        "EnableInterContainerTrafficEncryption": spec.inter_container_encryption,
        "EnableNetworkIsolation": spec.network_isolation,
    }
    if spec.subnets:
        network["VpcConfig"] = vpc_config(spec)
    return network


def vpc_config(spec: JobSpec) -> dict:
    return {"SecurityGroupIds": list(spec.security_groups), "Subnets": list(spec.subnets)}


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
