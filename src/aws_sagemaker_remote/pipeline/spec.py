"""JobSpec: what the user asked for, as plain data, read off the parsed flags once (what every
kind has; what only a kind has is in `extras`, made by the kind's pipeline module)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from .. import contract as c
from ..flags.argv import user_argv
from ..kinds import JobKind, Limits, home
from .values import local_path, location, optional

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..flags.builder import ScriptConfig


@dataclass
class InputSpec:
    name: str
    value: str
    mode: str = "File"
    distribution: str = "FullyReplicated"


@dataclass
class OutputSpec:
    name: str
    local: str
    s3: Optional[str] = None  # None: the default place (resolve.with_locations sets it)
    mode: str = "EndOfJob"


@dataclass
class ModuleSpec:
    name: str
    path: str


@dataclass
class JobSpec:
    script: str
    kind: JobKind
    python: str = c.DEFAULT_PYTHON
    requirements: Optional[str] = None
    configuration_script: Optional[str] = None
    configuration_command: Optional[str] = None
    inputs: List[InputSpec] = field(default_factory=list)
    outputs: List[OutputSpec] = field(default_factory=list)
    modules: List[ModuleSpec] = field(default_factory=list)
    input_mount: str = ""  # "": the kind's (Mounts); a kind whose channels land in its own
    output_mount: str = ""  # folders has none
    module_mount: str = ""
    role: str = ""  # "": the kind's default
    image: Optional[str] = None
    instance: str = ""  # "": the kind's default
    instance_count: int = 1
    volume_size: int = c.DEFAULT_VOLUME_GB
    runtime_seconds: int = c.DEFAULT_RUNTIME_SECONDS
    base_job_name: Optional[str] = None  # None: the kind's default
    job_name: str = ""
    profile: Optional[str] = None
    region: Optional[str] = None
    bucket: Optional[str] = None
    prefix: str = c.DEFAULT_PREFIX
    env: Dict[str, str] = field(default_factory=dict)
    tags: Dict[str, str] = field(default_factory=dict)
    output_kms_key: Optional[str] = None
    volume_kms_key: Optional[str] = None
    s3_kms_keys: List[str] = field(default_factory=list)
    subnets: List[str] = field(default_factory=list)
    security_groups: List[str] = field(default_factory=list)
    network_isolation: bool = False
    inter_container_encryption: bool = False
    backend: str = "aws"
    emulator_environment: str = "image"  # the emulator's job environment: image | caller
    image_packages: Optional[str] = None  # a file declaring the image's packages
    import_check: str = "warn"
    dry_run: bool = False
    wait: bool = True
    download: bool = False
    output_json: Optional[str] = None
    user_argv: List[str] = field(default_factory=list)
    extras: Any = None  # what only the kind has: its pipeline module's `extras`

    def __post_init__(self) -> None:
        """What was left out is the kind's default (a spec built from flags has every value)."""
        self.input_mount = self.input_mount or self.kind.mounts.input
        self.output_mount = self.output_mount or self.kind.mounts.output
        self.module_mount = self.module_mount or self.kind.mounts.module
        self.role = self.role or self.kind.defaults.role
        self.instance = self.instance or self.kind.defaults.instance
        if self.base_job_name is None:
            self.base_job_name = self.kind.defaults.base_job_name

    @property
    def limits(self) -> Limits:
        return self.kind.limits


def build_job_spec(
    config: ScriptConfig,
    args: argparse.Namespace,
    argv: List[str],
    parser: argparse.ArgumentParser,
) -> JobSpec:
    get = lambda name, *default: getattr(args, "sagemaker_" + name, *default)  # noqa: E731
    own_argv = user_argv(parser, config.own_actions, argv)
    return JobSpec(
        script=local_path(get("script")),
        kind=config.kind,
        python=get("python"),
        requirements=local_path(optional(get("requirements"))),
        configuration_script=local_path(optional(get("configuration_script"))),
        configuration_command=optional(get("configuration_command")),
        inputs=[
            InputSpec(
                n,
                getattr(args, n) or "",
                getattr(args, n + "_mode"),
                getattr(args, n + "_distribution"),
            )
            for n in config.inputs
        ],
        outputs=[
            OutputSpec(
                n,
                getattr(args, n) or "",
                location(getattr(args, n + "_s3")),
                getattr(args, n + "_mode"),
            )
            for n in config.outputs
        ],
        modules=[ModuleSpec(n, local_path(getattr(args, n)) or "") for n in config.dependencies],
        input_mount=get("input_mount", ""),
        output_mount=get("output_mount", ""),
        module_mount=get("module_mount", ""),
        role=get("role"),
        image=optional(get("image")),
        instance=get("instance"),
        instance_count=int(get("instance_count")),
        volume_size=int(get("volume_size")),
        runtime_seconds=int(get("runtime_seconds")),
        base_job_name=get("base_job_name") or "",
        job_name=get("job_name") or "",
        profile=optional(get("profile")),
        region=optional(get("region")),
        bucket=optional(get("bucket")),
        prefix=(get("prefix") or "").rstrip("/"),
        env={**config.env, **get("env")},
        tags={**config.tags, **get("tags")},
        output_kms_key=optional(get("output_kms_key")),
        volume_kms_key=optional(get("volume_kms_key")),
        s3_kms_keys=list(get("s3_kms_keys")),
        subnets=list(get("subnets")),
        security_groups=list(get("security_groups")),
        network_isolation=get("network_isolation"),
        inter_container_encryption=get("inter_container_encryption"),
        backend=get("backend"),
        emulator_environment=get("emulator_environment"),
        image_packages=local_path(optional(get("image_packages"))),
        import_check=get("import_check"),
        dry_run=get("dry_run"),
        wait=get("wait"),
        download=get("download"),
        output_json=optional(get("output_json")),
        user_argv=own_argv,
        extras=home(__package__, config.kind).extras(config, args, argv, parser, own_argv),
    )
