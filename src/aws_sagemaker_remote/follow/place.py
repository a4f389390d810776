"""Putting a download into the user's folder: exactly the job's output, never through a link.

A download is fetched (and an archive unpacked) into a work folder of its own below the
destination, `.aws-sagemaker-remote-<pid>-<random>.partial`, under short names that always fit
(an object named with 255 bytes is fetched as `0`). Its files are then moved into place by a
walk from the destination over folder descriptors: each folder on the way is opened with
O_NOFOLLOW | O_DIRECTORY, so a link already in the destination (`sub -> /elsewhere`) is never
followed, and the last step is a rename, which replaces a name and never writes through it.

Before anything is fetched, the destination may hold only what the download replaces: any
other file or folder, and any link, is a stray, and the download is refused with one line
naming them (nothing is deleted: the folder is the user's, and may hold what another run
uses; the outputs stay in S3 to fetch again). A work folder whose process is gone (a killed
download) is removed by the next download into that folder (`is_work_name` tells one, and
staging's walk, s3/walk.py, never ships one).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Iterable, List, Optional, Set, Tuple

from ..errors import Error, UsageError
from ..procs import pid_exists

WORK_PREFIX = ".aws-sagemaker-remote-"
WORK_SUFFIX = ".partial"
_WORK_NAME = re.compile(re.escape(WORK_PREFIX) + r"(\d+)-[a-z0-9_]+" + re.escape(WORK_SUFFIX))
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
SHOWN_STRAYS = 3


class LinkInTheWay(Error):
    """A link (or a file) where the download needs a folder of its own."""


def is_work_name(name: str) -> bool:
    """Whether `name` is a download's work folder (a killed one's included)."""
    return _WORK_NAME.fullmatch(name) is not None


def work_folder(dest: Path) -> Path:
    """A fresh work folder below `dest` (made if need be), after removing those of downloads
    whose process is gone."""
    dest.mkdir(parents=True, exist_ok=True)
    for entry in os.scandir(dest):
        match = _WORK_NAME.fullmatch(entry.name)
        if match and not pid_exists(int(match.group(1))):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)
    prefix = f"{WORK_PREFIX}{os.getpid()}-"
    return Path(tempfile.mkdtemp(prefix=prefix, suffix=WORK_SUFFIX, dir=dest))


def refuse_strays(dest: Path, files: Iterable[str], folders: Iterable[str], why: str) -> None:
    """UsageError naming what in `dest` is neither one of `files` nor a folder on their way
    (`why`: what to say after, where the outputs still are)."""
    if os.path.lexists(dest) and not dest.is_dir():
        raise UsageError(f"{dest} exists and is not a folder; {why}")
    found = strays(dest, files, folders) if dest.is_dir() else []
    if found:
        shown = ", ".join(found[:SHOWN_STRAYS])
        more = f" and {len(found) - SHOWN_STRAYS} more" if len(found) > SHOWN_STRAYS else ""
        raise UsageError(
            f"{dest} holds what is not the job's output ({shown}{more}); move it away or "
            f"download into an empty folder, nothing was written; {why}"
        )


def strays(dest: Path, files: Iterable[str], folders: Iterable[str]) -> List[str]:
    """What in `dest` (links not followed, work folders left out) is neither one of `files`
    nor a folder on their way, as relative paths (a folder ends with /, a link with @)."""
    wanted = set(files)
    dirs = set(folders) | {rel.rsplit("/", 1)[0] for rel in wanted if "/" in rel}
    for rel in list(dirs):
        while "/" in rel:
            rel = rel.rsplit("/", 1)[0]
            dirs.add(rel)
    found: List[str] = []
    _scan(dest, "", wanted, dirs, found)
    return sorted(found)


def never_replaced(dest: Path) -> List[str]:
    """What in `dest` refuses any download into it, whatever the job's output holds: links
    and what is neither a file nor a folder (relative paths, a link ending with @). Found
    before the job is created, they cost no job run."""
    found: List[str] = []
    if dest.is_dir():
        _scan(dest, "", None, None, found)
    return sorted(found)


def _scan(
    folder: Path,
    rel: str,
    files: Optional[Set[str]],
    dirs: Optional[Set[str]],
    found: List[str],
) -> None:
    """Add to `found` what below `folder` is a link, neither file nor folder, a folder not in
    `dirs` or a file not in `files` (None: any folder, any file)."""
    for entry in os.scandir(folder):
        path = rel + entry.name
        if not rel and is_work_name(entry.name):
            continue
        if entry.is_symlink():
            found.append(path + "@")
        elif entry.is_dir(follow_symlinks=False):
            if dirs is None or path in dirs:
                _scan(Path(entry.path), path + "/", files, dirs, found)
            else:
                found.append(path + "/")
        elif not entry.is_file(follow_symlinks=False) or (files is not None and path not in files):
            found.append(path)


def place(work: Path, moves: List[Tuple[str, str]], folders: Iterable[str], dest: Path) -> None:
    """Move each (path in `work`, relative path below `dest`) into place and make each of
    `folders`, opening every folder on the way without following a link."""
    root = os.open(dest, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    source = os.open(work, _DIR_FLAGS)
    try:
        for rel in folders:
            os.close(_descend(root, rel.split("/"), dest))
        for src, rel in moves:
            *parents, name = rel.split("/")
            parent = _descend(root, parents, dest)
            try:
                os.replace(src, name, src_dir_fd=source, dst_dir_fd=parent)
            finally:
                os.close(parent)
    finally:
        os.close(source)
        os.close(root)


def _descend(root: int, parts: List[str], dest: Path) -> int:
    """A descriptor of the folder `parts` below `root`, each step made if missing and opened
    with O_NOFOLLOW (a link on the way raises LinkInTheWay)."""
    fd = os.dup(root)
    for index, part in enumerate(parts):
        with contextlib.suppress(FileExistsError):
            os.mkdir(part, dir_fd=fd)
        try:
            child = os.open(part, _DIR_FLAGS, dir_fd=fd)
        except OSError as exc:
            os.close(fd)
            where = dest.joinpath(*parts[: index + 1])
            raise LinkInTheWay(
                f"{where} is a link or a file where the download needs a folder; refusing to "
                f"write through it ({exc.strerror})"
            ) from exc
        os.close(fd)
        fd = child
    return fd
