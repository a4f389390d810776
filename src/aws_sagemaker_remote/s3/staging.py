"""Stage the pieces of a job in S3: content-addressed, unchanged objects skipped, all or nothing.

A piece's prefix contains the digest of its content (see docs/architecture.md), so an object that
is already there with the same key and size holds the same bytes: it is not sent again. Every
file of every piece goes through one s3transfer manager. When anything fails, the objects this
call wrote are deleted before the error is re-raised.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, TextIO, Tuple, Union

from . import transfer
from .digest import is_shell_file, lf_bytes, piece_files, to_lf
from .progress import TransferProgress, skipped_line, uploaded_line
from .uploads import Upload
from .uri import parse


@dataclass
class PieceReport:
    source: str
    s3_uri: str
    files_uploaded: int = 0
    bytes_uploaded: int = 0
    files_skipped: int = 0
    bytes_skipped: int = 0

    def line(self) -> str:
        if self.files_uploaded == 0:
            return skipped_line(self.source, self.s3_uri, self.files_skipped)
        return uploaded_line(
            self.source, self.s3_uri, self.files_uploaded, self.bytes_uploaded, self.files_skipped
        )


@dataclass
class StageReport:
    pieces: List[PieceReport] = field(default_factory=list)

    @property
    def files_uploaded(self) -> int:
        return sum(p.files_uploaded for p in self.pieces)

    @property
    def bytes_uploaded(self) -> int:
        return sum(p.bytes_uploaded for p in self.pieces)

    @property
    def files_skipped(self) -> int:
        return sum(p.files_skipped for p in self.pieces)

    @property
    def bytes_skipped(self) -> int:
        return sum(p.bytes_skipped for p in self.pieces)


@dataclass
class _Item:
    source: Union[Path, bytes]
    bucket: str
    key: str
    size: int


@dataclass
class _Piece:
    upload: Upload
    bucket: str
    prefix: str  # listed once to find what is already there
    items: List[_Item]


def stage(s3_client, uploads: List[Upload], *, out: TextIO = sys.stderr) -> StageReport:
    """Upload every piece, skipping objects already present with the same size."""
    pieces = [_resolve(upload) for upload in uploads]
    report, todo = _plan_transfers(s3_client, pieces)
    if todo:
        progress = TransferProgress(sum(item.size for item in todo), out)
        try:
            transfer.upload_files(
                s3_client, [(i.source, i.bucket, i.key) for i in todo], progress=progress
            )
        except BaseException:
            progress.finish()
            _rollback(s3_client, todo)
            raise
        progress.finish()
    for piece in report.pieces:
        out.write(piece.line() + "\n")
    out.flush()
    return report


def _resolve(upload: Upload) -> _Piece:
    location = parse(upload.s3_uri)
    if upload.body is not None:
        body = to_lf(upload.body) if upload.lf else upload.body
        item = _Item(body, location.bucket, location.key, len(body))
        return _Piece(upload, location.bucket, location.key, [item])
    if upload.source is None and upload.files is None:
        raise ValueError(f"upload to {upload.s3_uri} has neither a source nor a body")
    prefix = location.as_prefix()
    files = upload.files if upload.files is not None else piece_files(upload.source, lf=upload.lf)
    items = [
        _item(source, prefix.bucket, prefix.join(rel).key, rel, upload.lf) for rel, source in files
    ]
    return _Piece(upload, prefix.bucket, prefix.key, items)


def _item(source: Union[Path, bytes], bucket: str, key: str, rel: str, lf: Optional[bool]) -> _Item:
    convert = lf if lf is not None else is_shell_file(rel)
    if isinstance(source, (bytes, bytearray)):
        return _Item(bytes(source), bucket, key, len(source))
    if convert:
        data = lf_bytes(source)
        return _Item(data, bucket, key, len(data))
    return _Item(Path(source), bucket, key, Path(source).stat().st_size)


def _plan_transfers(s3_client, pieces: List[_Piece]) -> Tuple[StageReport, List[_Item]]:
    """Report skeleton plus the items to send: those not already in S3 with the same size."""
    report = StageReport()
    todo: List[_Item] = []
    seen = set()
    for piece in pieces:
        present = transfer.list_keys(s3_client, piece.bucket, piece.prefix)
        entry = PieceReport(piece.upload.label(), piece.upload.s3_uri)
        for item in piece.items:
            if present.get(item.key) == item.size or (item.bucket, item.key) in seen:
                entry.files_skipped += 1
                entry.bytes_skipped += item.size
                continue
            seen.add((item.bucket, item.key))
            todo.append(item)
            entry.files_uploaded += 1
            entry.bytes_uploaded += item.size
        report.pieces.append(entry)
    return report, todo


def _rollback(s3_client, items: List[_Item]) -> None:
    """Delete every object this call may have written (deleting a missing key is harmless)."""
    by_bucket: dict = {}
    for item in items:
        by_bucket.setdefault(item.bucket, []).append(item.key)
    for bucket, keys in by_bucket.items():
        try:
            transfer.delete_keys(s3_client, bucket, keys)
        except Exception as exc:  # noqa: BLE001 - keep the original error; say what is left
            print(
                f"warning: could not remove {len(keys)} staged object(s) from s3://{bucket}: {exc}",
                file=sys.stderr,
            )
