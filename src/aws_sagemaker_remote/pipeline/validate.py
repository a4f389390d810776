"""Every check that can be made before any side effect. Pure but for ``stat``."""

from __future__ import annotations

import functools
import os
import re
import shlex
from typing import Callable, List, Optional, Tuple

from .. import contract as c
from ..args import JOB_REFERENCE, s3_uri_slip
from ..aws.role import is_role_arn, parse_role_name
from ..container import protocol
from ..errors import UsageError
from ..flags import flag_of as flag
from ..kinds import JobKind, home
from .checks import check_s3_uri, fail
from .naming import validate_job_name
from .spec import JobSpec
from .tags import check_user_key


def validate(spec: JobSpec) -> None:
    """Raise UsageError, one line naming the flag, the value and what is allowed."""
    for check in _CHECKS:
        check(spec)
    home(__package__, spec.kind).check(spec)


def _files(spec: JobSpec) -> None:
    _existing_file("--sagemaker-script", spec.script)
    if spec.requirements:
        _existing_file("--sagemaker-requirements", spec.requirements)
    if spec.configuration_script:
        _existing_file("--sagemaker-configuration-script", spec.configuration_script)
    if spec.image_packages:
        _existing_file("--sagemaker-image-packages", spec.image_packages)
    for module in spec.modules:
        path = module.path
        if not path or not (os.path.isdir(path) or (path.endswith(".py") and os.path.isfile(path))):
            raise fail(flag(module.name), path, "module must be an existing directory or .py file")


def _existing_file(name: str, path: str) -> None:
    if not os.path.isfile(path):
        raise fail(name, path, "no such file")


def _inputs(spec: JobSpec) -> None:
    for item in spec.inputs:
        if item.name == c.SHARED_CODE_CHANNEL:
            raise fail("inputs", item.name, "the name is reserved for the channel of the code")
    given = [i for i in spec.inputs if i.value]
    if len(given) > spec.limits.inputs:
        raise UsageError(
            f"inputs: {len(given)} given; SageMaker allows at most {spec.limits.inputs}"
            + _code_channel_note(spec)
        )
    for item in given:
        if item.value.startswith(JOB_REFERENCE):
            _job_reference(flag(item.name), item.value)
        elif item.value.startswith("s3://"):
            check_s3_uri(flag(item.name), item.value)
        elif s3_uri_slip(item.value):
            raise fail(flag(item.name), item.value, s3_uri_slip(item.value))
        elif not os.path.exists(item.value):
            raise fail(flag(item.name), item.value, "no such file or directory (or use s3://...)")


def _code_channel_note(spec: JobSpec) -> str:
    limits = spec.limits
    if limits.inputs < limits.channels:
        return f" (one of its {limits.channels} channels holds the code)"
    return ""


def _job_reference(name: str, value: str) -> None:
    from .jobref import split_reference

    try:
        split_reference(value)
    except UsageError as exc:
        raise UsageError(f"{name}: {exc}") from None


def _outputs(spec: JobSpec) -> None:
    if len(spec.outputs) > spec.limits.outputs:
        raise UsageError(
            f"outputs: {len(spec.outputs)} given; SageMaker allows at most {spec.limits.outputs}"
        )
    for item in spec.outputs:
        if s3_uri_slip(item.local):
            raise fail(flag(item.name), item.local, s3_uri_slip(item.local))
        if item.s3 is not None:
            check_s3_uri(flag(item.name + "_s3"), item.s3, allowed="'default' or s3://bucket/key")


def _job(spec: JobSpec) -> None:
    if spec.job_name:
        validate_job_name(spec.job_name)
    if not spec.instance.startswith("ml."):
        raise fail(
            "--sagemaker-instance",
            spec.instance,
            "expected an ml.* instance type" + _ml_hint(spec.instance, spec.kind),
        )
    limits = spec.limits
    _range("--sagemaker-instance-count", spec.instance_count, 1, limits.instance_count)
    _range("--sagemaker-volume-size", spec.volume_size, 1, c.MAX_VOLUME_GB)
    _range("--sagemaker-runtime-seconds", spec.runtime_seconds, 1, limits.runtime)
    if not is_role_arn(spec.role):
        parse_role_name(spec.role)
    if spec.image and len(spec.image) > c.MAX_IMAGE_URI:
        raise fail(
            "--sagemaker-image", spec.image[:60] + "...", f"at most {c.MAX_IMAGE_URI} characters"
        )
    _python(spec.python)


def _ml_hint(instance: str, kind: JobKind) -> str:
    """`t3.medium` is EC2's name of SageMaker's `ml.t3.medium`."""
    named = "ml." + instance.strip().lower().removeprefix("ml.")
    return f"; did you mean {named}?" if named in instance_types(kind) else ""


def _python(python: str) -> None:
    try:
        words = shlex.split(python)
    except ValueError as exc:
        raise fail("--sagemaker-python", python, f"not a valid command ({exc})") from None
    if not words or any(len(w) > c.MAX_ARGUMENT for w in words):
        raise fail("--sagemaker-python", python, "must name an interpreter, e.g. python3")


