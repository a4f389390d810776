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


def _real(path: str) -> str:
    return os.path.realpath(os.path.abspath(path))


def _inside(child: str, parent: str) -> bool:
    return child.startswith(parent.rstrip(os.sep) + os.sep)
