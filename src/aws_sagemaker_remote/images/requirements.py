"""The distributions a requirements file names, read as pip reads the file's lines (pip's
"Requirements File Format": one requirement or option per line, ``#`` comments, ``\\`` line
continuations, ``-r``/``--requirement`` includes relative to the file).

A requirement is a name (``pkg[extra]>=1 ; marker``), ``name @ URL``, or a URL, path or wheel
file: a URL or path is named by its ``#egg=`` fragment, a wheel by its file name; an entry with
no name it can tell is kept in ``unnamed``. ``-c`` constraints install nothing and are skipped.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Set

from .profiles import canonical

_NAME = re.compile(r"^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*(.*)$")
_EGG = re.compile(r"#(?:.*&)?egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_INCLUDE = ("-r", "--requirement")
_EDITABLE = ("-e", "--editable")
MAX_INCLUDES = 32


@dataclass
class RequirementNames:
    names: Set[str] = field(default_factory=set)  # canonical distribution names
    pins: List[str] = field(default_factory=list)  # the requirement lines as written
    unnamed: List[str] = field(default_factory=list)


def requirement_names(path: Path) -> RequirementNames:
    """What ``path`` asks pip to install (OSError when it cannot be read)."""
    found = RequirementNames()
    _read(Path(path), found, set())
    return found


def _read(path: Path, found: RequirementNames, seen: Set[str]) -> None:
    real = os.path.realpath(path)
    if real in seen or len(seen) >= MAX_INCLUDES:
        return
    seen.add(real)
    for line in logical_lines(path.read_text(encoding="utf-8", errors="replace")):
        include = _option_value(line, _INCLUDE)
        if include is not None:
            try:
                _read(path.parent / include, found, seen)
            except OSError:
                found.unnamed.append(line)
            continue
        editable = _option_value(line, _EDITABLE)
        if editable is not None:
            _add_entry(editable, found)
        elif not line.startswith("-"):  # other options: indexes, constraints, hashes...
            _add_entry(line, found)


def logical_lines(text: str) -> List[str]:
    """Lines with comments removed and ``\\`` continuations joined."""
    lines, pending = [], ""
    for raw in text.splitlines():
        line = re.sub(r"(^|\s)#.*$", "", raw).rstrip()
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = (pending + line).strip()
        pending = ""
        if line:
            lines.append(line)
    if pending.strip():
        lines.append(pending.strip())
    return lines


def _option_value(line: str, options) -> Optional[str]:
    for option in options:
        if line.startswith(option + "="):
            return line[len(option) + 1 :].strip()
        if line.startswith(option + " "):
            return line[len(option) :].strip()
        if not option.startswith("--") and line.startswith(option):
            return line[len(option) :].strip()
    return None


def _add_entry(entry: str, found: RequirementNames) -> None:
    entry = entry.split(" --", 1)[0].strip()  # per-requirement options (--hash=...)
    name = requirement_name(entry)
    if name is None:
        found.unnamed.append(entry)
    else:
        found.names.add(canonical(name))
        found.pins.append(entry)


def requirement_name(entry: str) -> Optional[str]:
    """The distribution one requirement entry installs, or None when it does not say."""
    egg = _EGG.search(entry)
    if egg:
        return egg.group(1)
    if "://" in entry.split("@", 1)[0] or entry.startswith((".", "/", "~")):
        return _wheel_name(entry)
    if entry.endswith((".whl", ".tar.gz", ".zip")) and "@" not in entry:
        return _wheel_name(entry)
    match = _NAME.match(entry)
    return match.group(1) if match else None


def _wheel_name(entry: str) -> Optional[str]:
    base = entry.rstrip("/").rsplit("/", 1)[-1]
    if base.endswith(".whl"):
        return base.split("-", 1)[0]
    return None
