"""Decide the names a job needs (region, account, role, bucket, image, job name) without creating
anything, and refuse what AWS would refuse late: a missing output bucket, a job name in use, a
local emulator without an S3 server. What is missing is created later, by `provision`, once the
plan has been made."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, replace
from typing import Any, Dict, Optional

from ..args import is_job_reference
from ..contract import PLACEHOLDER_ACCOUNT
from ..errors import UsageError
from ..flags import flag_of
from ..kinds import JobKind, home
from .jobref import resolve_input
from .naming import job_name as timestamped_name
from .offline import resolved_without_aws, unreachable, without_aws
from .spec import JobSpec
from .tags import GitState, git_state


@dataclass(frozen=True)
class Resolved:
    """Names that need AWS (or the emulator) to decide; everything else comes from the JobSpec.

    `s3_objects` tells, for each `s3://` input, whether it names one object (True) or a prefix.
    `expected_owner` maps a bucket to the account that must own it: the default bucket
    `sagemaker-REGION-ACCOUNT` on AWS, whose name anyone could take first. Every S3 call on such
    a bucket passes `ExpectedBucketOwner=bucket_owner(bucket)` (staging, outputs, provisioning).
    """

    region: str
    role_arn: str
    bucket: str
    image: str
    job_name: str
    account: Optional[str] = None
    git: Optional[GitState] = None
    s3_objects: Dict[str, bool] = field(default_factory=dict)
    expected_owner: Dict[str, str] = field(default_factory=dict)

    def bucket_owner(self, bucket: str) -> Optional[str]:
        """The ExpectedBucketOwner for S3 calls on `bucket`, or None."""
        return self.expected_owner.get(bucket)


@dataclass(frozen=True)
class Resolution:
    """The resolved names, the spec with `job:` inputs replaced by S3 URIs, and what
    `provision` needs: the backend, the boto3 session (AWS only), whether the role is missing
    (to be created) or ours (created by this tool: its policy may be extended)."""

    backend: Any
    resolved: Resolved
    spec: JobSpec
    session: Any = None
    role_missing: bool = False
    role_ours: bool = False


def resolve(spec: JobSpec) -> Resolution:
    backend, resolved, session, role = _names(spec)
    spec = _with_job_references(backend, spec)
    resolved = replace(resolved, s3_objects=_classify_s3_inputs(backend, spec, resolved))
    if backend is not None:
        _check_outputs_exist(backend.s3, spec)
        _check_job_name_free(backend, resolved.job_name, bool(spec.job_name), spec.kind)
    _warn_about_python(spec)
    return Resolution(backend, resolved, with_locations(spec, resolved), session,
                      bool(role and role.missing), bool(role and role.ours))  # fmt: skip


def _names(spec: JobSpec):
    """The backend (None: a dry run without AWS, pipeline/offline.py), the resolved names,
    the boto3 session and the role's lookup (AWS only)."""
    if spec.backend == "local":
        return (*_resolve_local(spec), None)
    offline = without_aws(spec) if spec.dry_run else None
    if offline is None:
        try:
            return _resolve_aws(spec)
        except Exception as error:
            offline = unreachable(spec, error)
            if offline is None:
                raise
    return None, resolved_without_aws(spec, offline, _common), None, None


def staging_base(bucket: str, prefix: str) -> str:
    """`s3://BUCKET/PREFIX/`: where a job's code, staged inputs and default places are."""
    return f"s3://{bucket}/{prefix.strip('/') + '/' if prefix.strip('/') else ''}"


def with_locations(spec: JobSpec, resolved: Resolved) -> JobSpec:
    """The spec with every S3 place left to its default (None) made a URI under the staging
    base: each output at `<base><job>/<output>`, and the kind's own places (its pipeline
    module's `with_locations`). The one reader of the `default` place."""
    base = staging_base(resolved.bucket, spec.prefix)
    outputs = [
        out if out.s3 is not None else replace(out, s3=f"{base}{resolved.job_name}/{out.name}")
        for out in spec.outputs
    ]
    spec = replace(spec, outputs=outputs)
    return home(__package__, spec.kind).with_locations(spec, base, resolved.job_name)


def _common(spec: JobSpec, region: str, role_arn: str, bucket: str, account: Optional[str]):
    from ..images.jobimage import job_image

    return Resolved(
        region=region,
        role_arn=role_arn,
        bucket=bucket,
        image=job_image(spec.image, spec.instance, region),
        job_name=spec.job_name
        or timestamped_name(spec.base_job_name, fallback=spec.kind.defaults.base_job_name),
        account=account,
        git=git_state(os.path.dirname(os.path.abspath(spec.script))),
    )


def _warn_about_python(spec: JobSpec) -> None:
    from ..images.jobimage import local_python_warning

    warning = local_python_warning(spec.image, spec.instance)
    if warning:
        print(warning, file=sys.stderr)


def _resolve_local(spec: JobSpec):
    from ..aws.role import is_role_arn, parse_role_name, role_arn
    from ..backends import get_backend

    region = spec.region or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    backend = get_backend("local", region=region, profile=spec.profile, emulation=_emulation(spec))
    _ = backend.s3  # chosen and checked now, before anything is staged (local/s3endpoint.py)
    arn = spec.role
    if not is_role_arn(arn):
        arn = role_arn("aws", PLACEHOLDER_ACCOUNT, parse_role_name(spec.role))
    bucket = spec.bucket or f"sagemaker-{region}-{PLACEHOLDER_ACCOUNT}"
    return backend, _common(spec, region, arn, bucket, PLACEHOLDER_ACCOUNT), None