def _range(name: str, value: int, low: int, high: Optional[int]) -> None:
    if high is None and value < low:
        raise fail(name, value, f"must be at least {low}")
    if high is not None and not low <= value <= high:
        raise fail(name, value, f"must be between {low} and {high}")


def _env(spec: JobSpec) -> None:
    reserved, longest = spec.limits.reserved_env, spec.limits.env_value
    limit = c.MAX_ENV_ENTRIES - reserved
    if len(spec.env) > limit:
        raise fail(
            "--sagemaker-env",
            f"{len(spec.env)} entries",
            f"at most {limit} (SageMaker allows "
            f"{c.MAX_ENV_ENTRIES}, {reserved} are used by aws-sagemaker-remote)",
        )
    for key, value in spec.env.items():
        if not re.fullmatch(c.ENV_KEY_PATTERN, key) or len(key) > longest:
            raise fail(
                "--sagemaker-env", key, "names are letters, digits and _, not starting with a digit"
            )
        if key.startswith(protocol.PREFIX):
            raise fail("--sagemaker-env", key, f"{protocol.PREFIX}* names are reserved")
        if len(value) > longest:
            raise fail("--sagemaker-env", f"{key}=...", f"values are at most {longest} characters")


def _tags(spec: JobSpec) -> None:
    if len(spec.tags) > c.MAX_TAGS - 4:
        raise fail("--sagemaker-tags", f"{len(spec.tags)} tags", f"at most {c.MAX_TAGS - 4}")
    for key, value in spec.tags.items():
        check_user_key(key)
        if len(value) > c.MAX_TAG_VALUE or not c.tag_text_ok(value):
            raise fail(
                "--sagemaker-tags", value, "values are 0-256 letters, digits, spaces and _.:/=+-@"
            )


def _network(spec: JobSpec) -> None:
    if bool(spec.subnets) != bool(spec.security_groups):
        raise UsageError(
            "--sagemaker-subnets and --sagemaker-security-groups: give both or neither"
        )
    if len(spec.subnets) > c.MAX_SUBNETS:
        raise fail("--sagemaker-subnets", ",".join(spec.subnets), f"at most {c.MAX_SUBNETS}")
    if len(spec.security_groups) > c.MAX_SECURITY_GROUPS:
        raise fail(
            "--sagemaker-security-groups",
            ",".join(spec.security_groups),
            f"at most {c.MAX_SECURITY_GROUPS}",
        )
    for name, key in (
        ("--sagemaker-output-kms-key", spec.output_kms_key),
        ("--sagemaker-volume-kms-key", spec.volume_kms_key),
    ):
        if key and (len(key) > c.MAX_KMS_KEY or not re.fullmatch(c.KMS_PATTERN, key)):
            raise fail(
                name, key, f"a KMS key id, alias or ARN ([a-zA-Z0-9:/_-], at most {c.MAX_KMS_KEY})"
            )


def _staging(spec: JobSpec) -> None:
    if spec.bucket:
        from ..aws.bucket import validate_bucket_name

        validate_bucket_name(spec.bucket)
    if spec.prefix and not re.fullmatch(r"[A-Za-z0-9!_.*'()/-]+", spec.prefix):
        raise fail("--sagemaker-prefix", spec.prefix, "letters, digits and !_.*'()/- only")
    if spec.download and not spec.wait:
        raise UsageError(
            "--sagemaker-download yes needs --sagemaker-wait yes (outputs exist once the job "
            f"has ended); later, use: aws-sagemaker-remote {spec.kind.name} download JOB-NAME"
        )
    if spec.output_json and not os.path.isdir(os.path.dirname(os.path.abspath(spec.output_json))):
        raise fail("--sagemaker-output-json", spec.output_json, "its folder does not exist")


# ----------------------------------------------------------------- formats and local effects


def _formats(spec: JobSpec) -> None:
    """The forms AWS would refuse only after the bucket was made and the code uploaded."""
    from .formats import (
        image_problem,
        kms_key_problem,
        prefix_problem,
        security_group_problem,
        subnet_problem,
    )

    uri = spec.image if spec.image and "/" in spec.image else None  # names: _image
    checks = [("--sagemaker-image", uri, image_problem)]
    checks += [
        ("--sagemaker-output-kms-key", spec.output_kms_key, kms_key_problem),
        ("--sagemaker-volume-kms-key", spec.volume_kms_key, kms_key_problem),
        ("--sagemaker-prefix", spec.prefix, prefix_problem),
    ]
    checks += [("--sagemaker-s3-kms-keys", k, kms_key_problem) for k in spec.s3_kms_keys]
    checks += [("--sagemaker-subnets", s, subnet_problem) for s in spec.subnets]
    checks += [
        ("--sagemaker-security-groups", g, security_group_problem) for g in spec.security_groups
    ]
    for name, value, problem_of in checks:
        problem = problem_of(value) if value else None
        if problem:
            raise fail(name, value, problem)


