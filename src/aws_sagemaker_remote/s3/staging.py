"""Stage the pieces of a job in S3: each file's bytes sent at most once, reused only when its
content is known to match, and nothing ever rolled back.

Each piece (the script, each module, each local input, ...) lives under a prefix named by the
digest of its content (`inputs/data-<digest>/`), so unchanged content lands on the same keys and the
job's channel still shows one S3 prefix per piece. For each file, in this order:

1. already there: the piece's manifest exists (one GET for the whole piece), or an object under the
   file's key has the file's CRC64NVME as S3 reports it (a run interrupted before resumes);
2. elsewhere: an earlier version of the same piece (its manifest) lists the same sha256, CRC64NVME
   and size: copied server-side, no bytes sent (one changed file re-sends only that file);
3. otherwise sent, with its CRC64NVME in the request: S3 refuses bytes that changed since they
   were hashed, so wrong bytes never sit under a content-addressed key.

A piece's manifest is written last, once all of its objects are verified. Nothing is deleted on
failure or Ctrl-C: every object under a content-addressed key holds the right bytes, and another
run may rely on it; the CRT aborts its own unfinished multipart uploads.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Dict, List, Optional, TextIO, Tuple

from ..errors import TransferError
from .clients import crt_of, crt_reaches
from .digest import FileDigest, forget, source_digest
from .lifecycle import is_fresh, marker_key, trust_window
from .manifest import Manifest, base_of, manifest_uri, sibling_prefix
from .ops import CHECKSUM_HEADER, Op, S3RequestError, copy_op, expect_owner, get_op, head_op, put_op
from .progress import TransferProgress, files_text, format_size
from .uploads import Upload
from .uri import parse
from .walk import LocalFile

EARLIER_VERSIONS = 3  # manifests of earlier versions of a piece searched for copy sources
CHANGED_CODES = ("BadDigest", "InvalidDigest", "XAmzContentChecksumMismatch")


@dataclass
class PieceReport:
    source: str
    s3_uri: str
    files_uploaded: int = 0
    bytes_uploaded: int = 0
    files_copied: int = 0
    files_skipped: int = 0

    def line(self) -> str:
        if self.files_uploaded == 0 and self.files_copied == 0:
            return f"unchanged {self.source} -> {self.s3_uri} ({files_text(self.files_skipped)})"
        parts = [f"{files_text(self.files_uploaded)}, {format_size(self.bytes_uploaded)} sent"]
        if self.files_copied:
            parts.append(f"{self.files_copied} copied in S3")
        if self.files_skipped:
            parts.append(f"{self.files_skipped} unchanged")
        return f"staged {self.source} -> {self.s3_uri} ({'; '.join(parts)})"


@dataclass
class StageReport:
    pieces: List[PieceReport] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(getattr(p, name) for p in self.pieces)

    @property
    def bytes_uploaded(self) -> int:
        return self.total("bytes_uploaded")

    @property
    def files_uploaded(self) -> int:
        return self.total("files_uploaded")


@dataclass
class _Item:
    rel: str
    key: str
    source: object  # LocalFile or bytes
    digest: FileDigest
    done: bool = False
    copy_from: Optional[Tuple[str, str]] = None


@dataclass
class _Piece:
    upload: Upload
    bucket: str
    manifest_key: str
    items: List[_Item]
    report: PieceReport
    complete: bool = False

    @property
    def manifest(self) -> Manifest:
        return Manifest(self.upload.s3_uri, {i.rel: i.digest for i in self.items})


def stage(
    s3_client, uploads: List[Upload], *, out: TextIO = sys.stderr, owners: Optional[Dict] = None
) -> StageReport:
    """Stage every piece; print one line per piece; return what was sent, copied and reused.
    `owners` maps a bucket to the account that must own it (ExpectedBucketOwner)."""
    pieces = [_piece(upload) for upload in uploads]
    run = _Run(s3_client, pieces, owners or {}, out)
    try:
        run.skip_complete()
        run.resume()
        run.find_copies()
        run.transfer()
        run.write_manifests()
    finally:
        run.progress.finish()
    for piece in pieces:
        out.write(piece.report.line() + "\n")
    out.flush()
    return StageReport([p.report for p in pieces])


def _piece(upload: Upload) -> _Piece:
    prefix = parse(upload.s3_uri).as_prefix()
    items = [
        _Item(rel, prefix.join(rel).key, source, source_digest(source))
        for rel, source in upload.files
    ]
    manifest = parse(manifest_uri(upload.s3_uri))
    return _Piece(
        upload, prefix.bucket, manifest.key, items, PieceReport(upload.label(), upload.s3_uri)
    )


class _Run:
    def __init__(self, s3_client, pieces: List[_Piece], owners: Dict[str, str], out: TextIO):
        self.client = s3_client
        self.pieces = pieces
        self.owners = owners
        self.out = out
        self.window = None
        self.progress = TransferProgress(0, 0, out, label=f"checking {len(pieces)} piece(s)")
        buckets = {p.bucket for p in pieces}
        crt = crt_of(s3_client) if pieces else None
        if crt is not None and all(crt_reaches(s3_client, b) for b in buckets):
            self.sender = crt
        else:
            from .boto3ops import BotoS3

            self.sender = BotoS3(s3_client)

    def send(self, ops: List[Op], progress=None) -> List[Op]:
        return self.sender.run_all(ops, progress) if ops else ops

    def skip_complete(self) -> None:
        """A piece whose manifest is there, listing exactly its files, is complete (when a
        lifecycle rule expires staged content, only while the manifest is recent enough)."""
        ops = [self._own(get_op(p.bucket, p.manifest_key)) for p in self.pieces]
        first = self.pieces[0] if self.pieces else None
        marker = first and self._own(get_op(first.bucket, marker_key(base_of(first.upload.s3_uri))))
        self.send(ops + ([marker] if marker else []))
        self.window = trust_window(None if not marker or marker.missing else marker.response_body)
        for piece, op in zip(self.pieces, ops):
            found = None if op.missing else Manifest.from_bytes(op.response_body)
            fresh = is_fresh(op.response_headers, self.window)
            if found is not None and fresh and found.files == piece.manifest.files:
                piece.complete = True
                for item in piece.items:
                    self._skipped(piece, item)

    def resume(self) -> None:
        """Objects of an incomplete piece already there with the right checksum are kept."""
        from .transfer import list_keys

        heads: List[Tuple[_Piece, _Item, Op]] = []
        for piece in self._open():
            prefix = parse(piece.upload.s3_uri).as_prefix().key
            present = list_keys(self.client, piece.bucket, prefix)
            for item in piece.items:
                if present.get(item.key) == item.digest.size:
                    heads.append((piece, item, self._own(head_op(piece.bucket, item.key))))
        self.send([op for _, _, op in heads])
        for piece, item, op in heads:
            fresh = is_fresh(op.response_headers, self.window)
            if fresh and op.response_headers.get(CHECKSUM_HEADER) == item.digest.crc64:
                self._skipped(piece, item)

    def find_copies(self) -> None:
        """Files of an earlier version of the same piece with identical content: copy sources."""
        for piece in self._open():
            known = self._earlier_files(piece)
            for item in piece.items:
                if not item.done and (item.digest.sha256, item.digest.crc64) in known:
                    item.copy_from = known[(item.digest.sha256, item.digest.crc64)]

    def _earlier_files(self, piece: _Piece) -> Dict[Tuple[str, str], Tuple[str, str]]:
        sibling, own = sibling_prefix(piece.upload.s3_uri)
        listed = self.client.list_objects_v2(Bucket=piece.bucket, Prefix=sibling, MaxKeys=1000)
        found = [o for o in listed.get("Contents", []) if o["Key"] != own]
        found.sort(key=lambda o: o["LastModified"], reverse=True)
        ops = [self._own(get_op(piece.bucket, o["Key"])) for o in found[:EARLIER_VERSIONS]]
        known: Dict[Tuple[str, str], Tuple[str, str]] = {}
        for op in self.send(ops):
            manifest = None if op.missing else Manifest.from_bytes(op.response_body)
            if manifest is None:
                continue
            prefix = parse(manifest.prefix).as_prefix()
            for rel, digest in manifest.files.items():
                source = (prefix.bucket, prefix.join(rel).key)
                known.setdefault((digest.sha256, digest.crc64), source)
        return known

    def transfer(self) -> None:
        """Copy what exists elsewhere (falling back to sending it), send the rest."""
        copies = [(p, i) for p in self._open() for i in p.items if not i.done and i.copy_from]
        ops = [self._copy_op(p, i) for p, i in copies]
        self.send(ops)
        for (piece, item), op in zip(copies, ops):
            if op.field("ChecksumCRC64NVME") == item.digest.crc64:
                item.done = True
                piece.report.files_copied += 1
        self._verify_copies([(p, i) for p, i in copies if not i.done and not _missing(i, ops)])
        sends = [(p, i) for p in self._open() for i in p.items if not i.done]
        self._send_files(sends)

    def _copy_op(self, piece: _Piece, item: _Item) -> Op:
        bucket, key = item.copy_from
        op = copy_op(bucket, key, piece.bucket, item.key)
        op.missing_ok = True  # pruned meanwhile: the file is sent instead
        return expect_owner(op, self.owners, bucket)

    def _verify_copies(self, copies: List[Tuple[_Piece, _Item]]) -> None:
        """A copy whose answer did not show the checksum (not every server does) is checked."""
        ops = [self._own(head_op(p.bucket, i.key)) for p, i in copies]
        for (piece, item), op in zip(copies, self.send(ops)):
            if op.response_headers.get(CHECKSUM_HEADER) == item.digest.crc64:
                item.done = True
                piece.report.files_copied += 1

    def _send_files(self, sends: List[Tuple[_Piece, _Item]]) -> None:
        if not sends:
            return
        total = sum(i.digest.size for _, i in sends)
        self.progress.restart(total, len(sends), "uploading")
        ops = [self._own(put_op(i.source, p.bucket, i.key, i.digest.crc64)) for p, i in sends]
        try:
            self.send(ops, self.progress)
        except S3RequestError as exc:
            changed = _changed_underfoot(exc)
            if changed is None:
                raise
            raise changed from None
        for piece, item in sends:
            item.done = True
            piece.report.files_uploaded += 1
            piece.report.bytes_uploaded += item.digest.size

    def write_manifests(self) -> None:
        ops = [
            self._own(put_op(p.manifest.to_bytes(), p.bucket, p.manifest_key))
            for p in self._open()
            if all(i.done for i in p.items)
        ]
        self.send(ops)

    def _open(self) -> List[_Piece]:
        return [p for p in self.pieces if not p.complete]

    def _own(self, op: Op) -> Op:
        return expect_owner(op, self.owners)

    @staticmethod
    def _skipped(piece: _Piece, item: _Item) -> None:
        item.done = True
        piece.report.files_skipped += 1


def _missing(item: _Item, ops: List[Op]) -> bool:
    return any(op.missing and op.key == item.key for op in ops)


def _changed_underfoot(exc: S3RequestError) -> Optional[TransferError]:
    """S3 refused the bytes for their checksum: the file is not what was hashed any more."""
    op = exc.op
    if exc.code not in CHANGED_CODES or op is None or not isinstance(op.body, LocalFile):
        return None
    forget(op.body)
    return TransferError(
        f"{op.body.path}: changed while it was being staged (S3 refused the bytes for their "
        "checksum, so nothing wrong was kept); run again"
    )
