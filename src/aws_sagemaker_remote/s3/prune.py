"""Removing staged content no recent job uses: what to delete (pure, from listings) and deleting
it in the one safe order (a manifest before the objects it vouches for).

Staged content is everything under `BASE/code/`, `BASE/inputs/` and `BASE/manifests/` of the
staging prefix; job outputs (`BASE/<job-name>/...`) are results, never pruned. A piece is kept when
a job created within the window reads it, or when its manifest or any of its objects is newer than
the cutoff (a run may be staging it right now). Unfinished multipart uploads older than the cutoff
are aborted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Dict, Iterable, List, Set, Tuple

from .manifest import MANIFESTS
from .transfer import delete_keys

GROUPS = ("code", "inputs")


@dataclass
class PrunePlan:
    bucket: str
    manifests: List[str] = field(default_factory=list)
    objects: List[str] = field(default_factory=list)
    uploads: List[Tuple[str, str]] = field(default_factory=list)  # (key, upload id)
    kept_pieces: int = 0
    bytes: int = 0


def plan_prune(s3: Any, bucket: str, base: str, keep: Set[str], cutoff: datetime) -> PrunePlan:
    """`keep`: piece prefixes (bucket-relative, ending with "/") that recent jobs read."""
    base = base.strip("/") + "/" if base.strip("/") else ""
    plan = PrunePlan(bucket)
    pieces = _pieces(s3, bucket, base)
    manifests = _listed(s3, bucket, f"{base}{MANIFESTS}/")
    for piece, objects in sorted(pieces.items()):
        manifest = _manifest_key(base, piece)
        newest = max([o[1] for o in objects] + [manifests.get(manifest, (0, cutoff))[1]])
        if piece in keep or newest >= cutoff:
            plan.kept_pieces += 1
            continue
        if manifest in manifests:
            plan.manifests.append(manifest)
        plan.objects.extend(o[0] for o in objects)
        plan.bytes += sum(o[2] for o in objects)
    for key, (_size, modified) in manifests.items():
        piece = _piece_of_manifest(base, key)
        if piece not in pieces and modified < cutoff and piece not in keep:
            plan.manifests.append(key)  # its objects are gone already
    plan.uploads = _stale_uploads(s3, bucket, base, cutoff)
    return plan


def apply_prune(s3: Any, plan: PrunePlan) -> None:
    """Manifests first: a run that reads one afterwards re-stages instead of trusting it."""
    delete_keys(s3, plan.bucket, plan.manifests)
    delete_keys(s3, plan.bucket, plan.objects)
    for key, upload_id in plan.uploads:
        s3.abort_multipart_upload(Bucket=plan.bucket, Key=key, UploadId=upload_id)


def piece_prefix(uri_key: str, base: str) -> str:
    """The piece prefix (`BASE/inputs/data-<digest>/`) a channel's S3 key falls under, or ""."""
    base = base.strip("/") + "/" if base.strip("/") else ""
    if not uri_key.startswith(base):
        return ""
    parts = uri_key[len(base) :].split("/")
    if len(parts) < 2 or parts[0] not in GROUPS or not parts[1]:
        return ""
    return f"{base}{parts[0]}/{parts[1]}/"


def _pieces(s3: Any, bucket: str, base: str) -> Dict[str, List[Tuple[str, datetime, int]]]:
    pieces: Dict[str, List[Tuple[str, datetime, int]]] = {}
    for group in GROUPS:
        for obj in _objects(s3, bucket, f"{base}{group}/"):
            piece = piece_prefix(obj["Key"], base)
            if piece:
                entry = (obj["Key"], obj["LastModified"], obj["Size"])
                pieces.setdefault(piece, []).append(entry)
    return pieces


def _listed(s3: Any, bucket: str, prefix: str) -> Dict[str, Tuple[int, datetime]]:
    return {o["Key"]: (o["Size"], o["LastModified"]) for o in _objects(s3, bucket, prefix)}


def _objects(s3: Any, bucket: str, prefix: str) -> Iterable[dict]:
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        yield from page.get("Contents", ())


def _manifest_key(base: str, piece: str) -> str:
    group_piece = piece[len(base) :].rstrip("/")
    return f"{base}{MANIFESTS}/{group_piece}.json"


def _piece_of_manifest(base: str, key: str) -> str:
    rest = key[len(f"{base}{MANIFESTS}/") :]
    return f"{base}{rest[: -len('.json')]}/" if rest.endswith(".json") else ""


def _stale_uploads(s3: Any, bucket: str, base: str, cutoff: datetime) -> List[Tuple[str, str]]:
    stale = []
    paginator = s3.get_paginator("list_multipart_uploads")
    for page in paginator.paginate(Bucket=bucket, Prefix=base):
        for upload in page.get("Uploads", ()):
            if upload["Initiated"] < cutoff:
                stale.append((upload["Key"], upload["UploadId"]))
    return stale
