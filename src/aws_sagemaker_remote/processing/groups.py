"""The processing flags, group by group, as --help lists them: one row per flag (name, kind,
metavar, help); the default is the keyword of the same name of `sagemaker_processing_args`."""

from __future__ import annotations

from .. import contract as c
from ..flags.builder import FlagAdder
from ..flags.types import comma_list, key_value_list, positive_int

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any, Dict

    from .config import ProcessingConfig

YES_NO, TEXT, NUMBER, PAIRS, IDS, BACKEND = "yes/no", "text", "number", "pairs", "ids", "backend"

GROUPS = (
    (
        "SageMaker run",
        "Where the script runs and what happens around it. Yes/no flags take yes/true/1 or "
        "no/false/0; alone, they mean yes.",
        (
            ("run", YES_NO, None, "run as a SageMaker processing job instead of calling main here"),
            ("wait", YES_NO, None, "follow the job's logs until it ends; no returns once created"),
            ("backend", BACKEND, None, "where the job runs; local is the dockerless emulator"),
            ("dry_run", YES_NO, None, "print the request and upload plan as JSON; do nothing"),
            ("download", YES_NO, None, "after success, download each output to its local path"),
            ("output_json", TEXT, "PATH", "write the job's final description as JSON here"),
            ("debug", YES_NO, None, "show tracebacks instead of one-line errors"),
        ),
    ),
    (
        "SageMaker account and staging",
        None,
        (
            ("profile", TEXT, "NAME", "AWS profile"),
            ("region", TEXT, "REGION", "AWS region (default: the profile's region)"),
            (
                "role",
                TEXT,
                "ROLE",
                "IAM role name or ARN the job runs as; a missing name is created",
            ),
            (
                "bucket",
                TEXT,
                "BUCKET",
                "S3 bucket for code and inputs (default: "
                "sagemaker-REGION-ACCOUNT, created when missing)",
            ),
            ("prefix", TEXT, "PREFIX", "S3 key prefix for code and inputs"),
        ),
    ),
    (
        "SageMaker job",
        None,
        (
            ("base_job_name", TEXT, "NAME", "job names are this plus a timestamp"),
            ("job_name", TEXT, "NAME", "an exact job name instead of base name + timestamp"),
            ("image", TEXT, "URI", "ECR image URI (default: AWS's scikit-learn processing image)"),
            ("instance", TEXT, "TYPE", "instance type"),
            ("instance_count", NUMBER, "N", "number of instances"),
            ("volume_size", NUMBER, "GB", "storage volume of each instance, in GB"),
            ("runtime_seconds", NUMBER, "SECONDS", "stop the job after this many seconds"),
            ("env", PAIRS, "KEY=VALUE,...", "container environment variables"),
            ("tags", PAIRS, "KEY=VALUE,...", "job tags"),
        ),
    ),
    (
        "SageMaker container",
        None,
        (
            ("script", TEXT, "PATH", "the script that runs"),
            ("python", TEXT, "COMMAND", "the interpreter command that runs it"),
            ("requirements", TEXT, "PATH", "requirements file, installed with pip install -r"),
            ("configuration_script", TEXT, "PATH", "bash file sourced before the script"),
            (
                "configuration_command",
                TEXT,
                "COMMAND",
                "bash command run after the configuration script, in the same shell",
            ),
            ("input_mount", TEXT, "DIR", "folder of the inputs"),
            ("output_mount", TEXT, "DIR", "folder of the outputs"),
            ("module_mount", TEXT, "DIR", "folder of the modules"),
        ),
    ),
    (
        "SageMaker network and encryption",
        None,
        (
            ("output_kms_key", TEXT, "KEY", "KMS key that encrypts the outputs in S3"),
            ("volume_kms_key", TEXT, "KEY", "KMS key that encrypts the instances' volumes"),
            ("subnets", IDS, "IDS", "VPC subnet ids, comma-separated"),
            ("security_groups", IDS, "IDS", "VPC security group ids, comma-separated"),
            ("network_isolation", YES_NO, None, "give the container no network"),
            ("inter_container_encryption", YES_NO, None, "encrypt traffic between instances"),
        ),
    ),
)


def add_sagemaker_flags(add: FlagAdder, parser: argparse.ArgumentParser, values: Dict) -> None:
    """Every --sagemaker-* flag; `values` maps each name to its default."""
    for title, description, rows in GROUPS:
        group = parser.add_argument_group(title, description)
        for name, kind, metavar, help_text in rows:
            _add(add, group, name, kind, metavar, help_text, values[name])


def _add(add: FlagAdder, group, name: str, kind: str, metavar, help_text: str, value: Any):
    if kind == YES_NO:
        return add.yes_no(group, name, value, help_text)
    if kind == BACKEND:
        return add.choice(group, name, value, c.BACKENDS, help_text, prefix="sagemaker_")
    if kind == NUMBER:
        return add.flag(group, name, value, help_text, type=positive_int, metavar=metavar)
    if kind == PAIRS:
        return add.flag(
            group, name, {}, _merged(help_text, value), type=key_value_list, metavar=metavar
        )
    if kind == IDS:
        return add.flag(group, name, list(value or []), help_text, type=comma_list, metavar=metavar)
    return add.flag(group, name, value, help_text, metavar=metavar)


def _merged(what: str, from_code: Dict[str, str]) -> str:
    """--sagemaker-env/--sagemaker-tags add to what the script sets: show that, not a default."""
    text = f"{what}, comma-separated (a backslash before a comma keeps it in the value)"
    if not from_code:
        return text
    shown = ",".join(f"{k}={v}" for k, v in from_code.items()).replace("%", "%%")
    return f"{text}; added to the script's own: {shown}"


def add_inputs(add: FlagAdder, parser, config: ProcessingConfig) -> None:
    if not config.inputs:
        return
    group = parser.add_argument_group("Inputs", "What the script reads.")
    for name, arg in config.inputs.items():
        what = f"input {name}: a local path, an s3:// URI or job:JOB/OUTPUT"
        add.flag(group, name, arg.local or "", what, prefix="", metavar="PATH")
        mode, dist = arg.mode or "File", arg.distribution or "FullyReplicated"
        add.choice(group, f"{name}_mode", mode, c.INPUT_MODES, f"how input {name} is delivered")
        what = f"how input {name} is shared among instances"
        add.choice(group, f"{name}_distribution", dist, c.DISTRIBUTIONS, what)


def add_outputs(add: FlagAdder, parser, config: ProcessingConfig) -> None:
    if not config.outputs:
        return
    group = parser.add_argument_group("Outputs", "Folders the script writes.")
    for name, arg in config.outputs.items():
        what = f"output {name}: a local folder"
        add.flag(group, name, arg.local or "", what, prefix="", metavar="DIR")
        what = f"where a job puts output {name}: an s3:// URI, or default (named after the job)"
        add.flag(group, f"{name}_s3", arg.remote, what, prefix="", metavar="URI")
        what = f"when a job uploads output {name}"
        add.choice(group, f"{name}_mode", arg.mode or "EndOfJob", c.OUTPUT_MODES, what)


def add_modules(add: FlagAdder, parser, config: ProcessingConfig) -> None:
    if not config.dependencies:
        return
    group = parser.add_argument_group("Modules", "Local code shipped with a job, on PYTHONPATH.")
    for name, path in config.dependencies.items():
        what = f"module {name}: a package folder or a .py file"
        add.flag(group, name, path, what, prefix="", metavar="PATH")
