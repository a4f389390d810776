"""Where everything lives in the staging store, `s3://BUCKET/PREFIX/` (docs/staging.md).

    objects/<sha256>                       every distinct file content, once
    records/<version>.json                 a version's record: each file's path, size, CRC64NVME,
                                           sha256; written once all its objects are in objects/
    channels/<version>.manifest            the version as a SageMaker ManifestFile channel
    <version>/...                          the version copied under its files' real names, for
                                           the channels that need a prefix (code, Pipe,
                                           FastFile, ShardedByS3Key)
    records/<version>.prefix               written once that copy is complete
    records/partial/<lease>-<n>.json       what a submit sent before its records (journal.py)
    leases/<id>.json                       a submit in flight, and what it relies on
    prunes/<id>.json                       a prune in flight (or done, for a day)
    lifecycle.json                         the lifecycle rule's days (`prune --lifecycle`)
    <job-name>/...                         job outputs: never touched by staging or prune

Stores written before this layout kept per-version manifests in `manifests/`: prune removes them
with their versions; nothing else reads them.

A version is `<group>/<piece>-<digest16>` (`inputs/data-0123456789abcdef`, `code/script-...`),
named by the digest of its files' paths and contents; a journal segment counts as a version
(`partial/<lease>-<n>`: a record without files of its own, only contents).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from .uri import parse

OBJECTS = "objects/"
RECORDS = "records/"
LEGACY = "manifests/"  # the records of the layout before this one
CHANNELS = "channels/"
LEASES = "leases/"
PRUNES = "prunes/"
GROUPS = ("code", "inputs")
RECORD_SUFFIX = ".json"
PREFIX_SUFFIX = ".prefix"
CHANNEL_SUFFIX = ".manifest"
PARTIAL = "partial/"
_VERSION = re.compile(r"^((code|inputs)/[^/]+-[0-9a-f]{16}|partial/[0-9A-Za-z.-]+)$")


def is_version(text: str) -> bool:
    return bool(_VERSION.match(text))


@dataclass(frozen=True)
class Store:
    bucket: str
    base: str  # "" or "PREFIX/"
    owner: str = ""  # the account that must own the bucket (the default bucket), or ""

    @property
    def kw(self) -> dict:
        """Bucket= (and ExpectedBucketOwner= when the owner is known) for a boto3 call."""
        return {
            "Bucket": self.bucket,
            **({"ExpectedBucketOwner": self.owner} if self.owner else {}),
        }

    @classmethod
    def at(cls, base_uri: str) -> Store:
        """The store whose root is `s3://BUCKET/PREFIX/`."""
        location = parse(base_uri)
        key = location.key.strip("/")
        return cls(location.bucket, f"{key}/" if key else "")

    def uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"

    @property
    def root_uri(self) -> str:
        return self.uri(self.base)

    def object_key(self, sha256: str) -> str:
        return f"{self.base}{OBJECTS}{sha256}"

    def record_key(self, version: str) -> str:
        return f"{self.base}{RECORDS}{version}{RECORD_SUFFIX}"

    def journal_key(self, name: str) -> str:
        return self.record_key(f"{PARTIAL}{name}")

    def prefix_marker_key(self, version: str) -> str:
        return f"{self.base}{RECORDS}{version}{PREFIX_SUFFIX}"

    def channel_key(self, version: str) -> str:
        return f"{self.base}{CHANNELS}{version}{CHANNEL_SUFFIX}"

    def prefix_key(self, version: str) -> str:
        return f"{self.base}{version}/"

    def lease_key(self, name: str) -> str:
        return f"{self.base}{LEASES}{name}.json"

    def prune_key(self, name: str) -> str:
        return f"{self.base}{PRUNES}{name}.json"

    def relative(self, key: str) -> Optional[str]:
        """The key below the store's root, None outside it."""
        return key[len(self.base) :] if key.startswith(self.base) else None

    def version_of(self, key: str) -> Optional[str]:
        """The version a key belongs to: a record, prefix marker, channel manifest, or an object
        of a version's prefix copy (the key of a channel's S3Uri included); None otherwise."""
        rest = self.relative(key)
        if rest is None:
            return None
        for head, suffix in (
            (RECORDS, RECORD_SUFFIX),
            (RECORDS, PREFIX_SUFFIX),
            (LEGACY, RECORD_SUFFIX),
            (CHANNELS, CHANNEL_SUFFIX),
        ):
            if rest.startswith(head) and rest.endswith(suffix):
                found = rest[len(head) : -len(suffix)]
                return found if is_version(found) else None
        parts = rest.split("/", 2)
        if len(parts) >= 2 and parts[0] in GROUPS:
            found = f"{parts[0]}/{parts[1]}"
            return found if is_version(found) else None
        return None
