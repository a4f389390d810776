"""AWS partitions: a region's ARN partition and DNS suffix."""

from __future__ import annotations

# Region prefix -> DNS suffix of its partition; the first matching prefix wins (botocore's
# data/partitions.json).
_DNS_SUFFIXES = (
    ("us-isob-", "sc2s.sgov.gov"),
    ("us-isof-", "csp.hci.ic.gov"),
    ("us-iso-", "c2s.ic.gov"),
    ("cn-", "amazonaws.com.cn"),
    ("", "amazonaws.com"),
)


def dns_suffix(region: str) -> str:
    return next(suffix for prefix, suffix in _DNS_SUFFIXES if region.startswith(prefix))


def partition(region: str) -> str:
    """The ARN partition of a region ("aws", "aws-cn", "aws-us-gov", ...)."""
    for prefix, name in (
        ("cn-", "aws-cn"),
        ("us-gov-", "aws-us-gov"),
        ("us-isob-", "aws-iso-b"),
        ("us-isof-", "aws-iso-f"),
        ("us-iso-", "aws-iso"),
    ):
        if region.startswith(prefix):
            return name
    return "aws"
