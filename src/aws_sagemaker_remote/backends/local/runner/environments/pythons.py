"""The interpreter of an emulated job: the image's Python version when this machine has it.

Looked for, in order: this Python (same minor version), pyenv's versions
(`$PYENV_ROOT/versions/X.Y.*`: a folder listing), a Python that `uv python find --system` knows
(uv-managed ones, those on PATH), and `pythonX.Y` on PATH. With none, `uv python install X.Y`
is tried once a day, unless uv may not download Pythons (`UV_PYTHON_DOWNLOADS=never` or
`manual`, uv's own setting) or uv is missing: never required, and a machine without a network
pays for the attempt once a day, not per job.
Found interpreters are remembered for a day in `<environments>/pythons.json` (uv's search
queries every interpreter on PATH: seconds, not milliseconds).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Optional, Tuple

REMEMBERED = "pythons.json"
REMEMBER_SECONDS = 24 * 3600
INSTALL_RETRY_SECONDS = 24 * 3600
INSTALL_TIMEOUT = 600
FIND_TIMEOUT = 60

Log = Callable[[str], None]


@dataclass(frozen=True)
class Interpreter:
    path: str  # a base interpreter (not a virtual environment's)
    version: Tuple[int, int, int]
    source: str  # where it was found: "this Python", "uv", "pyenv", "PATH"

    @property
    def minor(self) -> Tuple[int, int]:
        return self.version[0], self.version[1]

    @property
    def text(self) -> str:
        return ".".join(map(str, self.version))


def this_python() -> Interpreter:
    """The Python running this process, by its base interpreter."""
    base = getattr(sys, "_base_executable", None) or sys.executable
    return Interpreter(os.path.realpath(base), tuple(sys.version_info[:3]), "this Python")


def find_python(
    wanted: Tuple[int, int], folder: Path, uv: Optional[str], log: Log
) -> Optional[Interpreter]:
    """An interpreter of Python `wanted` (major, minor), or None."""
    if tuple(sys.version_info[:2]) == tuple(wanted):
        return this_python()
    key = "{}.{}".format(*wanted)
    remembered = _remembered(folder, key)
    if remembered is not None:
        return remembered
    found = _look(wanted, folder, uv)
    if found is None and uv and _may_install(folder, key):
        found = _install(key, folder, uv, log)
    if found is not None:
        _remember(folder, key, found)
    return found


def _look(wanted: Tuple[int, int], folder: Path, uv: Optional[str]) -> Optional[Interpreter]:
    for path, source in _candidates("{}.{}".format(*wanted), folder, uv):
        found = _probe(path, source) if path else None
        if found is not None and found.minor == tuple(wanted):
            return found
    return None


def _candidates(key: str, folder: Path, uv: Optional[str]) -> Iterator[Tuple[Optional[str], str]]:
    """(path, where it was found), cheapest first: uv's search is asked only when needed."""
    for path in _pyenv_pythons(key):
        yield path, "pyenv"
    if uv:
        yield _uv_find(uv, key, folder), "uv"
    yield shutil.which(f"python{key}"), "PATH"


def _uv_find(uv: str, key: str, folder: Path) -> Optional[str]:
    """`uv python find --system` (never a virtual environment: the project's .venv included)."""
    try:
        result = subprocess.run(
            [uv, "python", "find", "--system", key],
            cwd=str(folder),
            capture_output=True,
            text=True,
            timeout=FIND_TIMEOUT,
            env=_uv_env(),
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0:
        return None
    return result.stdout.strip() or None


def _pyenv_pythons(key: str):
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    try:
        names = [n for n in os.listdir(root) if re.fullmatch(re.escape(key) + r"\.\d+", n)]
    except OSError:
        return []
    names.sort(key=lambda n: int(n.rsplit(".", 1)[1]), reverse=True)
    return [str(root / name / "bin" / f"python{key}") for name in names]


def _probe(path: str, source: str) -> Optional[Interpreter]:
    """The interpreter at `path` by its own word (it must run), its base if a venv's."""
    program = "import sys; print(getattr(sys, '_base_executable', '') or sys.executable); "
    program += "print('.'.join(map(str, sys.version_info[:3])))"
    try:
        result = subprocess.run(
            [path, "-I", "-c", program], capture_output=True, text=True, timeout=FIND_TIMEOUT
        )
        base, version = result.stdout.split()
        parts = tuple(int(p) for p in version.split("."))
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0 or len(parts) != 3:
        return None
    return Interpreter(os.path.realpath(base), parts, source)


def _may_install(folder: Path, key: str) -> bool:
    if os.environ.get("UV_PYTHON_DOWNLOADS", "").strip().lower() in ("never", "manual"):
        return False
    marker = folder / f".python-{key}-install-failed"
    with contextlib.suppress(OSError):
        if time.time() - marker.stat().st_mtime < INSTALL_RETRY_SECONDS:
            return False
    return True


def _install(key: str, folder: Path, uv: str, log: Log) -> Optional[Interpreter]:
    log(f"installing Python {key} with uv (once; UV_PYTHON_DOWNLOADS=never turns this off)")
    try:
        result = subprocess.run(
            [uv, "python", "install", key],
            cwd=str(folder),
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
            env=_uv_env(),
        )
        ok = result.returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    found = _probe(_uv_find(uv, key, folder) or "", "uv") if ok else None
    if found is None:
        (folder / f".python-{key}-install-failed").write_text(f"{time.time()}\n")
    return found


def _uv_env():
    env = dict(os.environ)
    env.pop("VIRTUAL_ENV", None)  # the caller's own venv is never the job's Python
    return env


def _remembered(folder: Path, key: str) -> Optional[Interpreter]:
    try:
        entry = json.loads((folder / REMEMBERED).read_text(encoding="utf-8"))[key]
        fresh = time.time() - entry["at"] < REMEMBER_SECONDS
        if fresh and os.path.exists(entry["path"]):
            return Interpreter(entry["path"], tuple(entry["version"]), entry["source"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def _remember(folder: Path, key: str, found: Interpreter) -> None:
    path = folder / REMEMBERED
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    data[key] = {"path": found.path, "version": list(found.version), "source": found.source,
                 "at": time.time()}  # fmt: skip
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path)
