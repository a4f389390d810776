"""Content digests of the pieces that get staged (standard library only).

A piece is a file or a directory. Its digest names its S3 prefix, so unchanged content lands on the
same keys and is not sent twice. Per-file sha256 values of big files are cached on disk, keyed by
(absolute path, size, mtime_ns, inode), so that re-running a job does not re-read gigabytes of
unchanged inputs. Any problem with the cache only costs a re-read.
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
from typing import Dict, List, Tuple, Union

from ..paths import digest_cache_file

SKIP_DIRS = frozenset({"__pycache__", ".git"})
SKIP_FILES = frozenset({".DS_Store"})
SKIP_SUFFIXES = (".pyc",)
SHELL_SUFFIXES = (".sh",)

DIGEST_LENGTH = 16
CACHE_MIN_SIZE = 1024 * 1024  # smaller files are cheaper to re-read than to track
CACHE_MAX_ENTRIES = 20_000
RACY_SECONDS = 2.0  # a file modified this recently may change again within the same mtime tick
_CHUNK = 1024 * 1024

Source = Union[Path, bytes]
FileList = List[Tuple[str, Source]]


def tree_files(path: Path | str, *, skip_junk: bool = True) -> list[tuple[str, Path]]:
    """(relative posix path, file) for a file or every file below a directory, sorted.

    A single file's relative path is its basename. With `skip_junk`, `__pycache__`, `.git`,
    `*.pyc` and `.DS_Store` are left out.
    """
    root = Path(path)
    if root.is_file():
        return [(root.name, root)]
    if not root.is_dir():
        raise FileNotFoundError(f"no such file or directory: {root}")
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        if skip_junk:
            dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
        base = Path(dirpath)
        for name in filenames:
            if skip_junk and _is_junk(name):
                continue
            file = base / name
            found.append((file.relative_to(root).as_posix(), file))
    return sorted(found, key=lambda item: item[0])


def _is_junk(name: str) -> bool:
    return name in SKIP_FILES or name.endswith(SKIP_SUFFIXES)


def is_shell_file(relpath: str) -> bool:
    return relpath.endswith(SHELL_SUFFIXES)


def lf_bytes(path: Path | str) -> bytes:
    """The file's bytes with CRLF and lone CR line endings turned into LF."""
    return to_lf(Path(path).read_bytes())


def to_lf(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def piece_files(path: Path | str, *, lf: bool | None = None, skip_junk: bool = True) -> FileList:
    """The files of a piece as they are uploaded: shell files (or every file when `lf` is True)
    become LF-converted bytes; `lf=False` keeps every file byte for byte."""
    result: FileList = []
    for rel, file in tree_files(path, skip_junk=skip_junk):
        convert = lf if lf is not None else is_shell_file(rel)
        result.append((rel, lf_bytes(file) if convert else file))
    return result


def piece_digest(files: FileList) -> str:
    """First 16 hex chars of sha256 over the sorted (relative posix path, sha256 of bytes) pairs.

    Each pair enters the hash as `<relpath>\\0<hex sha256>\\n`; a source may be a Path or bytes.
    """
    cache = _DigestCache.shared()
    outer = hashlib.sha256()
    for rel, source in sorted(files, key=lambda item: item[0]):
        inner = hashlib.sha256(source).hexdigest() if isinstance(source, bytes) else None
        if inner is None:
            inner = cache.file_sha256(Path(source))
        outer.update(rel.encode("utf-8", "surrogateescape") + b"\0" + inner.encode() + b"\n")
    return outer.hexdigest()[:DIGEST_LENGTH]


def save_digest_cache() -> None:
    """Keep the digests computed so far for the next run (called once the job is staged)."""
    _DigestCache.shared().save()


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


class _DigestCache:
    """Per-file sha256 values of big files, in one JSON file; every failure is ignored."""

    _lock = threading.Lock()
    _instances: dict[Path, _DigestCache] = {}

    def __init__(self, path: Path):
        self.path = path
        self.entries: Dict[str, list] = self._load()
        self.dirty = False

    @classmethod
    def shared(cls) -> _DigestCache:
        path = digest_cache_file()
        with cls._lock:
            if path not in cls._instances:
                cls._instances[path] = cls(path)
            return cls._instances[path]

    def _load(self) -> dict:
        try:
            data = json.loads(self.path.read_text("utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def file_sha256(self, path: Path) -> str:
        info = path.stat()
        if info.st_size < CACHE_MIN_SIZE:
            return _hash_file(path)
        key = os.path.abspath(path)
        stamp = [info.st_size, info.st_mtime_ns, info.st_ino]
        entry = self.entries.get(key)
        if isinstance(entry, list) and len(entry) == 4 and entry[:3] == stamp:
            return entry[3]
        value = _hash_file(path)
        if time.time() - info.st_mtime_ns / 1e9 > RACY_SECONDS:
            with self._lock:
                self.entries.pop(key, None)
                self.entries[key] = stamp + [value]
                self.dirty = True
        return value

    def save(self) -> None:
        with self._lock:
            if not self.dirty:
                return
            self.dirty = False
            entries = self.entries
            if len(entries) > CACHE_MAX_ENTRIES:  # dicts keep insertion order: drop the oldest
                for key in list(entries)[: len(entries) - CACHE_MAX_ENTRIES]:
                    del entries[key]
            with contextlib.suppress(OSError):
                self._write(json.dumps(entries))

    def _write(self, text: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".digests-", dir=str(self.path.parent))
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
