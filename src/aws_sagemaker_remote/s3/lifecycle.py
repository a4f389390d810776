"""An opt-in S3 lifecycle rule for the staging store, and what staging must know of it.

S3 expires an object a number of days after it was last written, used or not ("Expiration
Days": counted from the object's creation time, which an overwrite or a copy onto itself
renews). The store shares one object between every version that holds its content, so an old
object may be part of a version staged today. So that a job never reads content that expires
under it, the rule's days N are also written to `BASE/lifecycle.json`, and staging relies on a
record or prefix copy as it is only while it is younger than N/4 days, and renews (copies onto
itself) every object it relies on that was written more than N/4 days ago. A record so written
lists objects at most N/4 days older than itself, and is trusted for N/4 days: whatever a submit
uses lives at least N/2 days after it. Records say when each object was last written, so this
costs no request for the objects that are young enough. Unfinished multipart uploads are aborted
after a day.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, Optional

GROUPS = ("code", "inputs", "objects", "records", "channels")
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


def renew_window(marker_body: Optional[bytes]) -> Optional[timedelta]:
    """How old staged content may be and still be relied on as it is (older: renewed first);
    None without a lifecycle rule."""
    if marker_body is None:
        return None
    try:
        days = int(json.loads(marker_body.decode("utf-8"))["days"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return timedelta(0)  # unreadable: renew everything relied on
    return timedelta(days=max(days, 0) / 4)


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
    from ..aws.errors import aws_error_code

    try:
        return list(s3.get_bucket_lifecycle_configuration(Bucket=bucket).get("Rules", []))
    except Exception as exc:
        if aws_error_code(exc) == "NoSuchLifecycleConfiguration":
            return []
        raise
