"""One emulated instance: its directory tree standing in for the container's `/opt/ml`, and
the mapping of container paths into it.

Container paths (`/opt/ml/...`) in arguments and environment values are remapped into
`<job>/instances/algo-<i>/opt/ml/...`; the bootstrap gets the same mapping through
AWS_SAGEMAKER_REMOTE_PATH_MAP (container/protocol.py PATH_MAP).
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import List

from ....contract import OPT_ML as CONTAINER_ROOT
from ..store import INSTANCES_DIR, LOG_SUFFIX, LOGS_DIR


@dataclass(frozen=True)
class Instance:
    index: int  # 1-based, as in algo-1
    count: int
    job_dir: Path

    @property
    def host(self) -> str:
        return f"algo-{self.index}"

    @property
    def hosts(self) -> List[str]:
        return [f"algo-{i}" for i in range(1, self.count + 1)]

    @property
    def root(self) -> Path:
        """The directory that plays `/` for this instance."""
        return self.job_dir / INSTANCES_DIR / self.host

    @property
    def log_file(self) -> Path:
        return self.job_dir / LOGS_DIR / f"{self.host}{LOG_SUFFIX}"

    def path(self, container_path: str) -> Path:
        """Where `container_path` is for this instance. ValueError for a path that is not under
        /opt/ml once `..` is resolved: the emulator's own reads and writes stay in its folder."""
        normal = posixpath.normpath(container_path)
        if not is_container_path(normal):
            raise ValueError(f"{container_path!r} is not a path under {CONTAINER_ROOT}")
        return Path(f"{self.root}{normal}")

    def contains(self, path: Path | str) -> bool:
        """Whether `path`, symbolic links resolved, is inside this instance's folder."""
        return is_inside(os.path.realpath(self.root), os.path.realpath(path))

    def links_out(self, folder: Path) -> List[str]:
        """Entries below `folder` (relative paths) that are symbolic links resolving outside
        this instance: in a container they could not reach the host's files, so the emulator
        neither uploads through them nor descends into them."""
        found: List[str] = []
        seen = set()
        for current, dirs, files in os.walk(folder, followlinks=True):
            real = os.path.realpath(current)
            if real in seen:
                dirs[:] = []
                continue
            seen.add(real)
            for name in dirs + files:
                path = os.path.join(current, name)
                if os.path.islink(path) and not self.contains(path):
                    found.append(os.path.relpath(path, folder))
            dirs[:] = [d for d in dirs if self.contains(os.path.join(current, d))]
        return sorted(found)

    @property
    def path_map(self) -> str:
        return f"{CONTAINER_ROOT}={self.root}{CONTAINER_ROOT}"


def instances(job_dir: Path, count: int) -> List[Instance]:
    return [Instance(i, count, job_dir) for i in range(1, count + 1)]


def is_inside(parent: str, child: str) -> bool:
    return child == parent or child.startswith(parent.rstrip(os.sep) + os.sep)


def is_container_path(value: str) -> bool:
    return value == CONTAINER_ROOT or value.startswith(CONTAINER_ROOT + "/")


def map_path(value: str, root: Path) -> str:
    return f"{root}{value}" if is_container_path(value) else value


def map_argument(token: str, root: Path) -> str:
    """A bare container path, or the value of `--flag=PATH`."""
    if token.startswith("-") and "=" in token:
        flag, _, value = token.partition("=")
        return f"{flag}={map_path(value, root)}"
    return map_path(token, root)


def map_env_value(value: str, root: Path) -> str:
    """Each `:`-separated part (PYTHONPATH-like lists) that is a container path."""
    if CONTAINER_ROOT not in value:
        return value
    return ":".join(map_path(part, root) for part in value.split(":"))
