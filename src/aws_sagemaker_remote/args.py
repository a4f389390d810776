"""Path values for inputs, outputs and modules, kept compatible with the seed package's names."""

from __future__ import annotations

from collections import namedtuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional, Union


class PathArgument(
    namedtuple("PathArgument", "local remote mode optional distribution", defaults=(None,) * 5)
):
    """A local path or ``s3://`` URI, with where it goes remotely and how it is transferred.

    ``remote`` is, for an output, ``"default"`` or an ``s3://`` URI. ``optional`` marks an input
    that may be left empty: then it gets no channel. A named tuple rather than a dataclass: the
    local path must not pay for importing ``dataclasses`` (and ``inspect``) at start-up.
    """

    __slots__ = ()


OPTIONAL = PathArgument(optional=True)
JOB_REFERENCE = "job:"  # an input value naming an earlier job's output: job:NAME/OUTPUT


def is_job_reference(value) -> bool:
    return isinstance(value, str) and value.startswith(JOB_REFERENCE)


def to_path_argument(name: str, value: Union[str, PathArgument, tuple, None]) -> PathArgument:
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


def _text(value) -> Optional[str]:
    if value is None:
        return None
    return str(value.__fspath__()) if hasattr(value, "__fspath__") else str(value)
