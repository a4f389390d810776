"""The staging bucket: its default name, its validation, and creating it when missing."""

from __future__ import annotations

from typing import Any

from ..errors import UsageError, aws_error_code, is_denied, is_not_found
from ..s3.uri import bucket_rule_broken


def default_bucket_name(region: str, account: str) -> str:
    return f"sagemaker-{region}-{account}"


def validate_bucket_name(name: str) -> None:
    problem = bucket_rule_broken(name)
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
        if is_denied(exc):
            raise UsageError(_not_accessible(name)) from None
        if not is_not_found(exc):
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
        code = aws_error_code(exc)
        if code == "BucketAlreadyOwnedByYou":  # created meanwhile by another run
            return False
        if code == "BucketAlreadyExists" or is_denied(exc):
            raise UsageError(_not_accessible(name)) from None
        raise


def _not_accessible(name: str) -> str:
    return (
        f"--sagemaker-bucket: bucket {name} exists but is not accessible with these credentials; "
        "pass --sagemaker-bucket with a bucket you can write to"
    )
