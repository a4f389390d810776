"""Stage the pieces of a job in the store (docs/staging.md): each distinct content sent at most
once, what exists known from records instead of asked object by object, nothing rolled back.

For each piece (the script, each module, each local input, ...) the plan names a version by the
digest of its files. Under a lease (`lease.py`):

1. a version whose record exists is complete: one HEAD, nothing else (an unchanged rerun);
2. otherwise the records of up to three earlier versions of the piece say which contents are
   in `objects/` already (one GET each): those are reused, the rest sent to `objects/<sha256>`
   with their CRC64NVME, which S3 checks (a file changed since it was hashed never lands), and
   what S3 stored is compared with it;
3. then, the lease checked once more, the channel manifest and the record are written (the
   record last: its presence means every object is there), and for a prefix channel the files
   are copied server-side under their real names, then the prefix marker.

One changed file among N costs its own bytes, a few requests and the new version's record and
manifest: no request per unchanged file. Nothing is deleted on failure or Ctrl-C: every object
under a content-addressed key holds the right bytes, and another run may rely on it.
"""

from __future__ import annotations

import functools
import os
import sys
import tempfile
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Dict, Iterator, List, Optional, TextIO, Tuple

from ..errors import FileChanged, TransferError
from .digest import FileDigest, bytes_digest, crc64, crc64_text, forget, source_digest
from .journal import RESUMED_JOURNALS, SEGMENT, Journal
from .lease import Lease, StoreBusy
from .leftovers import abort_orphans
from .lifecycle import marker_key, renew_window
from .manifest import Row, channel_manifest_chunks, read_known, record_chunks
from .ops import (
    Op,
    S3RequestError,
    copy_op,
    expect_owner,
    get_op,
    head_op,
    put_op,
    renew_op,
    s3_time,
)
from .progress import TransferProgress, files_text, format_size
from .senders import run_all, sender_for
from .store import Store
from .uploads import MANIFEST, Upload
from .uri import shown
from .walk import LocalFile

EARLIER_VERSIONS = 3  # records of earlier versions of a piece read to find existing contents
CHUNK = 1024 * 1024
RECORD_READS = 3  # a record rewritten while it was read (412) is read again
CHANGED_CODES = ("BadDigest", "InvalidDigest", "XAmzContentChecksumMismatch")


@dataclass
class PieceReport:
    source: str
    s3_uri: str
    files: int = 0
    files_uploaded: int = 0
    bytes_uploaded: int = 0
    files_copied: int = 0  # server-side copies into a prefix channel
    unchanged: bool = False

    def line(self) -> str:
        if self.unchanged:
            return f"unchanged {self.source} -> {self.s3_uri} ({files_text(self.files)})"
        parts = [f"{files_text(self.files_uploaded)}, {format_size(self.bytes_uploaded)} sent"]
        reused = self.files - self.files_uploaded
        if reused:
            parts.append(f"{reused} already in S3")
        if self.files_copied:
            parts.append(f"{self.files_copied} copied under their names")
        return f"staged {self.source} -> {self.s3_uri} ({'; '.join(parts)})"


@dataclass
class StageReport:
    pieces: List[PieceReport] = field(default_factory=list)
    lease: Optional[Lease] = None

    def total(self, name: str) -> int:
        return sum(getattr(p, name) for p in self.pieces)

    @property
    def bytes_uploaded(self) -> int:
        return self.total("bytes_uploaded")

    @property
    def files_uploaded(self) -> int:
        return self.total("files_uploaded")

    def before_commit(self) -> None:
        """Right before the job is created: the lease must not have lapsed meanwhile."""
        if self.lease is not None:
            self.lease.check_continuity()

    def job_created(self, kind: str, name: str) -> None:
        if self.lease is not None:
            self.lease.attach_job(kind, name)

    def abandon(self) -> None:
        if self.lease is not None:
            self.lease.release()


