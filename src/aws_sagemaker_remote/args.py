"""Path values for inputs, outputs and modules, kept compatible with the seed package's names,
and the checks of what they name: an S3 URI mistyped, a local output folder that may not be
written (used by the local run, which imports nothing heavier, and by validation)."""

import os
from collections import namedtuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import List, Optional, Tuple, Union


class PathArgument(
    namedtuple("PathArgument", "local remote mode optional distribution", defaults=(None,) * 5)
):
    """An input or output value with its transfer settings, e.g.
    ``inputs={"big": PathArgument("data/big.bin", mode="Pipe")}``. Each field sets the default of
    a flag of the item; ``None`` keeps that flag's usual default.

    :param local: a local path; for an input also an ``s3://`` URI or ``job:JOB/OUTPUT`` (an
        earlier job's output). The default of ``--NAME``.
    :param remote: for an output, where a job uploads it: ``"default"`` (a prefix named after the
        job) or an ``s3://`` URI. The default of ``--NAME-s3``.
    :param mode: for an input ``File`` or ``Pipe``, for an output ``EndOfJob`` or ``Continuous``.
        The default of ``--NAME-mode``.
    :param optional: ``True`` for an input that may be left empty: then it gets no channel and
        ``main`` sees an empty value.
    :param distribution: for an input with several instances, ``FullyReplicated`` or
        ``ShardedByS3Key``. The default of ``--NAME-distribution``.
    """

    # A named tuple rather than a dataclass: the local path must not pay for importing
    # ``dataclasses`` (and ``inspect``) at start-up.

    __slots__ = ()


OPTIONAL = PathArgument(optional=True)
"""An input with no default: ``inputs={"extra": OPTIONAL}`` adds ``--extra``; left empty, the
job gets no channel for it and ``main`` sees an empty value."""
JOB_REFERENCE = "job:"  # an input value naming an earlier job's output: job:NAME/OUTPUT


def is_job_reference(value) -> bool:
    return isinstance(value, str) and value.startswith(JOB_REFERENCE)


def s3_uri_slip(value) -> "Optional[str]":
    """Why a value meant as an S3 URI (`S3://b/k`, `s3:/b/k`, `s3:b/k`) is not one, rather than
    a missing local path; None for anything else (a local file of such a name included)."""
    import os

    if not isinstance(value, str) or value[:3].lower() != "s3:" or value.startswith("s3://"):
        return None
    if os.path.exists(value):
        return None
    return "a malformed S3 URI: an S3 URI starts with s3:// (lowercase, two slashes)"


def to_path_argument(name: str, value: "Union[str, PathArgument, tuple, None]") -> "PathArgument":
    """Accept every form the API allows for an input or output value."""
    if isinstance(value, PathArgument):
        return value
    if value is None:
        return PathArgument(optional=True)
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name}: expected (local, remote), got {value!r}")
        return PathArgument(local=_text(value[0]), remote=_text(value[1]))
    if hasattr(value, "__fspath__") or isinstance(value, str):
        return PathArgument(local=_text(value))
    raise ValueError(f"{name}: expected a path, s3:// URI, tuple or PathArgument, got {value!r}")


def _text(value) -> "Optional[str]":
    if value is None:
        return None
    return str(value.__fspath__()) if hasattr(value, "__fspath__") else str(value)


def local_output_problem(output: str, inputs: "List[str]") -> "Optional[str]":
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


def shared_output_folder(folders: "List[Tuple[str, str]]") -> "Optional[Tuple[str, str]]":
    """(name, problem) of the first of (name, local folder) whose folder is another's, or one
    inside the other: a download would mix what the two jobs' outputs hold, and a script that
    empties one would empty the other."""
    if len(folders) < 2:
        return None
    seen: List[Tuple[str, str]] = []
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


def _file_on_the_way(path: str) -> "Optional[str]":
    """The nearest existing folder above `path` that is not one (a file), if any."""
    parent = os.path.dirname(os.path.abspath(path))
    while not os.path.lexists(parent):
        parent = os.path.dirname(parent)
    return None if os.path.isdir(parent) else parent


def _real(path: str) -> str:
    return os.path.realpath(os.path.abspath(path))


def _inside(child: str, parent: str) -> bool:
    return child.startswith(parent.rstrip(os.sep) + os.sep)
