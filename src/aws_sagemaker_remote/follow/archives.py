"""Unpacking a training job's `model.tar.gz` / `output.tar.gz` into a fresh folder.

The archive comes from S3, so its members are not trusted. Each member goes through the
standard library's `data` extraction filter (https://peps.python.org/pep-0706/: no absolute
paths, nothing resolving outside the target even through a link already there, no special
files, no set-uid or group/other write bits), or through `_data_filter`, the same rules, on a
Python whose tarfile predates it (before 3.8.17 / 3.9.17 / 3.10.12 / 3.11.4). On top of it only
regular files and folders are unpacked: a link in a model archive is refused, never created.
Every member is checked before a byte is written, and anything refused is one line naming it.

The caller unpacks into a folder of its own making (follow/place.py moves the files into the
user's folder without following links there).
"""

from __future__ import annotations

import copy
import os
import posixpath
import shutil
import tarfile
from pathlib import Path
from typing import Dict, List, Optional

from ..errors import Error

CHUNK = 1024 * 1024


class UnsafeArchiveError(Error):
    """An archive member that would land outside the target or is not a file or folder."""


def unpack(archive: Path, dest: Path, label: str) -> List[str]:
    """Unpack `archive` below `dest`; the relative posix paths of the files and folders
    written (folders end with `/`). `label` names the archive in errors."""
    with tarfile.open(archive, "r:*") as tar:
        members = tar.getmembers()
        modes: Dict[str, Optional[int]] = {}
        for member in members:
            modes[member.name] = _checked(member, dest, label).mode
        dest.mkdir(parents=True, exist_ok=True)
        written = []
        for member in members:
            rel = posixpath.normpath(member.name.lstrip("/"))
            target = dest.joinpath(*rel.split("/"))
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
                if rel != ".":
                    written.append(rel + "/")
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(member)
            with source, open(target, "xb") as sink:
                shutil.copyfileobj(source, sink, CHUNK)
                mode = modes[member.name]
                if mode is not None:
                    os.fchmod(sink.fileno(), mode)
            written.append(rel)
    return written


def _checked(member: tarfile.TarInfo, dest: Path, label: str) -> tarfile.TarInfo:
    """The member as the `data` filter gives it back; refused (one line) otherwise."""
    name = member.name
    if not (member.isfile() or member.isdir()):
        raise UnsafeArchiveError(
            f"{label}: member {name!r} is not a regular file or folder; refusing to unpack"
        )
    if name.startswith("/") or (member.isfile() and _is_top(name)):
        raise UnsafeArchiveError(
            f"{label}: member {name!r} would land outside the target folder; refusing to unpack"
        )
    if not name or "\\" in name or "\0" in name:
        raise UnsafeArchiveError(f"{label}: member {name!r} is not a file name; refusing to unpack")
    data_filter = getattr(tarfile, "data_filter", None) or _data_filter
    try:
        return data_filter(member, str(dest))
    except (tarfile.TarError, OSError) as exc:  # tarfile.FilterError is a TarError
        raise UnsafeArchiveError(f"{label}: member {name!r}: {exc}; refusing to unpack") from exc


def _is_top(name: str) -> bool:
    return posixpath.normpath(name.lstrip("/")) in (".", "")


def _data_filter(member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo:
    """PEP 706's `data` filter for the regular files and folders unpack() takes, on a Python
    without `tarfile.data_filter`: the name made relative, its real path (links already in
    `dest` followed) kept inside `dest`, the mode cleaned (owners
    are never applied here, so the filter's dropping of them has nothing to do)."""
    name = member.name.lstrip("/" + os.sep)
    if os.path.isabs(name):
        raise tarfile.TarError(f"{member.name!r} is an absolute path")
    root = os.path.realpath(dest)
    target = os.path.realpath(os.path.join(root, name))
    if os.path.commonpath([root, target]) != root:
        raise tarfile.TarError(f"{member.name!r} would be extracted to {target!r}, outside {dest}")
    mode = member.mode & 0o755
    if member.isfile():
        if not mode & 0o100:
            mode &= ~0o111
        mode |= 0o600
    else:
        mode = None
    clean = copy.copy(member)  # TarInfo.replace() came with the filters
    clean.name, clean.mode = name, mode
    return clean
