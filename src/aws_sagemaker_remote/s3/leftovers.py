"""Multipart uploads nobody will finish: begun by a submit that was killed (kill -9, a lost
machine) before it could complete or abort them. S3 keeps their parts, and bills them, until
they are aborted. An upload begun before every live lease of the store (and, for a prune,
before the prune itself) has no live owner: the next submit or prune aborts it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, List, Optional, Tuple

from .lease import SKEW, read_holders
from .store import LEASES, Store
from .uri import shown

Upload = Tuple[str, str, datetime]  # (key, upload id, initiated)


def open_uploads(s3: Any, store: Store) -> List[Upload]:
    """Every unfinished multipart upload under the store. EncodingType=url: S3 then escapes keys
    XML 1.0 cannot carry (botocore decodes it only for the listings of objects)."""
    from urllib.parse import unquote_plus

    found = []
    paginator = s3.get_paginator("list_multipart_uploads")
    for page in paginator.paginate(**store.kw, Prefix=store.base, EncodingType="url"):
        encoded = page.get("EncodingType") == "url"
        for upload in page.get("Uploads", ()):
            key = unquote_plus(upload["Key"]) if encoded else upload["Key"]
            found.append((key, upload["UploadId"], upload["Initiated"]))
    return found


def orphaned(s3: Any, store: Store, before: datetime, own_lease: str = "") -> List[Upload]:
    """The open uploads begun before `before` and before every live lease but `own_lease`."""
    uploads = [u for u in open_uploads(s3, store) if u[2] < before - SKEW]
    if not uploads:
        return []
    holders, now = read_holders(s3, store, LEASES)
    live = [h.since or h.modified for h in holders if h.key != own_lease and h.alive(now)]
    oldest = min(live, default=before)
    return [u for u in uploads if u[2] < oldest - SKEW]


def abort(s3: Any, store: Store, uploads: List[Upload], before_each=None) -> List[str]:
    """Abort each; returns one line per upload S3 would not abort."""
    problems = []
    for key, upload_id, _ in uploads:
        if before_each is not None:
            before_each()
        try:
            s3.abort_multipart_upload(**store.kw, Key=key, UploadId=upload_id)
        except Exception as exc:  # noqa: BLE001 - reported; the others still go
            problems.append(f"unfinished upload {shown(store.uri(key))}: {exc}")
    return problems


def abort_orphans(s3: Any, store: Store, since: Optional[datetime], own_lease: str) -> None:
    """At the start of a submit: what killed submits left open goes (best effort: a failure
    here never stops the submit)."""
    if since is None:
        return
    try:
        abort(s3, store, orphaned(s3, store, since, own_lease))
    except Exception:  # noqa: BLE001 - a later run or prune tries again
        return
