"""The shared job environments, content-addressed: one per key (the interpreter, the image's
packages chosen, the image's constraints, the requirements' bytes, the builder), so the second
job with the same inputs builds nothing.

In the environments folder (`paths.venvs_dir`), for a key K:

- `K.lock`: held (exclusively, briefly) to look an environment up or build it: concurrent jobs
  with the same inputs wait for one build instead of racing;
- `.build-K-G/`: a build in progress, renamed to `K-G/` (one generation G) once finished, so a
  half-built environment is never used; one left by a killed build is removed by the next;
- `K.json`: the record of K's current generation and its fingerprint (every file's path, size,
  mode and mtime; `__pycache__` left out, Python writes there as it imports). It is written last:
  a build whose requirements failed is used by its own job only.
- `K-G.use`: each job running in `K-G/` holds a shared lock on it (the kernel drops it when the
  runner dies, kill -9 included).

Each lookup checks the fingerprint: a job that wrote into the shared environment (past its own
instance's environment, overlay.py) is found out before the next job starts, which gets a new
generation built from scratch. A generation no record names (replaced, or kept by a failed
build) or whose record went unused for `UNUSED_DAYS` is removed once no job holds it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import time
import uuid
from pathlib import Path
from typing import Callable, Iterator, Optional, Tuple

FORMAT = 1  # bump when what a key names changes
UNUSED_DAYS = 30
_GENERATION = re.compile(r"^([0-9a-f]{32})-([0-9a-f]{8})$")
Log = Callable[[str], None]
# A build: it fills the folder given and says whether the result may be recorded for others.
Build = Callable[[Path], bool]


def cache_key(parts: dict) -> str:
    text = json.dumps({"format": FORMAT, **parts}, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class Lease:
    """A job's hold on a generation: a shared lock on its `.use` file, until released."""

    def __init__(self, path: Path) -> None:
        import fcntl

        self._stream = open(path, "a+b")  # noqa: SIM115 - held until released
        fcntl.flock(self._stream.fileno(), fcntl.LOCK_SH)

    def release(self) -> None:
        self._stream.close()


class EnvironmentCache:
    def __init__(self, root: Path, log: Log) -> None:
        self.root = root
        self.log = log

    def acquire(self, key: str, build: Build) -> Tuple[Path, Lease, bool]:
        """(the environment, the job's lease on it, whether it was built now)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with file_lock(self.root / f"{key}.lock"):
            found = self._current(key)
            if found is not None:
                return found, Lease(self.root / f"{found.name}.use"), False
            found, lease = self._build(key, build)
        self.collect()
        return found, lease, True

    def _current(self, key: str) -> Optional[Path]:
        record = _read(self.root / f"{key}.json")
        if record is None:
            return None
        found = self.root / str(record.get("env", ""))
        if not _GENERATION.match(found.name) or not found.is_dir():
            return None
        if fingerprint(found) != record.get("fingerprint"):
            self.log(
                f"the cached job environment {found} changed after it was built (a job wrote "
                "into it): this job gets a new one"
            )
            return None
        os.utime(self.root / f"{key}.json")  # last used
        return found

    def _build(self, key: str, build: Build) -> Tuple[Path, Lease]:
        """A new generation, leased before it has its name (collect never takes it)."""
        for stale in self.root.glob(f".build-{key}-*"):  # we hold the key's lock: left behind
            shutil.rmtree(stale, ignore_errors=True)
        name = f"{key}-{uuid.uuid4().hex[:8]}"
        building, found = self.root / f".build-{name}", self.root / name
        lease = Lease(self.root / f"{name}.use")
        try:
            keep = build(building)
            os.rename(building, found)
        except BaseException:
            lease.release()
            shutil.rmtree(building, ignore_errors=True)
            with contextlib.suppress(OSError):
                (self.root / f"{name}.use").unlink()
            raise
        if keep:
            record = {"env": name, "fingerprint": fingerprint(found), "built": time.time()}
            _write(self.root / f"{key}.json", record)
        return found, lease

    def collect(self) -> None:
        """Remove each generation no record names, or whose record went unused for
        UNUSED_DAYS, once no job holds it."""
        current = {}
        for record_path in self.root.glob("*.json"):
            record = _read(record_path)
            if record is not None:
                current[record_path.stem] = (record.get("env"), record_path)
        cutoff = time.time() - UNUSED_DAYS * 86400
        for path in self.root.iterdir():
            match = _GENERATION.match(path.name)
            if not match or not path.is_dir():
                continue
            key = match.group(1)
            name, record_path = current.get(key, (None, None))
            if name != path.name:
                self._remove_unused(path)
            elif _older(record_path, cutoff):
                with file_lock(self.root / f"{key}.lock", wait=False) as locked:
                    if locked and _older(record_path, cutoff) and self._remove_unused(path):
                        with contextlib.suppress(OSError):
                            record_path.unlink()

    def _remove_unused(self, path: Path) -> bool:
        """Remove the generation `path` unless a job holds it; whether it was removed."""
        import fcntl

        use = self.root / f"{path.name}.use"
        with open(use, "a+b") as stream:
            try:
                fcntl.flock(stream.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return False  # a job runs in it
            shutil.rmtree(path, ignore_errors=True)
            with contextlib.suppress(OSError):
                use.unlink()
        return True


def _older(path: Path, cutoff: float) -> bool:
    try:
        return path.stat().st_mtime < cutoff
    except OSError:
        return False


def fingerprint(root: Path) -> str:
    """Every file's path, size, mode and mtime, every folder's path (a folder's own mtime moves
    when Python adds its __pycache__), __pycache__ folders left out; "" when the tree changes
    while it is read."""
    digest = hashlib.sha256()
    try:
        _add_folder(digest, str(root), "")
    except OSError:
        return ""
    return digest.hexdigest()


def _add_folder(digest, folder: str, relative: str) -> None:
    digest.update(f"{relative}/\n".encode("utf-8", "surrogateescape"))
    with os.scandir(folder) as entries:
        found = sorted(entries, key=lambda entry: entry.name)
    for entry in found:
        if entry.is_dir(follow_symlinks=False):
            if entry.name != "__pycache__":
                _add_folder(digest, entry.path, f"{relative}/{entry.name}")
            continue
        stat = entry.stat(follow_symlinks=False)
        line = f"{relative}/{entry.name}\0{stat.st_size}\0{stat.st_mode}\0{stat.st_mtime_ns}\n"
        digest.update(line.encode("utf-8", "surrogateescape"))


@contextlib.contextmanager
def file_lock(path: Path, wait: bool = True) -> Iterator[bool]:
    """An exclusive lock on `path` while in the block; without `wait`, the block runs at once
    and is told whether it holds the lock."""
    import fcntl

    with open(path, "a+b") as stream:
        try:
            fcntl.flock(stream.fileno(), fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except OSError:
            if wait:
                raise
            yield False
            return
        yield True


def _read(path: Path) -> Optional[dict]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path)
