"""JobSpec + resolved names → JobPlan: the uploads and the exact CreateProcessingJob request.

Pure: it reads the files it will upload (to name them by content) but writes nothing and calls
nothing. See docs/architecture.md for the container layout it produces.
"""

from __future__ import annotations

import json
import os
import posixpath
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from .digest import FileList, piece_digest, piece_files
from .errors import UsageError
from .gitinfo import GitState, job_tags
from .jobspec import InputSpec, JobSpec
from .limits import CODE_ROOT, MAX_ARGUMENT, MAX_ARGUMENTS, MAX_CHANNELS, MAX_ENV_VALUE
from .staging import Upload

ENV_PREFIX = "AWS_SAGEMAKER_REMOTE_"
BOOTSTRAP = "aws_sagemaker_remote/container/bootstrap.py"
# Parts of this library that only ever run on the user's machine (the emulator, the embedded S3
# server): not shipped, so every job downloads less.
MACHINE_ONLY = ("backends/", "s3server/")


@dataclass
class Resolved:
    """Names that need AWS (or the emulator) to decide; everything else comes from the JobSpec."""

    region: str
    role_arn: str
    bucket: str
    image: str
    job_name: str
    account: Optional[str] = None
    git: Optional[GitState] = None
    s3_objects: Dict[str, bool] = field(default_factory=dict)


@dataclass
class JobPlan:
    uploads: List[Upload]
    request: dict
    container_argv: List[str]

    def to_json(self) -> dict:
        return {"request": self.request, "uploads": [u.to_json() for u in self.uploads]}


@dataclass
class _Piece:
    """One code piece: what it holds and where it lands in the container and in S3."""

    key: str
    source: Path
    files: FileList
    digest: str = ""

    def __post_init__(self):
        self.digest = self.digest or piece_digest(self.files)


def make_plan(spec: JobSpec, resolved: Resolved, support_dir: Optional[Path] = None) -> JobPlan:
    support_dir = support_dir or Path(__file__).resolve().parent
    pieces = _code_pieces(spec, support_dir)
    inputs = [i for i in spec.inputs if i.value]
    for shared in (False, True):
        layout = _Layout(spec, resolved, pieces, shared)
        argv = _container_argv(spec, layout, inputs)
        job_file = _job_file(spec, argv, _pythonpath(spec, layout))
        if job_file is not None:
            layout.add_job_file(job_file)
        if len(inputs) + layout.channel_count() <= MAX_CHANNELS:
            return _assemble(spec, resolved, layout, inputs, argv, job_file)
    raise UsageError(
        f"inputs: {len(inputs)} inputs leave no room for the code channel; SageMaker allows "
        f"{MAX_CHANNELS} input channels in all, so give at most {MAX_CHANNELS - 1} inputs"
    )


def _code_pieces(spec: JobSpec, support_dir: Path) -> List[_Piece]:
    pieces = [_Piece("script", Path(spec.script), piece_files(spec.script))]
    if spec.requirements:
        pieces.append(
            _Piece("requirements", Path(spec.requirements), piece_files(spec.requirements))
        )
    if spec.configuration_script:
        source = Path(spec.configuration_script)
        pieces.append(_Piece("configuration", source, piece_files(source, lf=True)))
    support = [
        (f"aws_sagemaker_remote/{rel}", f)
        for rel, f in piece_files(support_dir, lf=False)
        if not rel.startswith(MACHINE_ONLY)
    ]
    pieces.append(_Piece("support", support_dir, support))
    for module in spec.modules:
        path = Path(module.path)
        files = _non_empty(f"--{module.name.replace('_', '-')}", path, piece_files(path, lf=False))
        if path.is_dir():
            files = [(f"{path.name}/{rel}", f) for rel, f in files]
        pieces.append(_Piece(f"module-{module.name}", path, files))
    return pieces


def _non_empty(flag: str, path: Path, files: FileList) -> FileList:
    if not files:
        raise UsageError(f"{flag}: {str(path)!r}: contains no files to ship")
    return files


