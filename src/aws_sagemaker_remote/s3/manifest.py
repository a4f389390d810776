"""A staged piece's manifest: the proof that every file of a content-addressed prefix is there.

It is written last, once each object under the prefix was verified (its CRC64NVME as S3 reports
it equals the local file's), so its presence means "complete". It lists each file's size, CRC64NVME
and sha256, which also lets a later run find unchanged files here and copy them server-side instead
of sending their bytes again. Prune deletes a manifest before the objects it covers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Dict, Optional, Tuple

from .digest import FileDigest

VERSION = 1
MANIFESTS = "manifests"


@dataclass(frozen=True)
class Manifest:
    prefix: str  # s3://bucket/key/ of the piece
    files: Dict[str, FileDigest]  # relative path -> digest

    def to_bytes(self) -> bytes:
        rows = [[rel, d.size, d.crc64, d.sha256] for rel, d in sorted(self.files.items())]
        return json.dumps({"version": VERSION, "prefix": self.prefix, "files": rows}).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> Optional[Manifest]:
        """The manifest, or None when the bytes are not one of ours (then nothing is trusted)."""
        try:
            doc = json.loads(data.decode("utf-8"))
            if doc.get("version") != VERSION:
                return None
            files = {
                str(rel): FileDigest(int(size), str(sha), str(crc))
                for rel, size, crc, sha in doc["files"]
            }
            return cls(str(doc["prefix"]), files)
        except (ValueError, KeyError, TypeError, AttributeError):
            return None


def manifest_uri(prefix_uri: str) -> str:
    """`s3://B/BASE/GROUP/PIECE/` -> `s3://B/BASE/manifests/GROUP/PIECE.json`."""
    head, group, piece = prefix_uri.rstrip("/").rsplit("/", 2)
    return f"{head}/{MANIFESTS}/{group}/{piece}.json"


def base_of(prefix_uri: str) -> str:
    """`s3://B/BASE/GROUP/PIECE/` -> `BASE/` (bucket-relative)."""
    head = prefix_uri.rstrip("/").rsplit("/", 2)[0]
    key = head[len("s3://") :].partition("/")[2]
    return key + "/" if key else ""


def sibling_prefix(prefix_uri: str) -> Tuple[str, str]:
    """(bucket-relative key prefix shared by the manifests of earlier versions of this piece,
    the piece's own manifest key): `.../manifests/inputs/data-` for `.../inputs/data-<digest>/`."""
    uri = manifest_uri(prefix_uri)
    bucket_and_key = uri[len("s3://") :]
    key = bucket_and_key.split("/", 1)[1]
    return key.rsplit("-", 1)[0] + "-", key
