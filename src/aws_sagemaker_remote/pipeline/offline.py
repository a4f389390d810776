"""A dry run without AWS: no credentials and no network needed.

A dry run asks AWS only what it cannot know: the account (STS), whether the role exists, whether
the buckets and the job name are free. It resolves without AWS when nothing needs asking (a role
ARN, a bucket and a region given: the request is then exact) and when AWS cannot answer: no
region configured, no usable credentials, credentials AWS refuses, or AWS out of reach. Looking
for credentials makes no network call but for the last two providers of botocore's chain: the
container provider, only when AWS_CONTAINER_CREDENTIALS_* is set, and the EC2 instance metadata
service, asked last unless AWS_EC2_METADATA_DISABLED=true (botocore 1.44 credentials.py
`create_credential_resolver`: environment, profile providers, container, instance metadata).

The values that depend on the account then show a placeholder: the role's ARN when the role is
a name, the default bucket `sagemaker-REGION-ACCOUNT` and its expected owner; one note line on
stderr says so. Everything else is exact (the image is the region's by the
SDK's offline table, the names, the channels, the arguments), but for an `s3://` input that
names one object: without S3 it is taken as a prefix.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from typing import Any, List, NamedTuple, Optional

from ..args import is_job_reference
from ..aws.errors import is_connection_error
from .spec import JobSpec

PLACEHOLDER_ACCOUNT_ID = "<account-id>"
ASSUMED_REGION = "us-east-1"


class Offline(NamedTuple):
    """Why AWS is not asked ("" when nothing needs asking), and the session's region if any."""

    why: str
    region: Optional[str] = None


def without_aws(spec: JobSpec) -> Optional[Offline]:
    """For a dry run, whether it resolves without AWS, decided without a network call."""
    from ..aws.role import is_role_arn
    from ..aws.session import make_session

    if any(is_job_reference(item.value) for item in spec.inputs):
        return None  # the job must be looked up (an error without AWS: resolve says so)
    if is_role_arn(spec.role) and spec.bucket and spec.region:
        return Offline("", spec.region)
    session = make_session(spec.profile, spec.region)
    region = spec.region or session.region_name
    if not region:
        return Offline("no region configured")
    try:
        found = session.get_credentials()
    except Exception as exc:
        from ..aws.errors import is_credentials_error

        if not is_credentials_error(exc):
            raise
        return Offline(f"no usable AWS credentials: {type(exc).__name__}", region)
    return None if found is not None else Offline("no AWS credentials", region)


def unreachable(spec: JobSpec, error: BaseException) -> Optional[Offline]:
    """For a dry run whose resolution with AWS failed: resolve without it when AWS refused the
    credentials or could not be reached, else None (the error stands)."""
    from ..aws.session import CredentialsUnusable, make_session

    if not spec.dry_run:
        return None
    if isinstance(error, CredentialsUnusable):
        why = error.reason
    elif is_connection_error(error):
        why = f"AWS out of reach: {type(error).__name__}"
    else:
        return None
    return Offline(why, spec.region or make_session(spec.profile, None).region_name)


def resolved_without_aws(spec: JobSpec, offline: Offline, common: Any) -> Any:
    """The Resolved of a dry run without AWS (`common` makes it from region, role ARN, bucket
    and account, as for the other backends), after one note line on what stands in. A role
    ARN gives the account (the default bucket's, as the role's account is the caller's)."""
    from ..aws.bucket import default_bucket_name
    from ..aws.partition import partition
    from ..aws.role import is_role_arn, parse_role_name, role_arn

    region = offline.region or ASSUMED_REGION
    if is_role_arn(spec.role):
        arn, account, shown = spec.role, spec.role.split(":")[4], []
    else:
        account = PLACEHOLDER_ACCOUNT_ID
        arn = role_arn(partition(region), account, parse_role_name(spec.role))
        shown = ["the role's ARN"]
    bucket = spec.bucket or default_bucket_name(region, account)
    if shown and not spec.bucket:
        shown.append("the default bucket")
    _note(spec, offline, shown)
    resolved = common(spec, region, arn, bucket, account)
    return replace(resolved, expected_owner={} if spec.bucket else {bucket: account})


def _note(spec: JobSpec, offline: Offline, shown: List[str]) -> None:
    parts = []
    if shown:
        parts.append(f"{PLACEHOLDER_ACCOUNT_ID} stands for your AWS account id in {_and(shown)}")
    if not offline.region:
        parts.append(
            f"region {ASSUMED_REGION} assumed (none configured: --sagemaker-region, "
            "AWS_DEFAULT_REGION or region in a configuration file)"
        )
    if any(item.value.startswith("s3://") for item in spec.inputs):
        parts.append("s3:// inputs taken as prefixes")
    if not parts:
        return
    why = f" ({offline.why})" if offline.why else ""
    print(f"note: dry run without AWS{why}: {'; '.join(parts)}", file=sys.stderr)


def _and(items: List[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
