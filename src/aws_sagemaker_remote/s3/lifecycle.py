"""An opt-in S3 lifecycle rule for the staging prefix, and what staging must know of it.

S3 expires an object a number of days after it was written, used or not. So that a job never
reads content that expires under it, the rule's days are also written to `BASE/lifecycle.json`,
and staging trusts a manifest, or reuses an object, only while it is younger than that minus a
day; older content is sent again (which renews it). Unfinished multipart uploads are aborted
after a day.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Dict, Optional

from .manifest import MANIFESTS

GROUPS = ("code", "inputs", MANIFESTS)
MARKER = "lifecycle.json"


def marker_key(base: str) -> str:
    return f"{_base(base)}{MARKER}"


def set_rule(s3: Any, bucket: str, base: str, days: int) -> None:
    rules = [r for r in _rules(s3, bucket) if not _ours(r, base)]
    rules += [_expiry(base, group, days) for group in GROUPS]
    rules.append(_abort_uploads(base))
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})
    s3.put_object(Bucket=bucket, Key=marker_key(base), Body=json.dumps({"days": days}).encode())


def remove_rule(s3: Any, bucket: str, base: str) -> None:
    s3.delete_object(Bucket=bucket, Key=marker_key(base))  # first: staging stops relying on it
    rules = [r for r in _rules(s3, bucket) if not _ours(r, base)]
    if rules:
        s3.put_bucket_lifecycle_configuration(
            Bucket=bucket, LifecycleConfiguration={"Rules": rules}
        )
    else:
        s3.delete_bucket_lifecycle(Bucket=bucket)


def trust_window(marker_body: Optional[bytes]) -> Optional[timedelta]:
    """How old staged content may be and still be reused; None without a lifecycle rule."""
    if marker_body is None:
        return None
    try:
        days = int(json.loads(marker_body.decode("utf-8"))["days"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return timedelta(0)  # unreadable: trust nothing old, send again
    return timedelta(days=max(days - 1, 0))


def is_fresh(headers: Dict[str, str], window: Optional[timedelta]) -> bool:
    """Whether an object (by its Last-Modified header) may still be reused."""
    if window is None:
        return True
    try:
        modified = parsedate_to_datetime(headers.get("last-modified", ""))
    except (TypeError, ValueError):
        return False
    return datetime.now(timezone.utc) - modified < window


def _base(base: str) -> str:
    return base.strip("/") + "/" if base.strip("/") else ""


def _rule_id(base: str, what: str) -> str:
    return f"aws-sagemaker-remote {_base(base)}{what}"


def _ours(rule: dict, base: str) -> bool:
    return str(rule.get("ID", "")).startswith(_rule_id(base, ""))


def _expiry(base: str, group: str, days: int) -> dict:
    return {
        "ID": _rule_id(base, group),
        "Filter": {"Prefix": f"{_base(base)}{group}/"},
        "Status": "Enabled",
        "Expiration": {"Days": days},
    }


def _abort_uploads(base: str) -> dict:
    return {
        "ID": _rule_id(base, "uploads"),
        "Filter": {"Prefix": _base(base)},
        "Status": "Enabled",
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
    }


def _rules(s3: Any, bucket: str) -> list:
    from ..errors import aws_error_code

    try:
        return list(s3.get_bucket_lifecycle_configuration(Bucket=bucket).get("Rules", []))
    except Exception as exc:
        if aws_error_code(exc) == "NoSuchLifecycleConfiguration":
            return []
        raise
