"""Removing from the store what nothing may read any more: a mark and sweep under a prune marker
(docs/staging.md, "Prune").

Kept (marked): every version a live lease names, every version a kept job reads (the caller
finds those: jobs not ended, or ended within the retention), every version any part of which is
younger than the cutoff; and every object such a version's record lists, every object younger
than the cutoff, every object written since the oldest live lease began (a submit in flight may
not have written its record yet). The rest goes, in the order that keeps the store truthful if
the prune is killed half way: records and prefix markers first (what a submit trusts), then
channel manifests and prefix copies, then the objects no kept record lists. Unfinished multipart
uploads older than every live lease and than the prune itself are aborted; expired leases and
old prune markers removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Dict, Iterable, List, Optional, Set, Tuple

from .lease import DONE_KEEP, SKEW, Holder, PruneMarker, read_holders
from .leftovers import Upload, abort, orphaned
from .manifest import read_rows
from .store import CHANNELS, GROUPS, LEASES, LEGACY, OBJECTS, PRUNES, RECORDS, Store
from .transfer import delete_keys
from .uri import shown

JobCheck = Callable[[dict], Optional[Set[str]]]  # a lease's job -> the versions it reads, or None


@dataclass
class VersionParts:
    """Every key of one version, and the newest of their times."""

    trusted: List[str] = field(default_factory=list)  # record, prefix marker
    rest: List[str] = field(default_factory=list)  # channel manifest, prefix copies
    newest: Optional[datetime] = None
    size: int = 0
    record: bool = False

    def add(self, key: str, modified: datetime, size: int, trusted: bool) -> None:
        (self.trusted if trusted else self.rest).append(key)
        self.newest = modified if self.newest is None else max(self.newest, modified)
        self.size += size


@dataclass
class PrunePlan:
    store: Store
    versions: Dict[str, VersionParts] = field(default_factory=dict)  # the versions that go
    objects: List[Tuple[str, int]] = field(default_factory=list)  # (key, size)
    uploads: List[Upload] = field(default_factory=list)  # (key, upload id, initiated)
    holders: List[str] = field(default_factory=list)  # expired leases, old prune markers
    kept_versions: int = 0

    @property
    def bytes(self) -> int:
        return sum(v.size for v in self.versions.values()) + sum(s for _, s in self.objects)

    def lines(self, verb: str) -> Iterable[str]:
        """One line per version, one for the objects, one per unfinished upload (keys shown
        with their control characters escaped)."""
        store = self.store
        for version, parts in sorted(self.versions.items()):
            count = len(parts.trusted) + len(parts.rest)
            yield f"{verb} {shown(store.uri(store.base + version))} ({count} object(s))"
        if self.objects:
            yield (
                f"{verb} {len(self.objects)} stored content(s) no kept version lists, under "
                f"{shown(store.uri(store.base + OBJECTS))}"
            )
        for key, _, _ in self.uploads:
            yield f"{verb} unfinished upload {shown(store.uri(key))}"


def plan_prune(
    s3: Any, store: Store, roots: Set[str], cutoff: datetime, job_versions: JobCheck
) -> PrunePlan:
    """`roots`: versions read by the jobs kept. Call with a started PruneMarker held."""
    plan = PrunePlan(store)
    leases, now = read_holders(s3, store, LEASES)
    kept = set(roots)
    spare_since: Optional[datetime] = None  # the start of the oldest live lease
    for lease in leases:
        spare_since = _lease_roots(lease, now, kept, spare_since, plan, job_versions)
    versions = _versions(s3, store)
    marked: Set[str] = set()
    for version, parts in versions.items():
        if version in kept or (parts.newest is not None and parts.newest >= cutoff):
            plan.kept_versions += 1
            if parts.record:
                marked |= _record_objects(s3, store, version)
        else:
            plan.versions[version] = parts
    for key, modified, size in _listed(s3, store, f"{store.base}{OBJECTS}"):
        sha = key[len(store.base) + len(OBJECTS) :]
        spared = spare_since is not None and modified >= spare_since - SKEW
        if sha not in marked and modified < cutoff and not spared:
            plan.objects.append((key, size))
    plan.uploads = orphaned(s3, store, min(spare_since or now, now))
    plan.holders += _old_markers(s3, store, now)
    return plan


def _lease_roots(lease: Holder, now, kept, spare_since, plan, job_versions: JobCheck):
    """What a lease protects: the versions it names while it lives, its job's once it has one;
    an expired lease (or one whose job is known) is removed."""
    job = lease.content.get("job")
    if isinstance(job, dict):
        found = job_versions(job)
        if found is not None:
            kept |= found
            plan.holders.append(lease.key)
            return spare_since
    if lease.alive(now):
        kept |= set(lease.content.get("versions", []))
        since = lease.since or lease.modified
        return since if spare_since is None else min(spare_since, since)
    plan.holders.append(lease.key)
    return spare_since


def _versions(s3: Any, store: Store) -> Dict[str, VersionParts]:
    versions: Dict[str, VersionParts] = {}
    for folder in (RECORDS, LEGACY, CHANNELS, *[f"{g}/" for g in GROUPS]):
        for key, modified, size in _listed(s3, store, store.base + folder):
            version = store.version_of(key)
            if version is None:
                continue
            parts = versions.setdefault(version, VersionParts())
            trusted = folder in (RECORDS, LEGACY)
            parts.add(key, modified, size, trusted)
            parts.record = parts.record or key == store.record_key(version)
    return versions


def _record_objects(s3: Any, store: Store, version: str) -> Set[str]:
    try:
        body = s3.get_object(**store.kw, Key=store.record_key(version))["Body"].read()
    except Exception as exc:
        from ..aws.errors import is_not_found

        if is_not_found(exc):
            return set()
        raise
    rows = read_rows(body) or []
    return {row.digest.sha256 for row in rows}


def _listed(s3: Any, store: Store, prefix: str) -> Iterable[Tuple[str, datetime, int]]:
    """(key, LastModified, size) of every object under `prefix`: boto3 asks S3 for URL-encoded
    keys and decodes them, so keys XML cannot carry (control characters) list fine."""
    for page in s3.get_paginator("list_objects_v2").paginate(**store.kw, Prefix=prefix):
        for item in page.get("Contents", ()):
            yield item["Key"], item["LastModified"], item["Size"]


def _old_markers(s3: Any, store: Store, now: datetime) -> List[str]:
    markers, _ = read_holders(s3, store, PRUNES)
    return [
        m.key
        for m in markers
        if not m.alive(now) and (m.content.get("state") != "done" or now - m.modified > DONE_KEEP)
    ]


def apply_prune(s3: Any, plan: PrunePlan, marker: PruneMarker) -> List[str]:
    """Delete in the safe order, renewing the marker before each batch; returns one line per
    problem (a key S3 refused), never stops half way for one."""
    problems: List[str] = []
    bucket = plan.store.bucket
    versions = plan.versions.values()
    for keys in (
        [k for v in versions for k in v.trusted],
        [k for v in versions for k in v.rest],
        [k for k, _ in plan.objects],
        plan.holders,
    ):
        problems += delete_keys(s3, bucket, keys, marker.still_ours, plan.store.owner)
    return problems + abort(s3, plan.store, plan.uploads, marker.still_ours)
