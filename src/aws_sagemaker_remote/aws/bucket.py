"""The staging bucket: its default name, its validation, and creating it when missing."""

from __future__ import annotations

import re
from typing import Any

from aws_sagemaker_remote.errors import UsageError

_CHARS_RE = re.compile(r"^[a-z0-9][a-z0-9.-]*[a-z0-9]$")
_IP_RE = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
_MISSING_CODES = {"404", "NoSuchBucket", "NotFound"}
_FORBIDDEN_CODES = {"403", "AccessDenied", "Forbidden"}


def default_bucket_name(region: str, account: str) -> str:
    return f"sagemaker-{region}-{account}"


def bucket_name_problem(name: str) -> str:
    """What is wrong with `name` as an S3 bucket name, or "" when nothing is."""
    if not 3 <= len(name) <= 63:
        return "must be 3-63 characters long"
    if not _CHARS_RE.fullmatch(name):
        return (
            "may only hold lowercase letters, digits, dots and hyphens, and must begin and "
            "end with a letter or digit"
        )
    if ".." in name or ".-" in name or "-." in name:
        return "may not have a dot next to another dot or a hyphen"
    if _IP_RE.fullmatch(name):
        return "may not look like an IP address"
    if name.startswith(_RESERVED_PREFIXES):
        return "may not start with " + ", ".join(_RESERVED_PREFIXES)
    if name.endswith(_RESERVED_SUFFIXES):
        return "may not end with " + ", ".join(_RESERVED_SUFFIXES)
    return ""


def validate_bucket_name(name: str) -> None:
    problem = bucket_name_problem(name)
    if problem:
        raise UsageError(
            f"--sagemaker-bucket: {name!r} is not a valid S3 bucket name: it {problem}"
        )


def ensure_bucket(s3_client: Any, name: str, region: str, *, create: bool) -> bool:
    """Check the bucket is there and usable; True when it was missing (and created if `create`)."""
    from botocore.exceptions import ClientError

    try:
        s3_client.head_bucket(Bucket=name)
        return False
    except ClientError as exc:
        code = _error_code(exc)
        if code in _FORBIDDEN_CODES:
            raise UsageError(_not_accessible(name)) from None
        if code not in _MISSING_CODES:
            raise
    return _create_bucket(s3_client, name, region) if create else True


def _create_bucket(s3_client: Any, name: str, region: str) -> bool:
    from botocore.exceptions import ClientError

    kwargs: dict = {"Bucket": name}
    if region != "us-east-1":
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
    try:
        s3_client.create_bucket(**kwargs)
        return True
    except ClientError as exc:
        code = _error_code(exc)
        if code == "BucketAlreadyOwnedByYou":  # created meanwhile by another run
            return False
        if code == "BucketAlreadyExists" or code in _FORBIDDEN_CODES:
            raise UsageError(_not_accessible(name)) from None
        raise


def _not_accessible(name: str) -> str:
    return (
        f"--sagemaker-bucket: bucket {name} exists but is not accessible with these credentials; "
        "pass --sagemaker-bucket with a bucket you can write to"
    )


def _error_code(exc: Any) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))