def _credential_env(spec: JobSpec) -> None:
    """A credential in the request's Environment would show in DescribeProcessingJob."""
    from ..aws.credentials import is_credential_name

    for key in spec.env:
        if is_credential_name(key):
            raise fail(
                "--sagemaker-env",
                key,
                "AWS credential and profile variables are refused (a job gets its role's "
                "credentials; the request's environment is visible to anyone who can describe it)",
            )


def _local_outputs(spec: JobSpec) -> None:
    """Each output has a folder of its own (as in a local run); with --sagemaker-download yes,
    outputs are written to their local paths."""
    from ..args import shared_output_folder

    folders = list(home(__package__, spec.kind).download_folders(spec).values())
    local = [(flag(dest), path) for dest, path in folders if path and not path.startswith("s3://")]
    shared = shared_output_folder(local)
    if shared:
        name, problem = shared
        raise fail(name, dict(local)[name], problem)
    if spec.download:
        check_download_folders(spec, folders)


def check_download_folders(spec: JobSpec, folders: List[Tuple[str, str]]) -> None:
    """Each (flag dest, local folder) a download writes: not a file, not an input nor in
    one."""
    from ..args import local_output_problem

    local_inputs = [
        i.value
        for i in spec.inputs
        if i.value and not i.value.startswith("s3://") and not i.value.startswith(JOB_REFERENCE)
    ]
    for name, local in folders:
        if local and not local.startswith("s3://"):
            problem = local_output_problem(local, local_inputs) or _never_replaced(local)
            if problem:
                raise fail(flag(name), local, problem)


def _never_replaced(local: str) -> Optional[str]:
    """A link (or a pipe, a socket) in a download's folder: the download would refuse it
    after the job ran (follow/place.py), so it is refused before."""
    from pathlib import Path

    from ..follow.place import SHOWN_STRAYS, never_replaced

    found = never_replaced(Path(os.path.realpath(local)))
    if not found:
        return None
    more = f" and {len(found) - SHOWN_STRAYS} more" if len(found) > SHOWN_STRAYS else ""
    return (
        f"holds {', '.join(found[:SHOWN_STRAYS])}{more}, which a download never writes through "
        "or over (a link, or not a file); move it away or download into another folder"
    )


def _settings(_spec: JobSpec) -> None:
    """Environment settings read later (staging, the emulator), checked before any effect."""
    from .. import settings

    settings.check()


# ---------------------------------------------------------------- what AWS refuses late
# (issue 8): each of these passed the dry run before, and failed at CreateProcessingJob or in
# the running job.


def instance_types(kind: JobKind) -> Tuple[str, ...]:
    """The <Title>InstanceType enum of botocore's SageMaker model, read when first needed
    (botocore's own validation does not check enums, so Create*Job would refuse it)."""
    return _instance_types(kind.title)


@functools.lru_cache(maxsize=4)
def _instance_types(title: str) -> Tuple[str, ...]:
    from ..aws.session import shared_loader

    model = shared_loader().load_service_model("sagemaker", "service-2")
    return tuple(model["shapes"][f"{title}InstanceType"]["enum"])


def _instance_type(spec: JobSpec) -> None:
    known = instance_types(spec.kind)
    if spec.instance in known:
        return
    import difflib

    close = difflib.get_close_matches(spec.instance, known, n=3, cutoff=0.7)
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    raise fail(
        "--sagemaker-instance",
        spec.instance,
        f"not one of SageMaker's {len(known)} {spec.kind.name} instance types (e.g. "
        f"{spec.kind.defaults.instance}, ml.m5.xlarge){hint}",
    )


def _image(spec: JobSpec) -> None:
    """``FRAMEWORK[:VERSION]`` names an image for the instance type, and no image on a GPU
    instance is refused (the default image is CPU-only): images/jobimage.py."""
    from ..images.jobimage import check

    check(spec.image, spec.instance)


def _network_isolation(spec: JobSpec) -> None:
    """An isolated container has no network: pip cannot download, and a configuration step is
    refused for the same reason (what it usually does is install)."""
    if not spec.network_isolation:
        return
    for flag_name, value in (
        ("--sagemaker-requirements", spec.requirements),
        ("--sagemaker-configuration-script", spec.configuration_script),
        ("--sagemaker-configuration-command", spec.configuration_command),
    ):
        if value:
            raise UsageError(
                f"{flag_name}: not possible with --sagemaker-network-isolation yes (the "
                "container has no network to install from); drop one of the two, or bake what "
                "it installs into --sagemaker-image"
            )


def _volume_key(spec: JobSpec) -> None:
    if spec.volume_kms_key and c.has_local_instance_storage(spec.instance):
        raise UsageError(
            f"--sagemaker-volume-kms-key: {spec.instance} has local NVMe instance storage, "
            "which is encrypted by the instance itself and for which SageMaker refuses a "
            "volume KMS key; drop the key or pick an instance type without local storage"
        )


_CHECKS: List[Callable[[JobSpec], None]] = [
    _files,
    _inputs,
    _outputs,
    _job,
    _env,
    _tags,
    _network,
    _staging,
    _formats,
    _credential_env,
    _local_outputs,
    _settings,
    _instance_type,
    _network_isolation,
    _volume_key,
    _image,
]
