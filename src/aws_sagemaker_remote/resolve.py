"""Decide the names a job needs (region, account, role, bucket, image, job name) without creating
anything; ``provision`` creates the missing role and bucket once the plan has been made."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Any, Optional

from .errors import UsageError
from .gitinfo import git_state
from .jobname import job_name as timestamped_name
from .jobspec import JobSpec
from .plan import Resolved

LOCAL_ACCOUNT = "000000000000"


@dataclass
class Resolution:
    backend: Any
    resolved: Resolved
    spec: JobSpec
    session: Any = None
    role_missing: bool = False

    def provision(self) -> bool:
        """Create what the names refer to: the role (AWS, when missing) and the bucket. True
        when a role was created (SageMaker may need a few seconds before it can assume it)."""
        spec, resolved = self.spec, self.resolved
        if self.session is not None and self.role_missing:
            from .aws.images import partition
            from .aws.role import resolve_role

            resolve_role(
                self.session,
                spec.role,
                account=resolved.account,
                create=True,
                partition=partition(resolved.region),
            )
        from .aws.bucket import ensure_bucket

        ensure_bucket(self.backend.s3, resolved.bucket, resolved.region, create=True)
        return self.session is not None and self.role_missing


def resolve(spec: JobSpec) -> Resolution:
    if spec.backend == "local":
        resolution = _resolve_local(spec)
    elif _offline_dry_run(spec):
        resolution = _resolve_offline(spec)
    else:
        resolution = _resolve_aws(spec)
    resolution.spec = _with_job_references(resolution)
    resolution.resolved.s3_objects = _classify_s3_inputs(resolution)
    return resolution


def _common(spec: JobSpec, region: str, role_arn: str, bucket: str, account: Optional[str]):
    from .aws.images import default_image

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
    from .aws.role import is_role_arn

    return bool(
        spec.dry_run and is_role_arn(spec.role) and spec.bucket and spec.region and spec.image
    )


def _resolve_offline(spec: JobSpec) -> Resolution:
    account = spec.role.split(":")[4]
    return Resolution(None, _common(spec, spec.region, spec.role, spec.bucket, account), spec)


def _resolve_local(spec: JobSpec) -> Resolution:
    from .aws.role import is_role_arn, parse_role_name, role_arn
    from .backends import get_backend

    region = spec.region or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    backend = get_backend("local", region=region, profile=spec.profile)
    arn = spec.role
    if not is_role_arn(arn):
        arn = role_arn("aws", LOCAL_ACCOUNT, parse_role_name(spec.role))
    bucket = spec.bucket or f"sagemaker-{region}-{LOCAL_ACCOUNT}"
    return Resolution(backend, _common(spec, region, arn, bucket, LOCAL_ACCOUNT), spec)


def _resolve_aws(spec: JobSpec) -> Resolution:
    """Read-only: the caller's account (which also proves the credentials work, with one clear
    line when they do not), the role's ARN, and a bucket that is ours or missing."""
    from .aws.bucket import default_bucket_name, ensure_bucket
    from .aws.images import partition
    from .aws.role import lookup_role
    from .aws.session import account_id, make_session, session_region

    session = make_session(spec.profile, spec.region)
    region = session_region(session, spec.region)
    account = account_id(session)
    arn, role_missing = lookup_role(
        session, spec.role, account=account, partition=partition(region), loud=True
    )
    bucket = spec.bucket or default_bucket_name(region, account)
    from .backends.aws import AwsBackend

    backend = AwsBackend(session)
    ensure_bucket(backend.s3, bucket, region, create=False)
    resolved = _common(spec, region, arn, bucket, account)
    return Resolution(backend, resolved, spec, session, role_missing)


def _with_job_references(resolution: Resolution) -> JobSpec:
    spec = resolution.spec
    if not any(i.value.startswith("job:") for i in spec.inputs):
        return spec
    if resolution.backend is None:
        raise UsageError(
            "job: inputs need the backend to look the job up; drop the dry-run shortcut"
        )
    from .jobref import resolve_job_reference

    inputs = [
        replace(i, value=resolve_job_reference(resolution.backend, i.value))
        if i.value.startswith("job:")
        else i
        for i in spec.inputs
    ]
    return replace(spec, inputs=inputs)


def _classify_s3_inputs(resolution: Resolution) -> dict:
    """For each s3:// input, whether it names one object (True) or a prefix (False); checks that
    something is there when the backend can look."""
    found = {}
    for item in resolution.spec.inputs:
        if not item.value.startswith("s3://"):
            continue
        if resolution.backend is None:
            found[item.value] = False
            continue
        found[item.value] = _s3_input_kind(resolution.backend.s3, item.name, item.value)
    return found


def _s3_input_kind(s3: Any, name: str, uri: str) -> bool:
    from botocore.exceptions import ClientError

    from .s3uri import S3Uri

    parsed = S3Uri.parse(uri)
    if parsed.key and not parsed.key.endswith("/"):
        try:
            s3.head_object(Bucket=parsed.bucket, Key=parsed.key)
            return True
        except ClientError:
            pass
    try:
        listed = s3.list_objects_v2(Bucket=parsed.bucket, Prefix=parsed.key, MaxKeys=1)
    except ClientError as exc:
        raise UsageError(f"--{name.replace('_', '-')}: {uri!r}: cannot be read ({exc})") from None
    if not listed.get("KeyCount"):
        raise UsageError(f"--{name.replace('_', '-')}: {uri!r}: no object or prefix there")
    return False
