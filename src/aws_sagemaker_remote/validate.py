"""Every check that can be made before any side effect (SPEC §5.1). Pure but for ``stat``."""

from __future__ import annotations

import os
import posixpath
import re
import shlex
from typing import Callable, List

from .aws.role import is_role_arn, parse_role_name
from .errors import UsageError
from .gitinfo import check_user_key
from .jobname import validate_job_name
from .jobspec import JobSpec
from .limits import (
    CONTAINER_ROOT,
    ENV_KEY_PATTERN,
    JOB_NAME_PATTERN,
    KMS_PATTERN,
    MAX_ARGUMENT,
    MAX_ENV_ENTRIES,
    MAX_ENV_VALUE,
    MAX_INPUTS,
    MAX_OUTPUTS,
    MAX_RUNTIME_SECONDS,
    MAX_S3_URI,
    MAX_SECURITY_GROUPS,
    MAX_SUBNETS,
    MAX_TAGS,
    MAX_VOLUME_GB,
    RESERVED_ENV_ENTRIES,
    TAG_PATTERN,
)

SHARED_CODE_CHANNEL = "code"  # other code channels have a dash: no input name has one


def flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def fail(name: str, value, rule: str) -> UsageError:
    return UsageError(f"{name}: {value!r}: {rule}")


def validate(spec: JobSpec) -> None:
    """Raise UsageError, one line naming the flag, the value and what is allowed."""
    for check in _CHECKS:
        check(spec)


def _files(spec: JobSpec) -> None:
    _existing_file("--sagemaker-script", spec.script)
    if spec.requirements:
        _existing_file("--sagemaker-requirements", spec.requirements)
    if spec.configuration_script:
        _existing_file("--sagemaker-configuration-script", spec.configuration_script)
    for module in spec.modules:
        path = module.path
        if not path or not (os.path.isdir(path) or (path.endswith(".py") and os.path.isfile(path))):
            raise fail(flag(module.name), path, "module must be an existing directory or .py file")


def _existing_file(name: str, path: str) -> None:
    if not os.path.isfile(path):
        raise fail(name, path, "no such file")


def _inputs(spec: JobSpec) -> None:
    for item in spec.inputs:
        if item.name == SHARED_CODE_CHANNEL:
            raise fail("inputs", item.name, "the name is reserved for the channel of the code")
    given = [i for i in spec.inputs if i.value]
    if len(given) > MAX_INPUTS:
        raise UsageError(f"inputs: {len(given)} given; SageMaker allows at most {MAX_INPUTS}")
    for item in given:
        if item.value.startswith("job:"):
            _job_reference(flag(item.name), item.value)
        elif item.value.startswith("s3://"):
            check_s3_uri(flag(item.name), item.value)
        elif not os.path.exists(item.value):
            raise fail(flag(item.name), item.value, "no such file or directory (or use s3://...)")


def _job_reference(name: str, value: str) -> None:
    job = value[len("job:") :].split("/", 1)[0]
    if not re.fullmatch(JOB_NAME_PATTERN, job) or len(job) > 63:
        raise fail(name, value, "expected job:JOB-NAME/OUTPUT-NAME (or job:JOB-NAME)")


def _outputs(spec: JobSpec) -> None:
    if len(spec.outputs) > MAX_OUTPUTS:
        raise UsageError(
            f"outputs: {len(spec.outputs)} given; SageMaker allows at most {MAX_OUTPUTS}"
        )
    for item in spec.outputs:
        if item.s3 != "default":
            check_s3_uri(flag(item.name + "_s3"), item.s3, allowed="'default' or s3://bucket/key")


def check_s3_uri(name: str, value: str, allowed: str = "s3://bucket/key") -> None:
    from .s3uri import S3Uri

    if len(value) > MAX_S3_URI:
        raise fail(name, value[:60] + "...", f"S3 URIs are at most {MAX_S3_URI} characters")
    try:
        S3Uri.parse(value)
    except ValueError as exc:
        raise UsageError(f"{name}: {exc} (expected {allowed})") from None


def _mounts(spec: JobSpec) -> None:
    mounts = {
        "--sagemaker-input-mount": spec.input_mount,
        "--sagemaker-output-mount": spec.output_mount,
        "--sagemaker-module-mount": spec.module_mount,
    }
    for name, path in mounts.items():
        normal = posixpath.normpath(path or "/")
        if not normal.startswith(CONTAINER_ROOT + "/") or normal == CONTAINER_ROOT + "/code":
            raise fail(name, path, f"must be a folder under {CONTAINER_ROOT}/ (not .../code)")
    values = [posixpath.normpath(p) for p in mounts.values()]
    for a in values:
        for b in values:
            if a != b and (b + "/").startswith(a + "/"):
                raise UsageError(f"mount points {a} and {b} overlap; give each its own folder")
    if len(set(values)) != len(values):
        raise UsageError(f"mount points must differ, got {', '.join(values)}")