def stage(
    s3_client,
    uploads: List[Upload],
    *,
    out: TextIO = sys.stderr,
    owners: Optional[Dict] = None,
    hold: bool = False,
) -> StageReport:
    """Stage every piece (all in one store) under a lease; print one line per piece. With
    `hold`, the lease stays for the caller to pass to the job (`StageReport.job_created`) or
    give up (`abandon`); otherwise it is released here."""
    report = StageReport()
    if not uploads:
        return report
    stores = {u.root for u in uploads}
    if len(stores) != 1:
        raise ValueError(f"stage(): one store at a time, got {sorted(stores)}")
    store = replace(uploads[0].store, owner=(owners or {}).get(uploads[0].store.bucket, ""))

    def say(line: str) -> None:
        out.write(line + "\n")
        out.flush()

    lease = Lease(s3_client, store, [u.version for u in uploads], say).start()
    abort_orphans(s3_client, store, lease.since, lease.beat.key)
    run = _Run(s3_client, store, uploads, owners or {}, out, lease)
    try:
        run.stage()
    except BaseException:
        lease.release()
        raise
    finally:
        run.progress.finish()
    for piece in run.pieces:
        say(piece.report.line())
    report.pieces = [p.report for p in run.pieces]
    if hold:
        report.lease = lease
    else:
        lease.release()
    return report


@dataclass
class _Piece:
    upload: Upload
    report: PieceReport
    complete: bool = False  # nothing to do: its record (and prefix marker) exist
    record: bool = False  # the version's record exists, young enough to rely on as it is
    known: bool = False  # the version's record exists (its objects too): a source of knowledge


_Entry = Tuple[_Piece, object, FileDigest]  # a content to send: its piece, file and digest


