"""Decide the names a job needs (region, account, role, bucket, image, job name) without creating
anything. What is missing is created later, by `provision`, once the plan has been made."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Any, Dict, Optional

from ..args import is_job_reference
from ..contract import PLACEHOLDER_ACCOUNT
from ..errors import UsageError
from ..flags import flag_of
from .jobref import resolve_job_reference
from .naming import job_name as timestamped_name
from .spec import JobSpec
from .tags import GitState, git_state


@dataclass(frozen=True)
class Resolved:
    """Names that need AWS (or the emulator) to decide; everything else comes from the JobSpec.

    `s3_objects` tells, for each `s3://` input, whether it names one object (True) or a prefix.
    """

    region: str
    role_arn: str
    bucket: str
    image: str
    job_name: str
    account: Optional[str] = None
    git: Optional[GitState] = None
    s3_objects: Dict[str, bool] = field(default_factory=dict)


@dataclass(frozen=True)
class Resolution:
    """The resolved names, the spec with `job:` inputs replaced by S3 URIs, and what
    `provision` needs: the backend, the boto3 session (AWS only), whether the role is missing."""

    backend: Any
    resolved: Resolved
    spec: JobSpec
    session: Any = None
    role_missing: bool = False


def resolve(spec: JobSpec) -> Resolution:
    if spec.backend == "local":
        backend, resolved, session, missing = _resolve_local(spec)
    elif _offline_dry_run(spec):
        backend, resolved, session, missing = None, _resolve_offline(spec), None, False
    else:
        backend, resolved, session, missing = _resolve_aws(spec)
    spec = _with_job_references(backend, spec)
    resolved = replace(resolved, s3_objects=_classify_s3_inputs(backend, spec))
    return Resolution(backend, resolved, spec, session, missing)


def _common(spec: JobSpec, region: str, role_arn: str, bucket: str, account: Optional[str]):
    from ..aws.images import default_image

    return Resolved(
        region=region,
        role_arn=role_arn,
        bucket=bucket,
        image=spec.image or default_image(region),
        job_name=spec.job_name or timestamped_name(spec.base_job_name),
        account=account,
        git=git_state(os.path.dirname(os.path.abspath(spec.script))),
    )


def _offline_dry_run(spec: JobSpec) -> bool:
    from ..aws.role import is_role_arn

    return bool(
        spec.dry_run and is_role_arn(spec.role) and spec.bucket and spec.region and spec.image
    )


def _resolve_offline(spec: JobSpec) -> Resolved:
    account = spec.role.split(":")[4]
    return _common(spec, spec.region, spec.role, spec.bucket, account)


def _resolve_local(spec: JobSpec):
    from ..aws.role import is_role_arn, parse_role_name, role_arn
    from ..backends import get_backend

    region = spec.region or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    backend = get_backend("local", region=region, profile=spec.profile)
    arn = spec.role
    if not is_role_arn(arn):
        arn = role_arn("aws", PLACEHOLDER_ACCOUNT, parse_role_name(spec.role))
    bucket = spec.bucket or f"sagemaker-{region}-{PLACEHOLDER_ACCOUNT}"
    return backend, _common(spec, region, arn, bucket, PLACEHOLDER_ACCOUNT), None, False


def _resolve_aws(spec: JobSpec):
    """Read-only: the caller's account (which also proves the credentials work, with one clear
    line when they do not), the role's ARN, and a bucket that is ours or missing."""
    from ..aws.bucket import default_bucket_name, ensure_bucket
    from ..aws.partition import partition
    from ..aws.role import lookup_role
    from ..aws.session import account_id, make_session, session_region
    from ..backends.aws import AwsBackend

    session = make_session(spec.profile, spec.region)
    region = session_region(session, spec.region)
    account = account_id(session)
    arn, role_missing = lookup_role(
        session, spec.role, account=account, partition=partition(region), loud=True
    )
    bucket = spec.bucket or default_bucket_name(region, account)
    backend = AwsBackend(session)
    ensure_bucket(backend.s3, bucket, region, create=False)
    return backend, _common(spec, region, arn, bucket, account), session, role_missing


def _with_job_references(backend: Any, spec: JobSpec) -> JobSpec:
    if not any(is_job_reference(i.value) for i in spec.inputs):
        return spec
    if backend is None:
        raise UsageError(
            "job: inputs need the backend to look the job up; drop the dry-run shortcut"
        )
    inputs = [
        replace(i, value=_job_reference(backend, i.name, i.value))
        if is_job_reference(i.value)
        else i
        for i in spec.inputs
    ]
    return replace(spec, inputs=inputs)


def _job_reference(backend: Any, name: str, value: str) -> str:
    try:
        return resolve_job_reference(backend, value)
    except UsageError as exc:
        raise UsageError(f"{flag_of(name)}: {exc}") from None


def _classify_s3_inputs(backend: Any, spec: JobSpec) -> Dict[str, bool]:
    """For each s3:// input, whether it names one object (True) or a prefix (False); checks that
    something is there when the backend can look."""
    found = {}
    for item in spec.inputs:
        if not item.value.startswith("s3://"):
            continue
        if backend is None:
            found[item.value] = False
            continue
        found[item.value] = _s3_input_kind(backend.s3, item.name, item.value)
    return found


def _s3_input_kind(s3: Any, name: str, uri: str) -> bool:
    from botocore.exceptions import ClientError

    from ..s3.uri import parse

    parsed = parse(uri)
    if parsed.key and not parsed.key.endswith("/"):
        try:
            s3.head_object(Bucket=parsed.bucket, Key=parsed.key)
            return True
        except ClientError:
            pass
    try:
        listed = s3.list_objects_v2(Bucket=parsed.bucket, Prefix=parsed.key, MaxKeys=1)
    except ClientError as exc:
        raise UsageError(f"{flag_of(name)}: {uri!r}: cannot be read ({exc})") from None
    if not listed.get("KeyCount"):
        raise UsageError(f"{flag_of(name)}: {uri!r}: no object or prefix there")
    return False
