"""The standard library's module names for a Python version (an image's, not only this one's).

This interpreter's own list is ``sys.stdlib_module_names`` (Python 3.10+); on Python 3.9, which
has no such list, the names of its standard library folders and built-in modules. Public
top-level modules that came or went between 3.9 and 3.14 are tabled below (each "What's New in
Python 3.X" page, "New Modules" and "Removed"), so ``distutils`` counts as standard library for
a Python 3.11 image and not for a 3.12 one, whatever Python runs the check.
"""

from __future__ import annotations

import functools
import os
import sys
import sysconfig
from typing import FrozenSet, Tuple

ADDED = {
    "graphlib": (3, 9),
    "zoneinfo": (3, 9),
    "tomllib": (3, 11),
    "annotationlib": (3, 14),
    "compression": (3, 14),
}
_REMOVED_IN = {
    (3, 10): ("formatter", "parser", "symbol"),
    (3, 11): ("binhex",),
    (3, 12): ("asynchat", "asyncore", "distutils", "imp", "smtpd"),
    (3, 13): (
        "aifc", "audioop", "cgi", "cgitb", "chunk", "crypt", "imghdr", "lib2to3", "mailcap",
        "msilib", "nis", "nntplib", "ossaudiodev", "pipes", "sndhdr", "spwd", "sunau",
        "telnetlib", "uu", "xdrlib",
    ),
}  # fmt: skip
REMOVED = {name: version for version, names in _REMOVED_IN.items() for name in names}
ALWAYS = frozenset(("__future__", "__main__", "builtins"))


def stdlib_names(python: Tuple[int, int]) -> FrozenSet[str]:
    """The top-level module names of Python ``python``'s standard library."""
    return _names(tuple(python[:2]))


@functools.lru_cache(maxsize=8)
def _names(python: Tuple[int, ...]) -> FrozenSet[str]:
    names = set(_local_names()) | set(ADDED) | set(REMOVED) | ALWAYS
    names = {n for n in names if n not in ADDED or python >= ADDED[n]}
    return frozenset(n for n in names if n not in REMOVED or python < REMOVED[n])


@functools.lru_cache(maxsize=1)
def _local_names() -> FrozenSet[str]:
    listed = getattr(sys, "stdlib_module_names", None)
    if listed is not None:
        return frozenset(listed)
    return frozenset(sys.builtin_module_names) | _folder_names()


def _folder_names() -> FrozenSet[str]:
    """Python 3.9: what its standard library folders hold (modules, packages, extensions)."""
    paths = sysconfig.get_paths()
    folders = {paths["stdlib"], paths["platstdlib"]}
    folders |= {os.path.join(folder, "lib-dynload") for folder in tuple(folders)}
    found = set()
    for folder in folders:
        try:
            entries = os.listdir(folder)
        except OSError:
            continue
        for entry in entries:
            if entry in ("site-packages", "dist-packages") or entry.startswith("."):
                continue
            path = os.path.join(folder, entry)
            if entry.endswith((".py", ".so", ".pyd")):
                found.add(entry.split(".", 1)[0])
            elif os.path.isfile(os.path.join(path, "__init__.py")):
                found.add(entry)
    return frozenset(found)
