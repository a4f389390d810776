"""Whether a local output folder may be written: not a file, and neither an input, inside one,
nor around one. Used by the local run (which imports nothing heavier) and by validation.
"""

from __future__ import annotations

import os


def local_output_problem(output: str, inputs: list[str]) -> str | None:
    """What is wrong with writing an output to the local path `output`: a file there, or the
    same folder as an input, one inside the other (the next remote run would stage outputs as
    inputs, or a download would overwrite an input)."""
    if os.path.exists(output) and not os.path.isdir(output):
        return "exists and is not a folder"
    blocker = _file_on_the_way(output)
    if blocker:
        return f"cannot be made: {blocker!r} is not a folder"
    mine = _real(output)
    for item in inputs:
        theirs = _real(item)
        if mine == theirs:
            return f"is the input {item!r}; give the output its own folder"
        if _inside(mine, theirs):
            return f"is inside the input {item!r}; give the output its own folder"
        if _inside(theirs, mine):
            return f"contains the input {item!r}; give the output its own folder"
    return None


def shared_output_folder(folders: list[tuple[str, str]]) -> tuple[str, str] | None:
    """(name, problem) of the first of (name, local folder) whose folder is another's, or one
    inside the other: a download would mix what the two jobs' outputs hold, and a script that
    empties one would empty the other."""
    if len(folders) < 2:
        return None
    seen: list[tuple[str, str]] = []
    for name, folder in folders:
        mine = _real(folder)
        for other, theirs in seen:
            if mine == theirs:
                return name, f"is the folder of {other} too; give each output its own folder"
            if _inside(mine, theirs) or _inside(theirs, mine):
                where = "inside" if _inside(mine, theirs) else "around"
                return name, f"is {where} the folder of {other}; give each output its own folder"
        seen.append((name, mine))
    return None


def _file_on_the_way(path: str) -> str | None:
    """The nearest existing folder above `path` that is not one (a file), if any."""
    parent = os.path.dirname(os.path.abspath(path))
    while not os.path.lexists(parent):
        parent = os.path.dirname(parent)
    return None if os.path.isdir(parent) else parent


def _real(path: str) -> str:
    return os.path.realpath(os.path.abspath(path))


def _inside(child: str, parent: str) -> bool:
    return child.startswith(parent.rstrip(os.sep) + os.sep)