class _Layout:
    """Where each code piece goes: its own channel, or one shared channel past 10 channels."""

    def __init__(self, spec: JobSpec, resolved: Resolved, pieces: List[_Piece], shared: bool):
        self.spec = spec
        self.resolved = resolved
        self.base = _s3_join(resolved.bucket, spec.prefix)
        self.pieces = list(pieces)
        self.shared = shared

    def add_job_file(self, body: bytes) -> None:
        self.pieces.append(_Piece("job", Path("job.json"), [("job.json", body)]))

    def channel_count(self) -> int:
        return 1 if self.shared else len(self.pieces)

    def folder(self, key: str) -> str:
        """Container folder of a piece."""
        if key.startswith("module-"):
            name = key[len("module-") :]
            if self.shared:
                return f"{CODE_ROOT}/modules/{name}"
            return posixpath.join(self.spec.module_mount, name)
        return f"{CODE_ROOT}/{key}"

    def file_path(self, key: str) -> str:
        piece = self.piece(key)
        top = piece.files[0][0].split("/", 1)[0]
        return f"{self.folder(key)}/{top}"

    def piece(self, key: str) -> _Piece:
        return next(p for p in self.pieces if p.key == key)

    def has(self, key: str) -> bool:
        return any(p.key == key for p in self.pieces)

    def piece_uri(self, piece: _Piece) -> str:
        return f"{self.base}code/{piece.key}-{piece.digest}/"

    def bundle_digest(self) -> str:
        """Each piece's digest covers its paths and bytes, so theirs together cover the bundle."""
        return piece_digest([(p.key, p.digest.encode()) for p in self.pieces])

    def uploads(self) -> List[Upload]:
        if not self.shared:
            return [
                Upload(p.source, self.piece_uri(p), files=p.files, lf=False) for p in self.pieces
            ]
        files = [(self._bundle_rel(p, rel), f) for p in self.pieces for rel, f in p.files]
        uri = f"{self.base}code/bundle-{self.bundle_digest()}/"
        return [Upload(Path(self.spec.script).parent, uri, files=files, lf=False, name="code")]

    def _bundle_rel(self, piece: _Piece, rel: str) -> str:
        return posixpath.relpath(self.folder(piece.key), CODE_ROOT) + "/" + rel

    def channels(self) -> List[dict]:
        if self.shared:
            uri = f"{self.base}code/bundle-{self.bundle_digest()}/"
            return [_channel("code", uri, CODE_ROOT)]
        return [
            _channel(_channel_name(p.key), self.piece_uri(p), self.folder(p.key))
            for p in self.pieces
        ]


def _channel_name(key: str) -> str:
    return key if key.startswith("module-") else f"code-{key}"


def _channel(name: str, uri: str, local: str, mode="File", dist="FullyReplicated") -> dict:
    return {
        "InputName": name,
        "AppManaged": False,
        "S3Input": {
            "S3Uri": uri,
            "LocalPath": local,
            "S3DataType": "S3Prefix",
            "S3InputMode": mode,
            "S3DataDistributionType": dist,
            "S3CompressionType": "None",
        },
    }


def _s3_join(bucket: str, prefix: str) -> str:
    return f"s3://{bucket}/{prefix.strip('/') + '/' if prefix.strip('/') else ''}"


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


def _container_argv(spec: JobSpec, layout: _Layout, inputs: List[InputSpec]) -> List[str]:
    argv = list(spec.user_argv)
    resolved_inputs = {i.name: i for i in inputs}
    for item in spec.inputs:
        if item.name in resolved_inputs:
            argv += [_flag(item.name), _input_local(spec, item, layout.resolved)]
        else:
            argv += [_flag(item.name), ""]
    for out in spec.outputs:
        argv += [_flag(out.name), posixpath.join(spec.output_mount, out.name)]
    for module in spec.modules:
        argv += [_flag(module.name), layout.file_path(f"module-{module.name}")]
    return argv + ["--sagemaker-run", "no"]


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _fits(argv: List[str]) -> bool:
    return 0 < len(argv) <= MAX_ARGUMENTS and all(len(a) <= MAX_ARGUMENT for a in argv)


