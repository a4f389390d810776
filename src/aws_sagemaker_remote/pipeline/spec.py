"""JobSpec: what the user asked for, as plain data, read off the parsed flags (kind-neutral:
every job kind's face builds one, and every later stage reads only this)."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set, Tuple

from .. import contract as c
from ..args import is_job_reference
from ..flags.argv import given_dests, option_pairs, user_argv
from ..kinds import JobKind
from ..kinds.base import Limits

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..flags.config import ScriptConfig


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
    s3: str = "default"
    mode: str = "EndOfJob"


@dataclass
class ModuleSpec:
    name: str
    path: str


@dataclass
class TrainingSpec:
    """What only a training job has. `options`: the user's own argv as `(--flag, value)` pairs
    when it is nothing else (flags/argv.option_pairs), else None. `given`: the dests of the
    spot and checkpoint flags that were on the command line (a default from the code is no
    contradiction; a value typed is)."""

    model_dir: str = ""
    output_dir: str = ""
    checkpoint_dir: str = ""
    checkpoints: bool = False
    checkpoint_s3: str = "default"
    spot: bool = False
    max_wait: Optional[int] = None
    given: Set[str] = field(default_factory=set)
    metrics: Dict[str, str] = field(default_factory=dict)
    options: Optional[List[Tuple[str, Optional[str]]]] = None

    @property
    def checkpointing(self) -> bool:
        """Spot jobs and a chosen S3 place turn checkpoints on."""
        return self.checkpoints or self.spot or self.checkpoint_s3 != "default"


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
    subnets: List[str] = field(default_factory=list)
    security_groups: List[str] = field(default_factory=list)
    network_isolation: bool = False
    inter_container_encryption: bool = False
    backend: str = "aws"
    dry_run: bool = False
    wait: bool = True
    download: bool = False
    output_json: Optional[str] = None
    user_argv: List[str] = field(default_factory=list)
    training: Optional[TrainingSpec] = None

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


def _opt(value) -> Optional[str]:
    return value if value not in (None, "") else None


def local_path(value: Optional[str]) -> Optional[str]:
    """Lexically normalized, as users write ``os.path.join(__file__, "../..")`` (which the file
    system itself refuses: a file is not a folder). URIs and empty values pass unchanged."""
    if not value or "://" in value or is_job_reference(value):
        return value
    return os.path.normpath(os.path.expanduser(value))


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
        requirements=local_path(_opt(get("requirements"))),
        configuration_script=local_path(_opt(get("configuration_script"))),
        configuration_command=_opt(get("configuration_command")),
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
                getattr(args, n + "_s3") or "default",
                getattr(args, n + "_mode"),
            )
            for n in config.outputs
        ],
        modules=[ModuleSpec(n, local_path(getattr(args, n)) or "") for n in config.dependencies],
        input_mount=get("input_mount", ""),
        output_mount=get("output_mount", ""),
        module_mount=get("module_mount", ""),
        role=get("role"),
        image=_opt(get("image")),
        instance=get("instance"),
        instance_count=int(get("instance_count")),
        volume_size=int(get("volume_size")),
        runtime_seconds=int(get("runtime_seconds")),
        base_job_name=get("base_job_name") or "",
        job_name=get("job_name") or "",
        profile=_opt(get("profile")),
        region=_opt(get("region")),
        bucket=_opt(get("bucket")),
        prefix=(get("prefix") or "").rstrip("/"),
        env={**config.env, **get("env")},
        tags={**config.tags, **get("tags")},
        output_kms_key=_opt(get("output_kms_key")),
        volume_kms_key=_opt(get("volume_kms_key")),
        subnets=list(get("subnets")),
        security_groups=list(get("security_groups")),
        network_isolation=get("network_isolation"),
        inter_container_encryption=get("inter_container_encryption"),
        backend=get("backend"),
        dry_run=get("dry_run"),
        wait=get("wait"),
        download=get("download"),
        output_json=_opt(get("output_json")),
        user_argv=own_argv,
        training=_training(config, args, argv, parser, own_argv),
    )


SPOT_FLAGS = {"sagemaker_spot", "sagemaker_max_wait", "sagemaker_checkpoints"}


def _training(config, args, argv, parser, own_argv) -> Optional[TrainingSpec]:
    if config.kind.name != "training":
        return None
    return TrainingSpec(
        model_dir=local_path(args.model_dir or ""),
        output_dir=local_path(args.output_dir or ""),
        checkpoint_dir=local_path(args.checkpoint_dir or ""),
        checkpoints=args.sagemaker_checkpoints,
        checkpoint_s3=args.sagemaker_checkpoint_s3 or "default",
        spot=args.sagemaker_spot,
        max_wait=args.sagemaker_max_wait,
        given=given_dests(parser, argv) & SPOT_FLAGS,
        metrics=dict(config.metrics),
        options=option_pairs(parser, own_argv),
    )