def _emulation(spec: JobSpec):
    """How the emulator runs the job: its environment, the image's declared packages, whether
    the import pre-flight (on unless `off`) has said the image has no profile."""
    from ..backends.local.handoff import Emulation
    from ..images.packages import DECLARE_FLAG, declared_lines

    warned = spec.import_check != "off"
    if not spec.image_packages:
        return Emulation(spec.emulator_environment, image_warned=warned)
    try:
        lines = declared_lines(spec.image_packages)
    except OSError as error:
        raise UsageError(f"{DECLARE_FLAG}: {spec.image_packages!r}: {error.strerror}") from None
    path = os.path.abspath(spec.image_packages)
    return Emulation(spec.emulator_environment, lines, path, image_warned=warned)


def _resolve_aws(spec: JobSpec):
    """Read-only: the caller's account (which also proves the credentials work, with one clear
    line when they do not), the role, and a bucket that is ours or missing."""
    from ..aws.bucket import default_bucket_name, ensure_bucket
    from ..aws.partition import partition
    from ..aws.role import lookup_role
    from ..aws.session import account_id, make_session, session_region
    from ..backends.aws import AwsBackend

    session = make_session(spec.profile, spec.region)
    region = session_region(session, spec.region)
    account = account_id(session)
    role = lookup_role(session, spec.role, account=account, partition=partition(region), loud=True)
    bucket = spec.bucket or default_bucket_name(region, account)
    owner = {bucket: account} if bucket == default_bucket_name(region, account) else {}
    backend = AwsBackend(session)
    ensure_bucket(backend.s3, bucket, region, create=False, expected_owner=owner.get(bucket))
    resolved = replace(_common(spec, region, role.arn, bucket, account), expected_owner=owner)
    return backend, resolved, session, role


def _check_outputs_exist(s3: Any, spec: JobSpec) -> None:
    """HeadBucket on each output's own bucket (and on the other places the user chose that the
    job writes, e.g. checkpoints): a missing one would fail the job only at its end, or at its
    first checkpoint, after the compute. A bucket we may not look at is left to the job's
    role."""
    from botocore.exceptions import ClientError

    from ..aws.errors import is_not_found
    from ..s3.uri import parse

    places = [(flag_of(out.name + "_s3"), out.s3) for out in spec.outputs if out.s3 is not None]
    places += home(__package__, spec.kind).chosen_places(spec)
    for flag, uri in places:
        bucket = parse(uri).bucket
        try:
            s3.head_bucket(Bucket=bucket)
        except ClientError as exc:
            if is_not_found(exc):
                raise UsageError(f"{flag}: {uri!r}: bucket {bucket} does not exist") from None


def _check_job_name_free(backend: Any, name: str, chosen: bool, kind: JobKind) -> None:
    """Describe*Job: a name in use fails Create*Job, after the staging."""
    from ..aws.errors import is_not_found

    try:
        backend.describe_job(kind, name)
    except Exception as exc:
        if is_not_found(exc):
            return
        raise
    where = "--sagemaker-job-name" if chosen else "job name"
    raise UsageError(
        f"{where}: {name!r}: a {kind.name} job of that name exists already (names are unique "
        "per account and region); choose another"
    )


def _with_job_references(backend: Any, spec: JobSpec) -> JobSpec:
    spec = home(__package__, spec.kind).with_references(spec, backend)
    if not any(is_job_reference(i.value) for i in spec.inputs):
        return spec
    if backend is None:
        raise UsageError(
            "job: inputs are looked up in AWS, which this dry run cannot reach (see the note)"
        )
    inputs = [
        replace(i, value=resolve_input(backend, i.name, i.value))
        if is_job_reference(i.value)
        else i
        for i in spec.inputs
    ]
    return replace(spec, inputs=inputs)


def _classify_s3_inputs(backend: Any, spec: JobSpec, resolved: Resolved) -> Dict[str, bool]:
    """For each s3:// input, whether it names one object (True) or a prefix (False); checks that
    something is there when the backend can look."""
    found = {}
    for item in spec.inputs:
        if not item.value.startswith("s3://"):
            continue
        if backend is None:
            found[item.value] = False
            continue
        found[item.value] = _s3_input_kind(backend.s3, item.name, item.value, resolved)
    return found


def _s3_input_kind(s3: Any, name: str, uri: str, resolved: Resolved) -> bool:
    from botocore.exceptions import ClientError

    from ..s3.uri import parse

    parsed = parse(uri)
    owner = resolved.bucket_owner(parsed.bucket)
    expected = {"ExpectedBucketOwner": owner} if owner else {}
    if parsed.key and not parsed.key.endswith("/"):
        try:
            s3.head_object(Bucket=parsed.bucket, Key=parsed.key, **expected)
            return True
        except ClientError:
            pass
    try:
        listed = s3.list_objects_v2(Bucket=parsed.bucket, Prefix=parsed.key, MaxKeys=1, **expected)
    except ClientError as exc:
        raise UsageError(f"{flag_of(name)}: {uri!r}: cannot be read ({exc})") from None
    if not listed.get("KeyCount"):
        raise UsageError(f"{flag_of(name)}: {uri!r}: no object or prefix there")
    return False