def _pythonpath(spec: JobSpec, layout: _Layout) -> List[str]:
    return [layout.folder("support")] + [layout.folder(f"module-{m.name}") for m in spec.modules]


def _job_file(spec: JobSpec, argv: List[str], pythonpath: List[str]) -> Optional[bytes]:
    """What does not fit the request's limits: long or many arguments, a long configuration
    command, a PYTHONPATH too long for one environment value (many modules)."""
    content: Dict[str, object] = {}
    if not _fits(argv):
        content["argv"] = argv
    if len(":".join(pythonpath)) > MAX_ENV_VALUE:
        content["pythonpath"] = pythonpath
    command = spec.configuration_command
    if command and len(command) > MAX_ENV_VALUE:
        content["configuration_command"] = command
    if not content:
        return None
    return json.dumps(content, indent=1, sort_keys=True).encode()


def _assemble(
    spec: JobSpec,
    resolved: Resolved,
    layout: _Layout,
    inputs: List[InputSpec],
    argv: List[str],
    job_file: Optional[bytes],
) -> JobPlan:
    input_channels, input_uploads = _input_channels(spec, resolved, layout, inputs)
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
    return JobPlan(layout.uploads() + input_uploads, request, argv)


def _input_channels(spec, resolved, layout, inputs):
    channels, uploads = [], []
    for item in inputs:
        if item.value.startswith("s3://"):
            uri = item.value
        else:
            path = Path(item.value)
            files = piece_files(path, lf=False, skip_junk=False)
            files = _non_empty(f"--{item.name.replace('_', '-')}", path, files)
            uri = f"{layout.base}inputs/{item.name}-{piece_digest(files)}/"
            uploads.append(Upload(Path(item.value), uri, files=files, lf=False))
        local = posixpath.join(spec.input_mount, item.name)
        channels.append(_channel(item.name, uri, local, item.mode, item.distribution))
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


def _environment(spec: JobSpec, layout: _Layout, job_file: Optional[bytes]) -> Dict[str, str]:
    pythonpath = ":".join(_pythonpath(spec, layout))
    env = {
        ENV_PREFIX + "SCRIPT": layout.file_path("script"),
        ENV_PREFIX + "PYTHON": spec.python,
    }
    if len(pythonpath) <= MAX_ENV_VALUE:
        env[ENV_PREFIX + "PYTHONPATH"] = pythonpath
    if spec.requirements:
        env[ENV_PREFIX + "REQUIREMENTS"] = layout.file_path("requirements")
    if spec.configuration_script:
        env[ENV_PREFIX + "CONFIGURATION_SCRIPT"] = layout.file_path("configuration")
    command = spec.configuration_command
    if command and len(command) <= MAX_ENV_VALUE:
        env[ENV_PREFIX + "CONFIGURATION_COMMAND"] = command
    if job_file is not None:
        env[ENV_PREFIX + "JOB_FILE"] = layout.file_path("job")
    _check_lengths(env)
    return {**spec.env, **env}


def _check_lengths(env: Dict[str, str]) -> None:
    flags = {
        ENV_PREFIX + "SCRIPT": "--sagemaker-script",
        ENV_PREFIX + "PYTHON": "--sagemaker-python",
    }
    for key, value in env.items():
        if len(value) > MAX_ENV_VALUE:
            raise UsageError(
                f"{flags.get(key, key)}: {value[:60]!r}...: becomes a container environment value "
                f"of {len(value)} characters; SageMaker allows {MAX_ENV_VALUE}"
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


def _outputs(spec: JobSpec, resolved: Resolved, layout: _Layout) -> dict:
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
