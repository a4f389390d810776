"""The flag builder of processing jobs: every flag of the processing page, with the defaults the
script's author chose."""

from __future__ import annotations

import argparse
import os

from .. import contract as c
from ..flags.builder import FlagAdder, OneLineErrorParser, add_user_arguments
from ..flags.types import comma_list, key_value_list, positive_int
from .config import ProcessingConfig

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, Iterable, Optional

ProcessingArgumentParser = OneLineErrorParser


def sagemaker_processing_args(
    parser: argparse.ArgumentParser,
    script: str,
    run: bool = False,
    wait: bool = True,
    profile: Optional[str] = None,
    role: str = c.DEFAULT_ROLE,
    image: Optional[str] = None,
    instance: str = c.DEFAULT_INSTANCE,
    volume_size: int = c.DEFAULT_VOLUME_GB,
    runtime_seconds: int = c.DEFAULT_RUNTIME_SECONDS,
    base_job_name: str = c.DEFAULT_BASE_JOB_NAME,
    job_name: str = "",
    python: str = c.DEFAULT_PYTHON,
    requirements: Optional[str] = None,
    configuration_script: Optional[str] = None,
    configuration_command: Optional[str] = None,
    inputs: Optional[Dict[str, Any]] = None,
    outputs: Optional[Dict[str, Any]] = None,
    dependencies: Optional[Dict[str, Any]] = None,
    modules: Optional[Dict[str, Any]] = None,
    input_mount: str = c.INPUT_MOUNT,
    output_mount: str = c.OUTPUT_MOUNT,
    module_mount: str = c.MODULE_MOUNT,
    env: Optional[Dict[str, str]] = None,
    output_json: Optional[str] = None,
    additional_arguments: Optional[Iterable[Any]] = None,
    argparse_callback: Optional[Callable[[argparse.ArgumentParser], Any]] = None,
    region: Optional[str] = None,
    bucket: Optional[str] = None,
    prefix: str = c.DEFAULT_PREFIX,
    instance_count: int = 1,
    tags: Optional[Dict[str, str]] = None,
    output_kms_key: Optional[str] = None,
    volume_kms_key: Optional[str] = None,
    subnets: Optional[Iterable[str]] = None,
    security_groups: Optional[Iterable[str]] = None,
    network_isolation: bool = False,
    inter_container_encryption: bool = False,
    backend: Optional[str] = None,
    dry_run: bool = False,
    download: bool = False,
    debug: bool = False,
) -> ProcessingConfig:
    """Add every processing flag to ``parser`` and return the configuration behind them.

    Each keyword sets the default of the flag of the same name (``run`` → ``--sagemaker-run``).
    """
    config = ProcessingConfig(
        script=script,
        inputs=inputs,
        outputs=outputs,
        dependencies={**(modules or {}), **(dependencies or {})},
        env=env,
        tags=tags,
    )
    config.parser = parser
    add = FlagAdder(config.own_actions)
    sm = parser.add_argument_group("SageMaker", "Where and how the processing job runs.")
    add.yes_no(sm, "run", run, "run as a SageMaker Processing job instead of calling main here")
    add.yes_no(sm, "wait", wait, "follow the job's logs until it ends; no: return once created")
    add.flag(
        sm,
        "profile",
        profile or os.environ.get("AWS_PROFILE") or "default",
        "AWS profile of the session",
    )
    add.flag(sm, "region", region, "AWS region (default: the session's region)")
    add.flag(sm, "role", role, "IAM role name or ARN; a missing role name is created")
    add.flag(sm, "image", image, "ECR image URI (default: AWS's scikit-learn processing image)")
    add.flag(sm, "instance", instance, "instance type")
    add.flag(sm, "instance_count", instance_count, "number of instances", type=positive_int)
    add.flag(sm, "volume_size", volume_size, "volume size in GB", type=positive_int)
    add.flag(sm, "runtime_seconds", runtime_seconds, "maximum runtime", type=positive_int)
    add.flag(sm, "base_job_name", base_job_name, "job name = base name + timestamp")
    add.flag(sm, "job_name", job_name, "exact job name (default: from the base name)")
    add.flag(sm, "script", config.script, "script run in the container")
    add.flag(sm, "python", python, "Python interpreter in the container")
    add.flag(
        sm, "requirements", requirements, "requirements file, pip install -r before the script"
    )
    add.flag(
        sm, "configuration_script", configuration_script, "bash file sourced before the script"
    )
    add.flag(
        sm,
        "configuration_command",
        configuration_command,
        "bash command run before the script (after the configuration script)",
    )
    add.flag(sm, "input_mount", input_mount, "container mount point of inputs")
    add.flag(sm, "output_mount", output_mount, "container mount point of outputs")
    add.flag(sm, "module_mount", module_mount, "container mount point of modules")
    add.flag(sm, "output_json", output_json, "write the job's description as JSON to this file")
    add.flag(sm, "bucket", bucket, "S3 bucket for staging (default: sagemaker-REGION-ACCOUNT)")
    add.flag(sm, "prefix", prefix, "S3 key prefix for staging")
    add.flag(
        sm,
        "env",
        {},
        f"extra container environment KEY=VALUE,... (added to {config.env or 'none'})",
        type=key_value_list,
    )
    add.flag(
        sm,
        "tags",
        {},
        f"job tags KEY=VALUE,... (added to {config.tags or 'none'})",
        type=key_value_list,
    )
    add.flag(sm, "output_kms_key", output_kms_key, "KMS key for outputs")
    add.flag(sm, "volume_kms_key", volume_kms_key, "KMS key for the instance volume")
    add.flag(sm, "subnets", list(subnets or []), "VPC subnets, comma-separated", type=comma_list)
    add.flag(
        sm,
        "security_groups",
        list(security_groups or []),
        "VPC security groups, comma-separated",
        type=comma_list,
    )
    add.yes_no(sm, "network_isolation", network_isolation, "no network inside the container")
    add.yes_no(
        sm,
        "inter_container_encryption",
        inter_container_encryption,
        "encrypt traffic between instances",
    )
    add.choice(
        sm,
        "backend",
        backend or os.environ.get("AWS_SAGEMAKER_REMOTE_BACKEND") or "aws",
        c.BACKENDS,
        "where the job runs (local: the dockerless emulator)",
        prefix="sagemaker_",
    )
    add.yes_no(sm, "dry_run", dry_run, "print the request and upload plan as JSON; do nothing")
    add.yes_no(sm, "download", download, "after success, download each output to its local path")
    add.yes_no(sm, "debug", debug, "show tracebacks")
    _add_inputs(add, parser, config)
    _add_outputs(add, parser, config)
    _add_modules(add, parser, config)
    add_user_arguments(parser, additional_arguments, argparse_callback)
    return config


