"""Path values for inputs, outputs and modules, kept compatible with the seed package's names."""

from __future__ import annotations

from collections import namedtuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional, Union


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


def s3_uri_slip(value) -> Optional[str]:
    """Why a value meant as an S3 URI (`S3://b/k`, `s3:/b/k`, `s3:b/k`) is not one, rather than
    a missing local path; None for anything else (a local file of such a name included)."""
    import os

    if not isinstance(value, str) or value[:3].lower() != "s3:" or value.startswith("s3://"):
        return None
    if os.path.exists(value):
        return None
    return "a malformed S3 URI: an S3 URI starts with s3:// (lowercase, two slashes)"


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
