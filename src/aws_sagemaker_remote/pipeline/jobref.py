"""Inputs that name an earlier job's output: `job:NAME/OUTPUT` -> that output's S3 URI.

NAME is a processing job (its outputs by name) or a training job (`model` and `output`, its
archives): processing and training job names are separate namespaces, so a name both use is
refused rather than guessed."""

from __future__ import annotations

from ..args import JOB_REFERENCE as PREFIX
from ..args import is_job_reference
from ..contract import is_job_name
from ..errors import UsageError, is_not_found
from ..flags import flag_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict


def resolve_job_reference(backend: Any, value: str) -> str:
    """The S3Uri of the referenced output; other values are returned unchanged.

    `job:NAME` without an output is accepted when the job has exactly one output.
    """
    if not is_job_reference(value):
        return value
    job_name, _, output = value[len(PREFIX) :].partition("/")
    if not is_job_name(job_name):
        raise UsageError(f"{value!r}: a job reference is job:NAME/OUTPUT with a valid job name")
    outputs = _job_outputs(backend, value, job_name)
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


def _job_outputs(backend: Any, value: str, job_name: str) -> Dict[str, str]:
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
    kind, description = found[0]
    return kind.results(description)
