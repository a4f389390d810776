"""Content digests of the pieces that get staged.

A piece is a file or a folder. Each file gets a sha256 (its identity: the key of its object in
the store, `objects/<sha256>`) and a CRC64NVME (the checksum S3 verifies on upload and reports
back), both computed in one read. A piece's digest (over its files' relative paths and sha256s)
names its version, so unchanged content is recognised without asking S3.

Re-reading 100,000 unchanged files on every submit would cost seconds, so digests are cached on
disk, one cache file per walked root (`paths.digest_cache_dir()`), each entry keyed by the file's
path and its stamp: size, mtime_ns, ctime_ns and inode. ctime is the part an ordinary program
cannot set: a same-size rewrite that restores the old mtime (`cp -p`, rsync, `touch -r`, an
unpacked archive) still moves the ctime, so it is hashed again. A file modified within
RACY_SECONDS of being hashed is not cached at all (it may change again within the same timestamp
tick, as git's "racy clean" entries). Any problem with the cache only costs a re-read.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional, Tuple, Union

from ..errors import FileChanged, UsageError
from ..paths import CACHE_PLACED_BY, digest_cache_dir
from . import hashers
from .hashers import crc64, crc64_text, read_digest
from .walk import LocalFile, walk

SHELL_SUFFIXES = (".sh",)
DIGEST_LENGTH = 16
CACHE_ROOTS = 64  # cache files kept (one per walked root), the least recently saved dropped
RACY_SECONDS = 2.0  # a file modified this recently may change again within the same mtime tick
CACHE_FORMAT = 2

Source = Union[LocalFile, bytes]
FileList = List[Tuple[str, Source]]


class FileDigest(NamedTuple):
    """What a file's bytes are: its size, sha256 (hex) and CRC64NVME (base64, as S3 reports it)."""

    size: int
    sha256: str
    crc64: str


def is_shell_file(relpath: str) -> bool:
    return relpath.endswith(SHELL_SUFFIXES)