class _Run:
    def __init__(self, s3_client, store: Store, uploads: List[Upload], owners, out, lease):
        self.client = s3_client
        self.store = store
        self.owners = owners
        self.lease = lease
        self.sender = sender_for(s3_client, store.bucket)
        self.pieces = [_Piece(u, PieceReport(u.label(), u.channel_uri)) for u in uploads]
        self.progress = TransferProgress(0, 0, out, label=f"checking {len(uploads)} piece(s)")
        self.window: Optional[timedelta] = None
        self.now = datetime.now(timezone.utc)
        self.known: Dict[str, int] = {}  # sha256 -> when its object was last written (S3 time)
        self.lock = threading.Lock()
        lease_name = lease.beat.content["id"]
        self.journal = Journal(self.sender, store, lease_name, owners)

    def stage(self) -> None:
        self.check()
        pending = [p for p in self.pieces if not p.complete]
        if pending:
            self.gather(pending)
            self.send(pending)
            self.commit(pending)

    # -- 1. what is complete -------------------------------------------------------------

    def check(self) -> None:
        """HEAD each version's record (and prefix marker); the lifecycle marker says how old
        what is relied on may be."""
        lifecycle = self._own(get_op(self.store.bucket, marker_key(self.store.base)))
        records = [self._head(self.store.record_key(p.upload.version)) for p in self.pieces]
        markers = [
            self._head(self.store.prefix_marker_key(p.upload.version))
            for p in self.pieces
            if p.upload.layout != MANIFEST
        ]
        run_all(self.sender, [lifecycle, *records, *markers])
        self.now = s3_time(lifecycle.server_time) or self.now
        self.window = renew_window(None if lifecycle.missing else lifecycle.response_body)
        found = iter(markers)
        for piece, record in zip(self.pieces, records):
            piece.known = not record.missing
            piece.record = self._present(record)
            marker = None if piece.upload.layout == MANIFEST else next(found)
            prefix_done = marker is None or self._present(marker)
            piece.complete = piece.record and prefix_done
            piece.report.files = len(piece.upload.files)
            piece.report.unchanged = piece.complete

    def _present(self, head: Op) -> bool:
        """There, and young enough to rely on as it is (under a lifecycle rule)."""
        if head.missing:
            return False
        if self.window is None:
            return True
        when = s3_time(head.last_modified)
        return when is not None and self.now - when < self.window

    # -- 2. what exists ------------------------------------------------------------------

    def gather(self, pending: List[_Piece]) -> None:
        """Which contents are in objects/ already: the records of the versions being staged
        (when they exist), of up to three earlier versions of each piece, and the journals of
        the last runs that stopped before their records."""
        sources = [p.upload.version for p in pending if p.known]
        for piece in pending:
            if not piece.known:
                sources += self._earlier_versions(piece.upload.version)
        if not all(p.known for p in pending):
            sources += self._journals()
        if not sources:
            return
        self.lease.rely_on(sources)
        with tempfile.TemporaryDirectory(prefix="asr-records-") as folder:
            for op in self._read_records(sources, folder):
                if not op.missing:
                    with open(op.recv_path, "rb") as handle:
                        read_known(iter(lambda h=handle: h.read(CHUNK), b""), self.known)

    def _read_records(self, versions: List[str], folder: str) -> List[Op]:
        """GET each version's record into a file of `folder` (read a MiB at a time later: an
        11 MB record never sits in memory). A record another submit of the same version
        rewrites while it is read in ranged parts answers 412 (the parts' If-Match): read it
        again, up to RECORD_READS times."""
        for attempt in range(RECORD_READS):
            ops = [
                self._own(get_op(self.store.bucket, self.store.record_key(v), f"{folder}/{n}"))
                for n, v in enumerate(versions)
            ]
            try:
                return run_all(self.sender, ops)
            except S3RequestError as exc:
                if exc.status != 412 or attempt == RECORD_READS - 1:
                    raise
        return []

    def _earlier_versions(self, version: str) -> List[str]:
        """The most recently written records of other versions of the same piece."""
        own = self.store.record_key(version)
        siblings = own.rsplit("-", 1)[0] + "-"
        found = []
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(**self.store.kw, Prefix=siblings):
            for item in page.get("Contents", ()):
                other = self.store.version_of(item["Key"])
                if item["Key"] != own and item["Key"].endswith(".json") and other:
                    found.append((item["LastModified"], other))
        found.sort(reverse=True)
        return [other for _, other in found[:EARLIER_VERSIONS]]

    def _journals(self) -> List[str]:
        """Every segment of the most recent journals other runs left (journal.py)."""
        prefix = self.store.journal_key("")[: -len(".json")]
        by_lease: Dict[str, list] = {}
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(**self.store.kw, Prefix=prefix):
            for item in page.get("Contents", ()):
                version = self.store.version_of(item["Key"])
                if version and item["Key"].endswith(".json"):
                    lease = version.rsplit("-", 1)[0]
                    by_lease.setdefault(lease, []).append((item["LastModified"], version))
        recent = sorted(by_lease.values(), key=max, reverse=True)[:RESUMED_JOURNALS]
        return [version for segments in recent for _, version in segments]

    # -- 3. send what is missing, renew what is old --------------------------------------

    def send(self, pending: List[_Piece]) -> None:
        """Each content nobody has sent (with the first file that holds it) is sent; each known
        one too old to rely on (under a lifecycle rule) renewed, or sent if it is gone."""
        todo: Dict[str, _Entry] = {}
        old: Dict[str, _Entry] = {}
        for piece in pending:
            for _rel, source in piece.upload.files:
                digest = source_digest(source)
                written = self.known.get(digest.sha256)
                if written is None:
                    todo.setdefault(digest.sha256, (piece, source, digest))
                elif self._old(written):
                    old.setdefault(digest.sha256, (piece, source, digest))
        for sha in self._renew(list(old)):
            todo[sha] = old[sha]
        self._upload(todo)

    def _old(self, written: int) -> bool:
        if self.window is None:
            return False
        return self.now - datetime.fromtimestamp(written, timezone.utc) >= self.window

    def _renew(self, shas: List[str]) -> List[str]:
        """Copy old objects onto themselves (a lifecycle rule counts from there); returns those
        that turned out to be gone, to be sent instead."""
        missing: List[str] = []

        def done(op: Op) -> None:
            with self.lock:
                if op.missing:
                    missing.append(op.tag)
                    del self.known[op.tag]
                else:
                    self.known[op.tag] = _epoch(op.last_modified or op.server_time)

        self.sender.run((self._renew_op(sha) for sha in shas), None, done)
        return missing

    def _renew_op(self, sha: str) -> Op:
        op = renew_op(self.store.bucket, self.store.object_key(sha))
        op.missing_ok = True
        op.tag = sha
        return self._own(op)

    def _upload(self, todo: Dict[str, _Entry]) -> None:
        if not todo:
            return
        total = sum(entry[2].size for entry in todo.values())
        self.progress.restart(total, len(todo), "uploading")
        unverified: List[Op] = []

        def ops() -> Iterator[Op]:
            for sha, (_piece, source, digest) in todo.items():
                segment = self.journal.due()
                if segment is not None:
                    yield segment
                op = self._own(put_op(source, self.store.bucket, self.store.object_key(sha),
                                      digest.crc64))  # fmt: skip
                op.tag = sha
                yield op

        def done(op: Op) -> None:
            if op.tag == SEGMENT:
                return
            piece, source, digest = todo[op.tag]
            with self.lock:
                piece.report.files_uploaded += 1
                piece.report.bytes_uploaded += digest.size
                self.known[op.tag] = _epoch(op.server_time)
                if not op.checksum:
                    unverified.append(self._head(op.key, op.tag))
                elif op.checksum != digest.crc64:
                    raise _changed(source, op)
            if op.checksum:
                self.journal.sent(op.tag, digest, self.known[op.tag])

        try:
            self.sender.run(ops(), self.progress, done)
            self._verify(unverified, todo)
            self.journal.flush()
        except S3RequestError as exc:
            self._keep_journal()
            raise _changed_underfoot(exc) or _naming_the_file(exc) from None
        except BaseException:
            self._keep_journal()
            raise

    def _keep_journal(self) -> None:
        """A run stopping before its commit keeps what it sent known for the next (best
        effort), unless its renewals lapsed: a prune may then have removed some of what the
        journal lists, which the next run would trust. It sends those again instead."""
        if self.lease.beat.lapsed_at is not None:
            self.journal.drop(self.client)
        else:
            self.journal.keep()

    def _verify(self, heads: List[Op], todo: Dict) -> None:
        """Uploads whose answer did not show the checksum (a multipart upload through the CRT):
        what S3 stored must be what was hashed, else it is removed and the run stops."""
        for op in run_all(self.sender, heads):
            _piece, source, digest = todo[op.tag]
            if op.checksum != digest.crc64:
                if not op.missing:
                    self.client.delete_object(**self.store.kw, Key=op.key)
                raise _changed(source, op)
            self.journal.sent(op.tag, digest, self.known[op.tag])

    # -- 4. commit: manifests, records, prefix copies ------------------------------------

    def commit(self, pending: List[_Piece]) -> None:
        """Channel manifests, then records (written to files first, then sent from them)."""
        try:
            self.lease.check_continuity()
        except StoreBusy:
            self.journal.drop(self.client)  # it may list what the prune removed
            raise
        new = [p for p in pending if not p.record]
        with tempfile.TemporaryDirectory(prefix="asr-records-") as folder:
            writes = []
            for n, piece in enumerate(p for p in new if p.upload.layout == MANIFEST):
                version = piece.upload.version
                shas = (source_digest(s).sha256 for _, s in piece.upload.files)
                chunks = channel_manifest_chunks(self.store, version, shas)
                writes.append(
                    self._put_file(f"{folder}/m{n}", chunks, self.store.channel_key(version))
                )
            run_all(self.sender, writes)
            records = [
                self._put_file(f"{folder}/r{n}", record_chunks(self._rows(p.upload)),
                               self.store.record_key(p.upload.version))
                for n, p in enumerate(new)
            ]  # fmt: skip
            run_all(self.sender, records)
        self.journal.drop(self.client)
        self._copy_prefixes([p for p in pending if p.upload.layout != MANIFEST])

    def _rows(self, upload: Upload) -> Iterator[Row]:
        for rel, source in upload.files:
            digest = source_digest(source)
            yield Row(rel, digest, self.known.get(digest.sha256, 0))

    def _copy_prefixes(self, pieces: List[_Piece]) -> None:
        """Each file of a prefix channel copied from objects/ under its real name (S3 copies
        the bytes it holds: no byte is sent), then the prefix marker."""
        if not pieces:
            return

        def ops() -> Iterator[Op]:
            for piece in pieces:
                prefix = self.store.prefix_key(piece.upload.version)
                for rel, source in piece.upload.files:
                    source_key = self.store.object_key(source_digest(source).sha256)
                    op = copy_op(self.store.bucket, source_key, self.store.bucket, prefix + rel)
                    op.tag = piece
                    yield expect_owner(op, self.owners, self.store.bucket)

        def done(op: Op) -> None:
            with self.lock:
                op.tag.report.files_copied += 1

        self.sender.run(ops(), None, done)
        markers = [
            self._put(b'{"complete": true}', self.store.prefix_marker_key(p.upload.version))
            for p in pieces
        ]
        run_all(self.sender, markers)

    # -- requests ------------------------------------------------------------------------

    def _head(self, key: str, tag: object = None) -> Op:
        op = self._own(head_op(self.store.bucket, key))
        op.tag = tag
        return op

    def _put(self, body: bytes, key: str) -> Op:
        return self._own(put_op(body, self.store.bucket, key, bytes_digest(body).crc64))

    def _put_file(self, path: str, chunks: Iterator[bytes], key: str) -> Op:
        """PutObject of what `chunks` make, written to `path` first (with its CRC64NVME)."""
        crc = 0
        with open(path, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
                crc = crc64(chunk, crc)
        body = LocalFile.of(path, os.stat(path))
        return self._own(put_op(body, self.store.bucket, key, crc64_text(crc)))

    def _own(self, op: Op) -> Op:
        return expect_owner(op, self.owners)


@functools.lru_cache(maxsize=64)
def _epoch(text: str) -> int:
    """Epoch seconds of an S3 time (cached: the answers of one second share their Date)."""
    when = s3_time(text)
    return int(when.timestamp()) if when is not None else 0


def _changed(source: object, op: Op) -> TransferError:
    if isinstance(source, LocalFile):
        forget(source)
        where = shown(source.path)
    else:
        where = shown(f"s3://{op.bucket}/{op.key}")
    return FileChanged(
        f"{where}: changed while it was being staged (S3 stored other bytes than were hashed, "
        "so they were not kept); run again"
    )


def _naming_the_file(exc: S3RequestError) -> S3RequestError:
    """An upload that failed names the file it was sending, not only its key in the store."""
    body = exc.op.body if exc.op is not None else None
    if isinstance(body, LocalFile):
        return S3RequestError(f"{shown(body.path)}: {exc}", exc.code, exc.status, exc.op)
    return exc


def _changed_underfoot(exc: S3RequestError) -> Optional[TransferError]:
    """S3 refused the bytes for their checksum: the file is not what was hashed any more."""
    op = exc.op
    if exc.code not in CHANGED_CODES or op is None or not isinstance(op.body, LocalFile):
        return None
    forget(op.body)
    return FileChanged(
        f"{shown(op.body.path)}: changed while it was being staged (S3 refused the bytes for "
        "their checksum, so nothing wrong was kept); run again"
    )
