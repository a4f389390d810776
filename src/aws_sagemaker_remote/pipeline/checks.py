"""What every check of a JobSpec is made of: one line naming the flag or parameter, the value
and what is allowed (validate.py runs the checks every kind shares, each kind's pipeline module
its own)."""

from __future__ import annotations

from .. import contract as c
from ..errors import UsageError


def fail(name: str, value, rule: str) -> UsageError:
    return UsageError(f"{name}: {value!r}: {rule}")


def check_s3_uri(name: str, value: str, allowed: str = "s3://bucket/key") -> None:
    from ..s3.uri import parse

    if len(value) > c.MAX_S3_URI:
        raise fail(name, value[:60] + "...", f"S3 URIs are at most {c.MAX_S3_URI} characters")
    try:
        parse(value)
    except ValueError as exc:
        raise UsageError(f"{name}: {exc} (expected {allowed})") from None
