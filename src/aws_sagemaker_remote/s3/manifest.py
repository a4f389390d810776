"""A version's record, and its SageMaker channel manifest.

The record (`records/<version>.json`) lists each file of the version: its relative path, size,
CRC64NVME, sha256 (the key of its object, `objects/<sha256>`) and when that object was last
written, in S3's clock (epoch seconds; what a lifecycle rule counts from). It is written only once
every object it names is in the store, so its presence means "complete"; it is also what a later
submit reads to know which contents exist, and what the bootstrap reads to put each file under
its real name.

The channel manifest (`channels/<version>.manifest`) is what a ManifestFile channel names, in the
format of SageMaker's S3DataSource/ProcessingS3Input: a JSON array, first `{"prefix": ...}`, then
keys relative to it. Its prefix is the store's root and it lists the record and each distinct
object, so the channel's folder receives `records/<version>.json` and `objects/<sha256>`.
"""

from __future__ import annotations

import json
import re
from typing import Dict, Iterable, Iterator, List, NamedTuple, Optional, Tuple

from .digest import FileDigest
from .store import OBJECTS, Store

VERSION = 2


class Row(NamedTuple):
    rel: str
    digest: FileDigest
    written: int  # epoch seconds (S3's clock) when the object was last written; 0: unknown


def record_chunks(rows: Iterable[Row]) -> Iterator[bytes]:
    """The record, encoded a thousand rows at a time (a list of lists for 100,000 files would
    cost more than the bytes themselves)."""
    yield b'{"version":%d,"files":[' % VERSION
    batch: List[list] = []
    more = False
    for r in rows:
        batch.append([r.rel, r.digest.size, r.digest.crc64, r.digest.sha256, r.written])
        if len(batch) == 1000:
            yield _rows_json(batch, more)
            batch, more = [], True
    if batch:
        yield _rows_json(batch, more)
    yield b"]}"


def record_bytes(rows: Iterable[Row]) -> bytes:
    return b"".join(record_chunks(rows))


def _rows_json(batch: List[list], more: bool) -> bytes:
    text = json.dumps(batch, separators=(",", ":"))[1:-1]
    return (b"," if more else b"") + text.encode("utf-8", "surrogateescape")


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


_ROW_END = re.compile(rb',"([0-9a-f]{64})",([0-9]{1,20})\]')
_TAIL = 100  # longer than any row end


def read_known(chunks: Iterator[bytes], known: Optional[Dict[str, int]] = None):
    """sha256 -> when its object was last written, from a record read in chunks (a file, 1 MiB
    at a time), added to `known`; None when the bytes are not a record (nothing is trusted).

    Read from the end of each row without decoding the record: inside a JSON string a quote is
    always escaped, so `,"<64 hex>",<digits>]` only matches where a row ends."""
    known = {} if known is None else known
    header = b'{"version":%d,' % VERSION
    buffer = b""
    while len(buffer) < len(header):
        more = next(chunks, b"")
        if not more:
            break
        buffer += more
    if not buffer.startswith(header):
        return None
    while buffer:
        done = 0
        for match in _ROW_END.finditer(buffer):
            sha, written = match.group(1).decode("ascii"), int(match.group(2))
            known[sha] = max(known.get(sha, 0), written)
            done = match.end()
        more = next(chunks, b"")
        if not more:
            break
        buffer = buffer[max(done, len(buffer) - _TAIL) :] + more
    return known


def channel_manifest_chunks(store: Store, version: str, shas: Iterable[str]) -> Iterator[bytes]:
    record = store.relative(store.record_key(version))
    yield json.dumps([{"prefix": store.root_uri}, record], separators=(",", ":"))[:-1].encode()
    for sha in sorted(set(shas)):
        yield f',"{OBJECTS}{sha}"'.encode()
    yield b"]"


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