def _job(spec: JobSpec) -> None:
    if spec.job_name:
        validate_job_name(spec.job_name)
    if not spec.instance.startswith("ml."):
        raise fail("--sagemaker-instance", spec.instance, "expected an ml.* instance type")
    _range("--sagemaker-instance-count", spec.instance_count, 1, 100)
    _range("--sagemaker-volume-size", spec.volume_size, 1, MAX_VOLUME_GB)
    _range("--sagemaker-runtime-seconds", spec.runtime_seconds, 1, MAX_RUNTIME_SECONDS)
    if not is_role_arn(spec.role):
        parse_role_name(spec.role)
    if spec.image and len(spec.image) > 255:
        raise fail("--sagemaker-image", spec.image[:60] + "...", "at most 255 characters")
    _python(spec.python)


def _python(python: str) -> None:
    try:
        words = shlex.split(python)
    except ValueError as exc:
        raise fail("--sagemaker-python", python, f"not a valid command ({exc})") from None
    if not words or any(len(w) > MAX_ARGUMENT for w in words):
        raise fail("--sagemaker-python", python, "must name an interpreter, e.g. python3")


def _range(name: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        raise fail(name, value, f"must be between {low} and {high}")


def _env(spec: JobSpec) -> None:
    limit = MAX_ENV_ENTRIES - RESERVED_ENV_ENTRIES
    if len(spec.env) > limit:
        raise fail(
            "--sagemaker-env",
            f"{len(spec.env)} entries",
            f"at most {limit} (SageMaker allows "
            f"{MAX_ENV_ENTRIES}, {RESERVED_ENV_ENTRIES} are used by aws-sagemaker-remote)",
        )
    for key, value in spec.env.items():
        if not re.fullmatch(ENV_KEY_PATTERN, key) or len(key) > MAX_ENV_VALUE:
            raise fail(
                "--sagemaker-env", key, "names are letters, digits and _, not starting with a digit"
            )
        if key.startswith("AWS_SAGEMAKER_REMOTE_"):
            raise fail("--sagemaker-env", key, "AWS_SAGEMAKER_REMOTE_* names are reserved")
        if len(value) > MAX_ENV_VALUE:
            raise fail(
                "--sagemaker-env", f"{key}=...", f"values are at most {MAX_ENV_VALUE} characters"
            )


def _tags(spec: JobSpec) -> None:
    if len(spec.tags) > MAX_TAGS - 4:
        raise fail("--sagemaker-tags", f"{len(spec.tags)} tags", f"at most {MAX_TAGS - 4}")
    for key, value in spec.tags.items():
        check_user_key(key)
        if len(value) > 256 or not re.fullmatch(TAG_PATTERN, value):
            raise fail(
                "--sagemaker-tags", value, "values are 0-256 letters, digits, spaces and _.:/=+-@"
            )


def _network(spec: JobSpec) -> None:
    if bool(spec.subnets) != bool(spec.security_groups):
        raise UsageError(
            "--sagemaker-subnets and --sagemaker-security-groups: give both or neither"
        )
    if len(spec.subnets) > MAX_SUBNETS:
        raise fail("--sagemaker-subnets", ",".join(spec.subnets), f"at most {MAX_SUBNETS}")
    if len(spec.security_groups) > MAX_SECURITY_GROUPS:
        raise fail(
            "--sagemaker-security-groups",
            ",".join(spec.security_groups),
            f"at most {MAX_SECURITY_GROUPS}",
        )
    for name, key in (
        ("--sagemaker-output-kms-key", spec.output_kms_key),
        ("--sagemaker-volume-kms-key", spec.volume_kms_key),
    ):
        if key and (len(key) > 2048 or not re.fullmatch(KMS_PATTERN, key)):
            raise fail(name, key, "a KMS key id, alias or ARN ([a-zA-Z0-9:/_-], at most 2048)")


def _staging(spec: JobSpec) -> None:
    if spec.bucket:
        from .aws.bucket import validate_bucket_name

        validate_bucket_name(spec.bucket)
    if spec.prefix and not re.fullmatch(r"[A-Za-z0-9!_.*'()/-]+", spec.prefix):
        raise fail("--sagemaker-prefix", spec.prefix, "letters, digits and !_.*'()/- only")
    if spec.download and not spec.wait:
        raise UsageError(
            "--sagemaker-download yes needs --sagemaker-wait yes (outputs exist once the job "
            "has ended); later, use: aws-sagemaker-remote processing download JOB-NAME"
        )
    if spec.output_json and not os.path.isdir(os.path.dirname(os.path.abspath(spec.output_json))):
        raise fail("--sagemaker-output-json", spec.output_json, "its folder does not exist")


_CHECKS: List[Callable[[JobSpec], None]] = [
    _files,
    _inputs,
    _outputs,
    _mounts,
    _job,
    _env,
    _tags,
    _network,
    _staging,
]
