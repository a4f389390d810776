"""Format checks of single values, each a pure function returning what is wrong (None: fine).

Sources, for each form:
- image reference: the grammar of distribution/reference (`reference.go`):
  `name[:tag][@digest]`, `name = domain/path`; a name without a registry would mean Docker Hub,
  which SageMaker does not pull from, so the registry part is required here; of the tag and
  the digest one at most: SageMaker "supports both registry/repository[:tag] and
  registry/repository[@digest] image path formats" (botocore's SageMaker model,
  AlgorithmSpecification.TrainingImage), not the two together;
- KMS keys: the KeyId parameter of the KMS API reference (key id, key ARN, alias name, alias
  ARN), multi-Region key ids start with `mrk-` (KMS Developer Guide, "Key identifiers");
- VPC ids: EC2 resource ids are `subnet-` / `sg-` followed by 8 (older) or 17 hex digits (EC2
  User Guide, "Resource IDs").

Standard library only.
"""

from __future__ import annotations

import re

_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*(?::[0-9]+)?"
_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[_.]|__|-+)[a-z0-9]+)*"
_TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
IMAGE_RE = re.compile(
    rf"(?P<domain>{_DOMAIN})/(?P<path>{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*)"
    rf"(?::(?P<tag>{_TAG}))?(?:@(?P<digest>{_DIGEST}))?",
    re.ASCII,
)
IMAGE_RULE = (
    "expected REGISTRY/REPOSITORY[:TAG][@DIGEST], e.g. "
    "123456789012.dkr.ecr.us-east-1.amazonaws.com/my-image:latest (lowercase repository)"
)

_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_KEY_ID = rf"(?:{_UUID}|mrk-[0-9a-fA-F]{{32}})"
_ALIAS = r"alias/[a-zA-Z0-9/_-]{1,250}"
_KMS_ARN = r"arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:"
KMS_RE = re.compile(rf"{_KEY_ID}|{_ALIAS}|{_KMS_ARN}(?:key/{_KEY_ID}|{_ALIAS})", re.ASCII)
KMS_RULE = (
    "expected a KMS key id (1234abcd-12ab-34cd-56ef-1234567890ab or mrk-...), key ARN "
    "(arn:aws:kms:REGION:ACCOUNT:key/ID), alias name (alias/NAME) or alias ARN "
    "(arn:aws:kms:REGION:ACCOUNT:alias/NAME)"
)

SUBNET_RE = re.compile(r"subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})", re.ASCII)
SECURITY_GROUP_RE = re.compile(r"sg-(?:[0-9a-f]{8}|[0-9a-f]{17})", re.ASCII)


def image_problem(value: str) -> str | None:
    match = IMAGE_RE.fullmatch(value)
    if match is None:
        return IMAGE_RULE
    if match.group("tag") and match.group("digest"):
        return (
            "a tag and a digest: SageMaker takes REGISTRY/REPOSITORY:TAG or "
            "REGISTRY/REPOSITORY@DIGEST; drop the tag (the digest names the image)"
        )
    return None


def kms_key_problem(value: str) -> str | None:
    return None if KMS_RE.fullmatch(value) else KMS_RULE


def subnet_problem(value: str) -> str | None:
    if SUBNET_RE.fullmatch(value):
        return None
    return "expected a subnet id: subnet- and 8 or 17 lowercase hex digits"


def security_group_problem(value: str) -> str | None:
    if SECURITY_GROUP_RE.fullmatch(value):
        return None
    return "expected a security group id: sg- and 8 or 17 lowercase hex digits"


def prefix_problem(value: str) -> str | None:
    """An S3 key prefix of ours: relative, no empty, `.` or `..` components."""
    if value.startswith("/"):
        return "must not start with / (it is a key prefix inside the bucket)"
    parts = value.rstrip("/").split("/")
    if any(part in ("", ".", "..") for part in parts):
        return "must not have empty, '.' or '..' components"
    return None