def _add_inputs(add: FlagAdder, parser, config: ProcessingConfig) -> None:
    if not config.inputs:
        return
    group = parser.add_argument_group("Inputs", "Local paths or s3:// URIs read by the script.")
    for name, arg in config.inputs.items():
        what = f"input {name}: local path, s3:// URI or job:JOB/OUTPUT"
        add.flag(group, name, arg.local or "", what, prefix="")
        add.choice(group, f"{name}_mode", arg.mode or "File", c.INPUT_MODES, f"input {name} mode")
        add.choice(
            group,
            f"{name}_distribution",
            arg.distribution or "FullyReplicated",
            c.DISTRIBUTIONS,
            f"input {name} across instances",
        )


def _add_outputs(add: FlagAdder, parser, config: ProcessingConfig) -> None:
    if not config.outputs:
        return
    group = parser.add_argument_group("Outputs", "Directories the script writes.")
    for name, arg in config.outputs.items():
        add.flag(group, name, arg.local or "", f"output {name}: local directory", prefix="")
        what = f"output {name} on S3: default (derived from the job name) or s3://..."
        add.flag(group, f"{name}_s3", arg.remote, what, prefix="")
        add.choice(
            group, f"{name}_mode", arg.mode or "EndOfJob", c.OUTPUT_MODES, f"output {name} upload"
        )


def _add_modules(add: FlagAdder, parser, config: ProcessingConfig) -> None:
    if not config.dependencies:
        return
    group = parser.add_argument_group("Modules", "Local code shipped and put on PYTHONPATH.")
    for name, path in config.dependencies.items():
        add.flag(group, name, path, f"module {name}: package directory or .py file", prefix="")


def sagemaker_processing_parser_for_docs() -> argparse.ArgumentParser:
    """The parser shown in the documentation (sphinx-argparse)."""
    parser = OneLineErrorParser(prog="aws-sagemaker-remote-processing")
    sagemaker_processing_args(
        parser=parser,
        script="script.py",
        inputs={"input": "/path/to/input"},
        outputs={"output": ("/path/to/output", "default")},
        dependencies={"my_module": "/path/to/my_module"},
    )
    return parser
