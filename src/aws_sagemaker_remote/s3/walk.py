"""The files of a local input or code piece, each stat-ed once, every kind of entry decided.

Staging ships regular files only. A FIFO would hang the reader, a socket or device has no content
to ship, a dangling or looping symlink has no target: each is refused with one line naming it,
never opened. Symlinked folders are followed (their files are shipped under the link's name), with
loop detection by (device, inode) of every folder on the current path.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import List, Set, Tuple

from ..errors import UsageError
from ..follow.place import is_work_name

SKIP_DIRS = frozenset({"__pycache__", ".git"})
SKIP_FILES = frozenset({".DS_Store"})
SKIP_SUFFIXES = (".pyc",)


class LocalFile:
    """A regular file as seen when it was walked: its stamp (size, mtime, ctime, inode) tells a
    later change apart, ctime included, so that a rewrite which restores the mtime (`cp -p`,
    rsync, unpacking an archive) still counts as a change. Slots and a `str` path: a walk of
    100,000 files holds one of these per file. `digest` is filled in once the file is hashed
    (or found in the digest cache), `cache` is the digest cache of the walk that found it."""

    __slots__ = ("path", "size", "mtime_ns", "ctime_ns", "ino", "digest", "cache")

    def __init__(self, path, size: int, mtime_ns: int, ctime_ns: int = 0, ino: int = 0):
        self.path = os.fspath(path)
        self.size = size
        self.mtime_ns = mtime_ns
        self.ctime_ns = ctime_ns
        self.ino = ino
        self.digest = None
        self.cache = None

    @classmethod
    def of(cls, path, info: os.stat_result) -> LocalFile:
        return cls(path, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)

    def stamp(self) -> Tuple[int, int, int, int]:
        return (self.size, self.mtime_ns, self.ctime_ns, self.ino)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LocalFile):
            return NotImplemented
        return (self.path, *self.stamp()) == (other.path, *other.stamp())

    def __hash__(self) -> int:
        return hash((self.path, *self.stamp()))

    def __repr__(self) -> str:
        return f"LocalFile({self.path!r}, size={self.size})"


class UnstageableFile(UsageError):
    """An entry of an input or code folder that cannot be shipped."""


def walk(
    root: Path | str, *, skip_junk: bool = True, strict: bool = True
) -> List[Tuple[str, LocalFile]]:
    """(relative posix path, file) for a file or every file below a folder, sorted by path.

    A single file's relative path is its basename. With `skip_junk`, `__pycache__`, `.git`,
    `*.pyc` and `.DS_Store` are left out. With `strict` (inputs and code), an entry that is not a
    regular file or a folder raises UnstageableFile; without it (outputs), such entries are skipped.
    """
    root = Path(root)
    info = _stat(root, strict=True)
    if stat.S_ISREG(info.st_mode):
        _check_readable(root, strict)
        return [(root.name, LocalFile.of(root, info))]
    if not stat.S_ISDIR(info.st_mode):
        raise UnstageableFile(f"{root}: {_kind(info.st_mode)}, not a file or folder")
    found: List[Tuple[str, LocalFile]] = []
    _walk_dir(root, "", {(info.st_dev, info.st_ino)}, found, skip_junk=skip_junk, strict=strict)
    return sorted(found, key=lambda item: item[0])


def _walk_dir(folder, rel: str, seen: Set[Tuple[int, int]], found, *, skip_junk, strict):
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        if strict:
            raise UnstageableFile(f"{folder}: cannot be listed ({exc.strerror})") from None
        return
    for entry in entries:
        name = entry.name
        path = entry.path  # a str: a Path per file would cost 300 bytes and microseconds
        if is_work_name(name):
            continue  # a download's work folder (a killed one's): never part of what ships
        if strict and not _is_utf8(name):
            raise UnstageableFile(
                f"{_printable(path)}: its name is not UTF-8, and S3 object keys are UTF-8 "
                "(https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html); "
                "rename it"
            )
        info = _stat(path, strict=strict)
        if info is None:
            continue
        if stat.S_ISDIR(info.st_mode):
            if skip_junk and name in SKIP_DIRS:
                continue
            key = (info.st_dev, info.st_ino)
            if key in seen:
                _refuse(path, "a symlink loop (it leads back to a folder above it)", strict)
                continue
            _walk_dir(
                path, rel + name + "/", seen | {key}, found, skip_junk=skip_junk, strict=strict
            )
        elif stat.S_ISREG(info.st_mode):
            if skip_junk and (name in SKIP_FILES or name.endswith(SKIP_SUFFIXES)):
                continue
            if _check_readable(path, strict):
                found.append((rel + name, LocalFile.of(path, info)))
        else:
            _refuse(path, f"{_kind(info.st_mode)}, which cannot be staged", strict)


def _is_utf8(name: str) -> bool:
    """A name os.scandir decoded with surrogate escapes (bytes that are not UTF-8) is not."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _printable(path: str) -> str:
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _stat(path, *, strict: bool):
    """stat() following symlinks; a dangling or looping link is refused (or skipped)."""
    try:
        return os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            _refuse(path, "a dangling symlink", strict)
            return None
        if strict:
            raise UsageError(f"{path}: no such file or folder") from None
        return None  # gone since the folder was listed
    except OSError as exc:
        if os.path.islink(path):
            _refuse(path, f"a symlink that cannot be followed ({exc.strerror})", strict)
            return None
        if strict:
            raise UnstageableFile(f"{path}: cannot be read ({exc.strerror})") from None
        return None


def _check_readable(path, strict: bool) -> bool:
    if os.access(path, os.R_OK):
        return True
    _refuse(path, "not readable (permission denied)", strict)
    return False


def _refuse(path, why: str, strict: bool) -> None:
    if strict:
        raise UnstageableFile(f"{path}: {why}")


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    ):
        if test(mode):
            return name
    return "a special file"
