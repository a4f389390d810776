"""Content digests of the pieces that get staged.

A piece is a file or a folder. Its digest names its S3 prefix, so unchanged content lands on the
same keys and is not sent twice. Each file gets a sha256 (its identity in the piece digest) and a
CRC64NVME (the checksum S3 verifies on upload and reports back, so that an object is reused only
when its content is known to match). Both are computed in one read and cached on disk for big files,
keyed by (absolute path, size, mtime_ns, inode), so that re-running a job does not re-read gigabytes
of unchanged inputs. Any problem with the cache only costs a re-read.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple, Union

from ..errors import FileChanged, UsageError
from ..paths import CACHE_PLACED_BY, digest_cache_file
from .walk import LocalFile, walk

SHELL_SUFFIXES = (".sh",)
DIGEST_LENGTH = 16
CACHE_MIN_SIZE = 1024 * 1024  # smaller files are cheaper to re-read than to track
CACHE_MAX_ENTRIES = 20_000
RACY_SECONDS = 2.0  # a file modified this recently may change again within the same mtime tick
_CHUNK = 1024 * 1024

Source = Union[LocalFile, bytes]
FileList = List[Tuple[str, Source]]


@dataclass(frozen=True)
class FileDigest:
    """What a file's bytes are: its size, sha256 (hex) and CRC64NVME (base64, as S3 reports it)."""

    size: int
    sha256: str
    crc64: str


def is_shell_file(relpath: str) -> bool:
    return relpath.endswith(SHELL_SUFFIXES)


def to_lf(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def piece_files(path: Path | str, *, lf: bool | None = None, skip_junk: bool = True) -> FileList:
    """The files of a piece as they are uploaded: shell files (or every file when `lf` is True)
    become LF-converted bytes; `lf=False` keeps every file byte for byte."""
    result: FileList = []
    for rel, file in walk(path, skip_junk=skip_junk):
        convert = lf if lf is not None else is_shell_file(rel)
        result.append((rel, to_lf(_read(file)) if convert else file))
    return result


def _read(file: LocalFile) -> bytes:
    try:
        return file.path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{file.path}: cannot be read ({exc.strerror})") from None


def piece_digest(files: FileList) -> str:
    """First 16 hex chars of sha256 over the sorted (relative posix path, sha256 of bytes) pairs.

    Each pair enters the hash as `<relpath>\\0<hex sha256>\\n`.
    """
    outer = hashlib.sha256()
    for rel, source in sorted(files, key=lambda item: item[0]):
        inner = source_digest(source).sha256
        outer.update(rel.encode("utf-8", "surrogateescape") + b"\0" + inner.encode() + b"\n")
    return outer.hexdigest()[:DIGEST_LENGTH]


def source_digest(source: Source) -> FileDigest:
    if isinstance(source, (bytes, bytearray)):
        return bytes_digest(bytes(source))
    return _DigestCache.shared().file_digest(source)


def bytes_digest(data: bytes) -> FileDigest:
    return FileDigest(len(data), hashlib.sha256(data).hexdigest(), _crc64_text(crc64(data)))


def forget(file: LocalFile) -> None:
    """Drop what is known of a file (it changed under us): the next digest re-reads it."""
    _DigestCache.shared().forget(file)


def save_digest_cache() -> None:
    """Keep the digests computed so far for the next run (called once the job is staged)."""
    _DigestCache.shared().save()


def crc64(data: bytes, previous: int = 0) -> int:
    from awscrt.checksums import crc64nvme

    return crc64nvme(data, previous)


def _crc64_text(value: int) -> str:
    return base64.b64encode(value.to_bytes(8, "big")).decode("ascii")


def _hash_file(file: LocalFile) -> FileDigest:
    """sha256 and CRC64NVME in one read; the file must still be what was walked."""
    from awscrt.checksums import crc64nvme

    sha, crc, size = hashlib.sha256(), 0, 0
    try:
        with open(file.path, "rb") as handle:
            for chunk in iter(lambda: handle.read(_CHUNK), b""):
                sha.update(chunk)
                crc = crc64nvme(chunk, crc)
                size += len(chunk)
            info = os.fstat(handle.fileno())
    except OSError as exc:
        raise UsageError(f"{file.path}: cannot be read ({exc.strerror})") from None
    if (size, info.st_mtime_ns, info.st_ino) != (file.size, file.mtime_ns, file.ino):
        raise FileChanged(f"{file.path}: changed while it was being read; run again")
    return FileDigest(size, sha.hexdigest(), _crc64_text(crc))


class _DigestCache:
    """Per-file digests: of big files in one JSON file (every failure is ignored), of all files
    read by this process in memory (`memo`), so that no file is read twice in one run."""

    _lock = threading.Lock()
    _instances: dict[tuple, _DigestCache] = {}

    def __init__(self, path: Path):
        self.path = path
        self.entries: Dict[str, list] = self._load()
        self.memo: Dict[str, list] = {}
        self.changes: Dict[str, Optional[list]] = {}  # this run's additions (None: removals)

    @classmethod
    def shared(cls) -> _DigestCache:
        """The cache of this process, one per cache file (tests move it through the environment,
        so it is found again by the variables that place it: no path is built per file)."""
        where = tuple(os.environ.get(name) for name in CACHE_PLACED_BY)
        instance = cls._instances.get(where)
        if instance is None:
            with cls._lock:
                instance = cls._instances.setdefault(where, cls(digest_cache_file()))
        return instance

    def _load(self) -> dict:
        try:
            data = json.loads(self.path.read_text("utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def file_digest(self, file: LocalFile) -> FileDigest:
        key = os.path.abspath(file.path)
        stamp = [file.size, file.mtime_ns, file.ino]
        with self._lock:
            entry = self.memo.get(key) or self.entries.get(key)
        if isinstance(entry, list) and len(entry) == 5 and entry[:3] == stamp:
            return FileDigest(file.size, entry[3], entry[4])
        value = _hash_file(file)
        record = stamp + [value.sha256, value.crc64]
        with self._lock:
            self.memo[key] = record
            if file.size >= CACHE_MIN_SIZE and time.time() - file.mtime_ns / 1e9 > RACY_SECONDS:
                self.entries[key] = record
                self.changes[key] = record
        return value

    def forget(self, file: LocalFile) -> None:
        key = os.path.abspath(file.path)
        with self._lock:
            self.memo.pop(key, None)
            self.entries.pop(key, None)
            self.changes[key] = None

    def save(self) -> None:
        """Merge this run's changes into the file as it is now (other runs may have saved since),
        under a lock, and replace it atomically."""
        with self._lock:
            if not self.changes:
                return
            changes, self.changes = self.changes, {}
            with contextlib.suppress(OSError):
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with _file_lock(self.path.with_suffix(".lock")):
                    entries = self._load()
                    for key, record in changes.items():
                        entries.pop(key, None)  # re-inserted last: the newest stay longest
                        if record is not None:
                            entries[key] = record
                    for key in list(entries)[: max(0, len(entries) - CACHE_MAX_ENTRIES)]:
                        del entries[key]
                    self._write(json.dumps(entries))

    def _write(self, text: str) -> None:
        fd, tmp = tempfile.mkstemp(prefix=".digests-", dir=str(self.path.parent))
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


@contextlib.contextmanager
def _file_lock(path: Path):
    import fcntl

    with open(path, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
