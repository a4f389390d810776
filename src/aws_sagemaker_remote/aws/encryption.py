"""The KMS keys of a job's S3 data: each bucket's default encryption, and the keys the user names
(`--sagemaker-s3-kms-keys`).

A bucket whose default encryption is SSE-KMS with a customer managed key encrypts every object
written without encryption headers with that key, so the job's role must be allowed to use it
(policy.py says which actions). GetBucketEncryption answers
`ServerSideEncryptionConfiguration.Rules[].ApplyServerSideEncryptionByDefault`, with
`SSEAlgorithm` (`AES256`, `aws:kms`, `aws:kms:dsse`) and, for KMS, `KMSMasterKeyID`: a key id,
key ARN or alias (botocore's S3 model, `ServerSideEncryptionByDefault`); a bucket without a
default configuration answers `ServerSideEncryptionConfigurationNotFoundError`. Without
`KMSMasterKeyID`, or with an `alias/aws/...` key, S3 uses the AWS managed key, whose key policy
already lets the account's principals use it through S3: nothing to grant.

A bucket whose encryption cannot be read (GetBucketEncryption denied to the caller) gets one
warning line that says how to name its key.
"""

from __future__ import annotations

import sys
from typing import Any, Dict, Iterable, Optional, Set

from ..aws.errors import DENIED_CODES, aws_error_code
from .policy import DataKeys, s3_buckets

KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")
AWS_MANAGED_ALIASES = "alias/aws/"
NO_CONFIGURATION = "ServerSideEncryptionConfigurationNotFoundError"


class Unreadable(Exception):
    """The bucket's encryption could not be read (the AWS error code)."""


def default_kms_key(s3: Any, bucket: str, owner: Optional[str] = None) -> Optional[str]:
    """The customer managed KMS key `bucket` encrypts new objects with by default, or None.
    Raises Unreadable when S3 refuses to say."""
    from botocore.exceptions import ClientError

    kwargs = {"Bucket": bucket, **({"ExpectedBucketOwner": owner} if owner else {})}
    try:
        rules = s3.get_bucket_encryption(**kwargs)["ServerSideEncryptionConfiguration"]["Rules"]
    except ClientError as exc:
        if aws_error_code(exc) == NO_CONFIGURATION:
            return None
        raise Unreadable(aws_error_code(exc) or type(exc).__name__) from None
    for rule in rules:
        default = rule.get("ApplyServerSideEncryptionByDefault", {})
        key = default.get("KMSMasterKeyID")
        if default.get("SSEAlgorithm") in KMS_ALGORITHMS and key:
            return None if key.startswith(AWS_MANAGED_ALIASES) else key
    return None


def data_keys(
    s3: Any,
    request: dict,
    staging_bucket: str,
    staging_prefix: str,
    owners: Dict[str, str],
    named: Iterable[str] = (),
) -> DataKeys:
    """The keys of what the job reads and writes: each bucket's default key, and the keys the
    user named (for both). One warning line per bucket whose encryption cannot be read."""
    reads, writes = s3_buckets(request, staging_bucket, staging_prefix)
    found: Dict[str, Optional[str]] = {}
    for bucket in sorted(reads | writes):
        found[bucket] = _bucket_key(s3, bucket, owners.get(bucket))
    named = set(named)

    def keys(buckets: Set[str]) -> frozenset:
        return frozenset({found[b] for b in buckets if found[b]} | named)

    return DataKeys(read=keys(reads), write=keys(writes))


def _bucket_key(s3: Any, bucket: str, owner: Optional[str]) -> Optional[str]:
    try:
        return default_kms_key(s3, bucket, owner)
    except Unreadable as exc:
        code = str(exc)
        if code not in DENIED_CODES:
            return None  # not ours to report (a missing bucket: the other checks say so)
        print(
            f"warning: cannot read the default encryption of bucket {bucket} "
            f"(s3:GetEncryptionConfiguration: {code}); if it encrypts with a KMS key of yours, "
            "name that key with --sagemaker-s3-kms-keys so the job's role may use it",
            file=sys.stderr,
        )
        return None
