"""A job instance's own virtual environment over a cached, shared one (PEP 405): cheap to make
(a folder, a `pyvenv.cfg`, a few links and files, no package copied) and thrown away with the
instance, so what a job installs or writes there never reaches the next job.

- `bin/python` links to the shared environment's base interpreter, so `sys.prefix` is the
  instance's: `pip install` (a configuration step's, the bootstrap's `pip install -r`) installs
  into its site-packages, which comes before the shared one on `sys.path`; pip leaves what the
  shared environment holds alone ("Not uninstalling ... outside environment").
- its site-packages holds one `.pth` file that adds the shared environment's site-packages with
  `site.addsitedir` (so that environment's own `.pth` files work too).
- each console script of the shared environment (`pip`, a requirement's command) gets a
  trampoline in `bin/` that runs it with the instance's Python: run directly from the shared
  environment, `pip` would install into that environment. Other executables are linked.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import List

PTH_NAME = "_aws_sagemaker_remote_image.pth"
NOT_COMMANDS = ("activate", "deactivate", "python", "pydoc")
NOT_COMMAND_SUFFIXES = (".bat", ".ps1", ".fish", ".csh", ".nu", ".xsh", ".cmd")


def site_packages(venv: Path) -> Path:
    found = sorted(venv.glob("lib/python*/site-packages"))
    if not found:
        raise FileNotFoundError(f"no site-packages folder in {venv}")
    return found[0]


def make_overlay(shared: Path, target: Path) -> Path:
    """A fresh environment at `target` over the environment `shared`; its interpreter."""
    shutil.rmtree(target, ignore_errors=True)
    shared_site = site_packages(shared)
    site = target / shared_site.relative_to(shared)
    site.mkdir(parents=True)
    bin_dir = target / "bin"
    bin_dir.mkdir()
    (target / "pyvenv.cfg").write_text(_config(shared), encoding="utf-8")
    python = bin_dir / "python"
    os.symlink(os.path.realpath(shared / "bin" / "python"), python)
    for alias in ("python3", site.parent.name):
        os.symlink("python", bin_dir / alias)
    (site / PTH_NAME).write_text(
        f"import site; site.addsitedir({str(shared_site)!r})\n", encoding="utf-8"
    )
    for command in commands(shared / "bin"):
        _add_command(command, bin_dir / command.name)
    return python


def _config(shared: Path) -> str:
    lines = [
        line
        for line in (shared / "pyvenv.cfg").read_text(encoding="utf-8").splitlines()
        if line.partition("=")[0].strip() in ("home", "implementation", "version_info", "version")
    ]
    return "\n".join([*lines, "include-system-site-packages = false"]) + "\n"


def commands(bin_dir: Path) -> List[Path]:
    found = []
    for entry in sorted(bin_dir.iterdir()):
        if entry.name.startswith(NOT_COMMANDS) or entry.name.endswith(NOT_COMMAND_SUFFIXES):
            continue
        if entry.is_file() and os.access(entry, os.X_OK):
            found.append(entry)
    return found


def _add_command(source: Path, target: Path) -> None:
    if not _is_python_script(source):
        os.symlink(source, target)
        return
    target.write_text(
        f'#!/bin/sh\nexec "$(dirname "$0")/python" {_quoted(source)} "$@"\n', encoding="utf-8"
    )
    target.chmod(0o755)


def _is_python_script(path: Path) -> bool:
    """A console script: a Python shebang, or uv's relocatable sh/Python polyglot."""
    try:
        with open(path, "rb") as stream:
            head = stream.read(256)
    except OSError:
        return False
    first = head.split(b"\n", 1)[0]
    return first.startswith(b"#!") and (b"python" in first or b"'''exec'" in head)


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "'\\''") + "'"
