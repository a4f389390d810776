"""Which job a name means: the exact name, `latest` (the newest job), or a unique start of one
job's name. The job commands look among one kind's jobs, a `job:` reference among every kind's
(processing and training job names are separate namespaces on AWS)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, List, Tuple

from ..aws.errors import is_not_found
from ..contract import is_job_name
from ..errors import UsageError
from ..kinds import JobKind

LATEST = "latest"
SHOWN_CANDIDATES = 10
Found = Tuple[JobKind, str]


def find_job(backend: Any, name: str, kinds: Iterable[JobKind]) -> Found:
    """(kind, full name) of the job `name` means; a UsageError (exit 2) when none or several
    match.

    An exact name wins over a prefix (a job may be named like the start of another's name).
    `latest` is the newest job, unless a job is named exactly `latest`.
    """
    kinds = list(kinds)
    exact = [kind for kind in kinds if _exists(backend, name, kind)]
    if len(exact) > 1:
        what = " and a ".join(kind.name for kind in exact)
        raise UsageError(f"both a {what} job are named {name!r}; pass an s3:// URI instead")
    if exact:
        return exact[0], name
    if name == LATEST:
        return _newest(backend, kinds)
    matches = [
        (kind, found) for kind in kinds for found in _names_starting_with(backend, name, kind)
    ]
    if len(matches) == 1:
        return matches[0]
    what = " or ".join(kind.name for kind in kinds)
    if not matches:
        raise UsageError(
            f"there is no {what} job named {name!r} or starting with it"
            + _emulator_hint(backend, name, kinds)
        )
    several_kinds = len({kind.name for kind, _ in matches}) > 1
    shown = ", ".join(
        f"{found} ({kind.name})" if several_kinds else found
        for kind, found in matches[:SHOWN_CANDIDATES]
    )
    more = len(matches) - SHOWN_CANDIDATES
    if more > 0:
        shown += f" and {more} more"
    raise UsageError(
        f"{name!r} is the start of {len(matches)} job names ({shown}); type more of it"
    )


def _exists(backend: Any, name: str, kind: JobKind) -> bool:
    if not is_job_name(name):  # e.g. a prefix ending in "-": AWS would refuse to describe it
        return False
    try:
        backend.describe_job(kind, name)
    except Exception as exc:
        if is_not_found(exc):
            return False
        raise
    return True


def _newest(backend: Any, kinds: List[JobKind]) -> Found:
    """The newest job of `kinds` by CreationTime."""
    newest = []
    for kind in kinds:
        summaries = backend.list_jobs(
            kind, SortBy="CreationTime", SortOrder="Descending", MaxResults=1
        ).get(kind.field("Summaries"), [])
        newest += [
            (summary.get("CreationTime"), kind, kind.job_name(summary)) for summary in summaries
        ]
    if not newest:
        what = " or ".join(kind.name for kind in kinds)
        raise UsageError(
            f"latest: there are no {what} jobs yet" + _emulator_hint(backend, None, kinds)
        )
    _, kind, name = max(newest, key=lambda found: _seconds(found[0]))
    return kind, name


def _seconds(when: Any) -> float:
    return when.timestamp() if isinstance(when, datetime) else 0.0


def _names_starting_with(backend: Any, prefix: str, kind: JobKind) -> List[str]:
    """Every job whose name starts with `prefix`, newest first. SageMaker's NameContains filter
    narrows the listing to names containing it; the start is checked here."""
    kwargs = {
        "NameContains": prefix,
        "SortBy": "CreationTime",
        "SortOrder": "Descending",
        "MaxResults": 100,
    }
    names: List[str] = []
    while True:
        page = backend.list_jobs(kind, **kwargs)
        names += [
            kind.job_name(job)
            for job in page.get(kind.field("Summaries"), [])
            if kind.job_name(job).startswith(prefix)
        ]
        token = page.get("NextToken")
        if not token or token == kwargs.get("NextToken"):
            return names
        kwargs["NextToken"] = token


def _emulator_hint(backend: Any, name: Any, kinds: List[JobKind]) -> str:
    """On AWS, when the emulator has what was asked for: say how to reach it."""
    if backend.name != "aws":
        return ""
    from ..backends import emulator_hint

    return emulator_hint(name, kinds)
