"""Unpacking a training job's `model.tar.gz` / `output.tar.gz` into a local folder.

The archive comes from S3, so its member names are not trusted: only regular files and folders
are unpacked, each checked to stay below the target (no absolute paths, no `..`, no links or
devices); anything else is refused with one line before a byte is written. Files are written
under a temporary name and renamed, so an interrupted unpack leaves no half-written file.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import tarfile
from pathlib import Path
from typing import List

from ..errors import Error


class UnsafeArchiveError(Error):
    """An archive member that would land outside the target or is not a file or folder."""


def unpack(archive: Path, dest: Path, label: str) -> List[Path]:
    """Unpack `archive` below `dest`; the files written. `label` names it in errors."""
    with tarfile.open(archive, "r:*") as tar:
        members = tar.getmembers()
        for member in members:
            _check(member, label)
        written = []
        for member in members:
            target = dest.joinpath(*posixpath.normpath(member.name).split("/"))
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.partial")
            source = tar.extractfile(member)
            with source, open(partial, "wb") as sink:
                shutil.copyfileobj(source, sink, 1024 * 1024)
            os.replace(partial, target)
            written.append(target)
    return written


def _check(member: tarfile.TarInfo, label: str) -> None:
    name = member.name
    if not (member.isfile() or member.isdir()):
        raise UnsafeArchiveError(
            f"{label}: member {name!r} is not a regular file or folder; refusing to unpack"
        )
    clean = posixpath.normpath(name)
    if (
        not name
        or name.startswith("/")
        or "\\" in name
        or "\0" in name
        or clean == ".."
        or (clean == "." and member.isfile())
        or clean.startswith("../")
    ):
        raise UnsafeArchiveError(
            f"{label}: member {name!r} would land outside the target folder; refusing to unpack"
        )
