"""The staging bucket: its default name, its validation, and creating it when missing.

The default bucket `sagemaker-REGION-ACCOUNT` is a name anyone could create first ("bucket
sniping"), so every call on it passes ExpectedBucketOwner=ACCOUNT, as the official SDK does
(sagemaker `session.py`, `general_bucket_check_if_user_has_permission` and
`expected_bucket_owner_id_bucket_check`); a bucket owned by another account then answers 403.
"""

from __future__ import annotations

from typing import Any, Optional

from ..aws.errors import aws_error_code, is_denied, is_not_found
from ..errors import UsageError
from ..s3.uri import bucket_rule_broken


def default_bucket_name(region: str, account: str) -> str:
    return f"sagemaker-{region}-{account}"


def validate_bucket_name(name: str) -> None:
    problem = bucket_rule_broken(name)
    if problem:
        raise UsageError(
            f"--sagemaker-bucket: {name!r} is not a valid S3 bucket name: it {problem}"
        )


def ensure_bucket(
    s3_client: Any,
    name: str,
    region: str,
    *,
    create: bool,
    expected_owner: Optional[str] = None,
) -> bool:
    """Check the bucket is there and usable; True when it was missing (and created if `create`).
    With `expected_owner`, a bucket of another account is refused."""
    from botocore.exceptions import ClientError

    owner = {"ExpectedBucketOwner": expected_owner} if expected_owner else {}
    try:
        s3_client.head_bucket(Bucket=name, **owner)
        return False
    except ClientError as exc:
        if is_denied(exc):
            raise UsageError(_not_accessible(name, expected_owner)) from None
        if not is_not_found(exc):
            raise
    # CreateBucket takes no ExpectedBucketOwner: a bucket another account holds fails with
    # BucketAlreadyExists, one of ours created meanwhile answers BucketAlreadyOwnedByYou.
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
            raise UsageError(_not_accessible(name, None)) from None
        raise


def _not_accessible(name: str, expected_owner: Optional[str]) -> str:
    whose = (
        f"is not accessible with these credentials or not owned by account {expected_owner}"
        if expected_owner
        else "is not accessible with these credentials"
    )
    return (
        f"--sagemaker-bucket: bucket {name} exists but {whose}; "
        "pass --sagemaker-bucket with a bucket you can write to"
    )
