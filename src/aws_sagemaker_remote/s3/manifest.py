"""A version's record, and its SageMaker channel manifest.

The record (`manifests/<version>.json`) lists each file of the version: its relative path, size,
CRC64NVME, sha256 (the key of its object, `objects/<sha256>`) and when that object was last
written, in S3's clock (epoch seconds; what a lifecycle rule counts from). It is written only once
every object it names is in the store, so its presence means "complete"; it is also what a later
submit reads to know which contents exist, and what the bootstrap reads to put each file under
its real name.

The channel manifest (`channels/<version>.manifest`) is what a ManifestFile channel names, in the
format of SageMaker's S3DataSource/ProcessingS3Input: a JSON array, first `{"prefix": ...}`, then
keys relative to it. Its prefix is the store's root and it lists the record and each distinct
object, so the channel's folder receives `manifests/<version>.json` and `objects/<sha256>`.
"""

from __future__ import annotations

import json
from typing import Dict, Iterable, List, NamedTuple, Optional, Tuple

from .digest import FileDigest
from .store import OBJECTS, Store

VERSION = 2


class Row(NamedTuple):
    rel: str
    digest: FileDigest
    written: int  # epoch seconds (S3's clock) when the object was last written; 0: unknown


def record_bytes(rows: Iterable[Row]) -> bytes:
    files = [[r.rel, r.digest.size, r.digest.crc64, r.digest.sha256, r.written] for r in rows]
    text = json.dumps({"version": VERSION, "files": files}, separators=(",", ":"))
    return text.encode("utf-8", "surrogateescape")


def read_rows(data: bytes) -> Optional[List[Row]]:
    """The record's rows, or None when the bytes are not one of ours (then nothing is trusted)."""
    try:
        doc = json.loads(data.decode("utf-8", "surrogateescape"))
        if not isinstance(doc, dict) or doc.get("version") != VERSION:
            return None
        return [
            Row(str(rel), FileDigest(int(size), str(sha), str(crc)), int(written))
            for rel, size, crc, sha, written in doc["files"]
        ]
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def known_objects(data: bytes) -> Optional[Dict[str, int]]:
    """sha256 -> when its object was last written, from a record's bytes (None: not a record)."""
    rows = read_rows(data)
    if rows is None:
        return None
    known: Dict[str, int] = {}
    for row in rows:
        known[row.digest.sha256] = max(known.get(row.digest.sha256, 0), row.written)
    return known


def channel_manifest_bytes(store: Store, version: str, shas: Iterable[str]) -> bytes:
    record = store.relative(store.record_key(version))
    entries: List[object] = [{"prefix": store.root_uri}, record]
    entries += [f"{OBJECTS}{sha}" for sha in sorted(set(shas))]
    return json.dumps(entries, separators=(",", ":")).encode()


def read_channel_manifest(data: bytes) -> Tuple[str, List[str]]:
    """(prefix URI, keys relative to it) of a SageMaker manifest; ValueError when it is not one
    (the rules of S3DataSource.S3Uri: a JSON array whose first element is {"prefix": S3 URI}
    followed by relative keys)."""
    doc = json.loads(data.decode("utf-8"))
    if not isinstance(doc, list) or not doc or not isinstance(doc[0], dict):
        raise ValueError('a manifest is a JSON array starting with {"prefix": "s3://..."}')
    prefix = doc[0].get("prefix")
    if not isinstance(prefix, str) or not prefix.startswith("s3://") or len(prefix) <= 5:
        raise ValueError('the first element must be {"prefix": "s3://bucket/..."}')
    suffixes = doc[1:]
    if not all(isinstance(s, str) and s for s in suffixes):
        raise ValueError("every element after the prefix must be a non-empty key suffix")
    return prefix, suffixes
