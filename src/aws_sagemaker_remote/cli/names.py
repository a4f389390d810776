"""Which job a NAME means: the exact name, `latest`, or a unique prefix of one job's name."""

from __future__ import annotations

from typing import Any, List

from ..contract import is_job_name
from ..errors import UsageError, is_not_found
from ..kinds import JobKind

LATEST = "latest"
SHOWN_CANDIDATES = 10


def resolve_job_name(backend: Any, name: str, kind: JobKind) -> str:
    """The full name of the job `name` means; a UsageError (exit 2) when none or several match.

    An exact name wins over a prefix (a job may be named like the start of another's name).
    `latest` is the newest job, unless a job is named exactly `latest`.
    """
    if _exists(backend, name, kind):
        return name
    if name == LATEST:
        newest = backend.list_jobs(
            kind, SortBy="CreationTime", SortOrder="Descending", MaxResults=1
        ).get(kind.field("Summaries"), [])
        if not newest:
            raise UsageError(f"NAME: latest: there are no {kind.name} jobs yet")
        return kind.job_name(newest[0])
    matches = _names_starting_with(backend, name, kind)
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise UsageError(f"NAME: there is no {kind.name} job named {name!r} or starting with it")
    shown = ", ".join(matches[:SHOWN_CANDIDATES])
    more = len(matches) - SHOWN_CANDIDATES
    if more > 0:
        shown += f" and {more} more"
    raise UsageError(
        f"NAME: {name!r} is the start of {len(matches)} job names ({shown}); type more of it"
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