def to_lf(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


_WALKS: Dict[Tuple[str, bool], list] = {}  # walks done ahead (warm.py), taken once by the plan
_WALKS_LOCK = threading.Lock()
_AHEAD = threading.local()


@contextlib.contextmanager
def walking_ahead():
    """In this thread, keep each walk `piece_files` makes for a later call to take instead of
    walking again (warm.py walks what ships while resolve waits on AWS; the plan takes it)."""
    _AHEAD.on = True
    try:
        yield
    finally:
        _AHEAD.on = False


def piece_files(path: Path | str, *, lf: bool | None = None, skip_junk: bool = True) -> FileList:
    """The files of a piece as they are uploaded: shell files (or every file when `lf` is True)
    become LF-converted bytes; `lf=False` keeps every file byte for byte."""
    key = (os.path.abspath(path), skip_junk)
    if getattr(_AHEAD, "on", False):
        found = _cached_walk(path, skip_junk)
        with _WALKS_LOCK:
            _WALKS[key] = found
    else:
        with _WALKS_LOCK:
            found = _WALKS.pop(key, None)
        if found is None:
            found = _cached_walk(path, skip_junk)
    result: FileList = []
    for rel, file in found:
        convert = lf if lf is not None else is_shell_file(rel)
        result.append((rel, to_lf(_read(file)) if convert else file))
    return result


def _cached_walk(path: Path | str, skip_junk: bool) -> list:
    found = walk(os.path.abspath(path), skip_junk=skip_junk)
    cache = _RootCache.of(path)
    for _rel, file in found:
        file.cache = cache
    return found


def release_digest_caches() -> None:
    """Free the digest caches' loaded entries (each is read again from its file if asked)."""
    for cache in _RootCache.all():
        cache.release()


def _read(file: LocalFile) -> bytes:
    try:
        with open(file.path, "rb") as handle:
            return handle.read()
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
    if source.digest is None:
        source.digest = _file_digest(source)
    return source.digest


def bytes_digest(data: bytes) -> FileDigest:
    return FileDigest(len(data), hashlib.sha256(data).hexdigest(), crc64_text(crc64(data)))


def forget(file: LocalFile) -> None:
    """Drop what is known of a file (it changed under us): the next digest re-reads it."""
    file.digest = None
    if file.cache is not None:
        file.cache.forget(file)


def save_digest_cache() -> None:
    """Keep the digests computed so far for the next run (called once the job is staged)."""
    for cache in _RootCache.all():
        cache.save()


def _file_digest(file: LocalFile) -> FileDigest:
    cache = file.cache
    if cache is not None:
        found = cache.lookup(file)
        if found is not None:
            return found
    started = time.time()
    value = _hash_file(file)
    if cache is not None:
        cache.remember(file, value, started)
    return value


def _hash_file(file: LocalFile) -> FileDigest:
    """sha256 and CRC64NVME in one read; the file must still be what was walked (its stamp,
    size included, after the read)."""
    try:
        size, info, sha, crc = read_digest(file.path, file.size)
    except OSError as exc:
        raise UsageError(f"{file.path}: cannot be read ({exc.strerror})") from None
    if size != file.size or LocalFile.of(file.path, info).stamp() != file.stamp():
        raise FileChanged(f"{file.path}: changed while it was being read; run again")
    return FileDigest(size, sha, crc)


def start_hashing(root: Path | str) -> Optional[hashers.Walkers]:
    """Child processes hashing the files of a folder walked for the first time (no digest
    cache yet) while it is walked here (hashers.py); None where that would not pay."""
    if _RootCache.of(root).path.exists():
        return None
    return hashers.start(os.path.abspath(root))


def digest_many(sources: List[Source], walkers: Optional[hashers.Walkers] = None) -> None:
    """Digest every file, as `source_digest` does, taking what `walkers` found for those the
    digest cache does not know."""
    if walkers is not None:
        started = time.time()
        unknown = {}
        for source in sources:
            if isinstance(source, (bytes, bytearray)) or source.digest is not None:
                continue
            source.digest = source.cache.lookup(source) if source.cache is not None else None
            if source.digest is None:
                unknown[source.path] = source
        for file, found in walkers.answers(unknown):
            file.digest = FileDigest(*found)
            if file.cache is not None:
                file.cache.remember(file, file.digest, started)
    for source in sources:
        source_digest(source)


class _RootCache:
    """The digests of the files under one walked root: loaded from its cache file on first use,
    this run's findings merged back into it by `save` (under a lock: concurrent runs keep each
    other's entries). Entries are kept as the file stores them, relative path -> one string
    "size mtime_ns ctime_ns inode sha256 crc64", and parsed when looked up: 100,000 of them cost
    some 30 MB, not the three times that of a tuple of numbers each."""

    _lock = threading.Lock()
    _instances: Dict[tuple, _RootCache] = {}

    def __init__(self, root: str, path: Path):
        self.root = root
        self.path = path
        self.cut = len(root) + 1
        self.entries: Optional[Dict[str, str]] = None
        self.changes: Dict[str, Optional[str]] = {}  # this run's additions (None: removals)
        self.lock = threading.Lock()

    @classmethod
    def of(cls, root: Path | str) -> _RootCache:
        """The cache of a root in this process (tests move the cache through the environment:
        the variables that place it are part of the key)."""
        absolute = os.path.abspath(root)
        where = (absolute,) + tuple(os.environ.get(name) for name in CACHE_PLACED_BY)
        with cls._lock:
            found = cls._instances.get(where)
            if found is None:
                name = hashlib.sha256(absolute.encode("utf-8", "surrogateescape")).hexdigest()
                path = digest_cache_dir() / f"{name[:32]}.json"
                found = cls._instances[where] = cls(absolute, path)
            return found

    @classmethod
    def all(cls) -> List[_RootCache]:
        with cls._lock:
            return list(cls._instances.values())

    def _rel(self, file: LocalFile) -> str:
        return file.path[self.cut :] if len(file.path) > len(self.root) else ""

    def lookup(self, file: LocalFile) -> Optional[FileDigest]:
        with self.lock:
            if self.entries is None:
                self.entries = self._load()
            entry = self.entries.get(self._rel(file))
        if entry is None:
            return None
        try:
            size, mtime, ctime, ino, sha, crc = entry.split(" ")
            if (int(size), int(mtime), int(ctime), int(ino)) == file.stamp():
                return FileDigest(file.size, sha, crc)
        except ValueError:
            pass
        return None

    def release(self) -> None:
        """Free the loaded entries (reloaded from the file if asked again)."""
        with self.lock:
            self.entries = None

    def remember(self, file: LocalFile, value: FileDigest, hashed_at: float) -> None:
        """Keep a digest unless the file was modified too recently to trust its stamp."""
        newest = max(file.mtime_ns, file.ctime_ns) / 1e9
        if hashed_at - newest <= RACY_SECONDS:
            return
        entry = " ".join(map(str, (*file.stamp(), value.sha256, value.crc64)))
        rel = self._rel(file)
        with self.lock:
            if self.entries is not None:
                self.entries[rel] = entry
            self.changes[rel] = entry

    def forget(self, file: LocalFile) -> None:
        rel = self._rel(file)
        with self.lock:
            if self.entries is not None:
                self.entries.pop(rel, None)
            self.changes[rel] = None

    def _load(self) -> Dict[str, str]:
        try:
            doc = json.loads(self.path.read_text("utf-8"))
            if doc.get("root") != self.root or doc.get("format") != CACHE_FORMAT:
                return {}
            entries = doc["entries"]
            return entries if isinstance(entries, dict) else {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return {}

    def save(self) -> None:
        """Merge this run's changes into the file as it is now (other runs may have saved since),
        under a file lock, and replace it atomically; drop the oldest roots' files."""
        with self.lock:
            if not self.changes:
                return
            changes, self.changes = self.changes, {}
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with _file_lock(self.path.parent / ".lock"):
                on_disk = self._load()
                for rel, entry in changes.items():
                    if entry is None:
                        on_disk.pop(rel, None)
                    else:
                        on_disk[rel] = entry
                self._write(on_disk)
                _drop_old_roots(self.path.parent)

    def _write(self, entries: Dict[str, str]) -> None:
        doc = {"root": self.root, "format": CACHE_FORMAT, "entries": entries}
        text = json.dumps(doc, separators=(",", ":"))
        fd, tmp = tempfile.mkstemp(prefix=".digests-", dir=str(self.path.parent))
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


def _drop_old_roots(folder: Path) -> None:
    files = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in files[CACHE_ROOTS:]:
        with contextlib.suppress(OSError):
            stale.unlink()


@contextlib.contextmanager
def _file_lock(path: Path):
    import fcntl

    with open(path, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
