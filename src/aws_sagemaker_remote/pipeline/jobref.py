"""Inputs that name an earlier job's output: `job:NAME/OUTPUT` -> that output's S3 URI.

NAME is a processing job (its outputs by name) or a training job (`model` and `output`, its
archives): processing and training job names are separate namespaces, so a name both use is
refused rather than guessed. Only a Completed job's outputs are taken: a job that failed, was
stopped or still runs may have written part of them or nothing, and the next job would read
what is there and succeed. `job:NAME/OUTPUT@any` takes them whatever the job's status."""

from __future__ import annotations

from ..args import ANY_STATUS, is_job_reference, split_job_reference
from ..contract import is_job_name
from ..errors import UsageError, is_not_found
from ..flags import flag_of

COMPLETED = "Completed"

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Tuple


def resolve_job_reference(backend: Any, value: str) -> str:
    """The S3Uri of the referenced output; other values are returned unchanged.

    `job:NAME` without an output is accepted when the job has exactly one output.
    """
    if not is_job_reference(value):
        return value
    job_name, output, any_status = split_job_reference(value)
    if not is_job_name(job_name):
        raise UsageError(f"{value!r}: a job reference is job:NAME/OUTPUT with a valid job name")
    kind, described = _job(backend, value, job_name)
    status = kind.status(described)
    if status != COMPLETED and not any_status:
        raise UsageError(
            f"{value!r}: job {job_name} is {status}, so its outputs may be partial or missing; "
            f"to use them anyway, name {value}{ANY_STATUS}"
        )
    outputs = kind.results(described)
    if not output and len(outputs) == 1:
        return next(iter(outputs.values()))
    if output not in outputs:
        known = ", ".join(sorted(outputs)) or "none"
        what = f"job {job_name} has no output {output!r}" if output else "no output named"
        raise UsageError(f"{value!r}: {what}; its outputs: {known}")
    return outputs[output]


def resolve_input(backend: Any, name: str, value: str) -> str:
    """The value of input `name`, a `job:` reference made its S3 URI; errors name the flag.
    The one resolver of both the remote run and the local one."""
    try:
        return resolve_job_reference(backend, value)
    except UsageError as exc:
        raise UsageError(f"{flag_of(name)}: {exc}") from None


def _job(backend: Any, value: str, job_name: str) -> Tuple[Any, Dict[str, Any]]:
    """(its kind, its description) of the one job named `job_name`."""
    from ..kinds import KINDS

    found = []
    for kind in KINDS.values():
        try:
            found.append((kind, backend.describe_job(kind, job_name)))
        except Exception as exc:
            if not is_not_found(exc):
                raise
    if not found:
        kinds = " or ".join(KINDS)
        raise UsageError(f"{value!r}: there is no {kinds} job named {job_name!r}")
    if len(found) > 1:
        kinds = " and a ".join(kind.name for kind, _ in found)
        raise UsageError(
            f"{value!r}: both a {kinds} job are named {job_name!r}; "
            "pass the output's s3:// URI instead"
        )
    return found[0]
