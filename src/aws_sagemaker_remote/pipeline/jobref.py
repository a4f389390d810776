"""Inputs that name an earlier job's output: `job:NAME/OUTPUT` -> that output's S3 URI.

NAME is a job's full name, `latest` (the newest job) or a unique start of one (jobnames.py, as
the job commands take it), of a processing job (its outputs by name) or a training job (`model`
and `output`, its archives): processing and training job names are separate namespaces, so a
name both use is refused rather than guessed. Only a Completed job's outputs are taken: a job
that failed, was stopped or still runs may have written part of them or nothing, and the next
job would read what is there and succeed. `job:NAME/OUTPUT@any` takes them whatever the job's
status. `job:NAME/checkpoints` names a training job's checkpoints, for
`--sagemaker-checkpoint-s3` (whatever the status: resuming a stopped job is what it is for)."""

from __future__ import annotations

import re

from ..args import JOB_REFERENCE as PREFIX
from ..args import is_job_reference
from ..aws.errors import is_unreachable
from ..errors import UsageError
from ..flags import flag_of
from .jobnames import find_job

COMPLETED = "Completed"

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Tuple

CHECKPOINTS = "checkpoints"
ANY_STATUS = "@any"  # job:NAME/OUTPUT@any: even when the job did not complete
# A job's name or the start of one: SageMaker's name characters, at most its 63.
NAME_OR_START = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9-]{0,62}")


def resolve_job_reference(backend: Any, value: str) -> str:
    """The S3Uri of the referenced output; other values are returned unchanged.

    `job:NAME` without an output is accepted when the job has exactly one output.
    """
    if not is_job_reference(value):
        return value
    job_name, output, any_status = split_reference(value)
    kind, described = _job(backend, value, job_name)
    status = kind.status(described)
    if status != COMPLETED and not any_status:
        raise UsageError(
            f"{value!r}: job {kind.job_name(described)} is {status}, so its outputs may be "
            f"partial or missing; to use them anyway, name {value}{ANY_STATUS}"
        )
    outputs = kind.results(described)
    if not output and len(outputs) == 1:
        return next(iter(outputs.values()))
    if output not in outputs:
        known = ", ".join(sorted(outputs)) or "none"
        name = kind.job_name(described)
        what = f"job {name} has no output {output!r}" if output else "no output named"
        raise UsageError(f"{value!r}: {what}; its outputs: {known}")
    return outputs[output]


def resolve_checkpoints(backend: Any, flag: str, value: str) -> str:
    """`job:NAME/checkpoints` (or `job:NAME`): the S3 place of that job's checkpoints, whatever
    the job's status (resuming a stopped job is what it is for)."""
    try:
        job_name, place, _ = split_reference(value)
        if place not in ("", CHECKPOINTS):
            raise UsageError(f"{value!r}: expected job:NAME/{CHECKPOINTS}")
        kind, described = _job(backend, value, job_name)
        checkpoint = kind.checkpoint(described)
        if checkpoint is None:
            raise UsageError(
                f"{value!r}: job {kind.job_name(described)} kept no checkpoints (it ran without "
                "--sagemaker-checkpoints)"
            )
        return checkpoint.uri
    except UsageError as exc:
        raise UsageError(f"{flag}: {exc}") from None


def resolve_input(backend: Any, name: str, value: str) -> str:
    """The value of input `name`, a `job:` reference made its S3 URI; errors name the flag.
    The one resolver of both the remote run and the local one."""
    try:
        return resolve_job_reference(backend, value)
    except UsageError as exc:
        raise UsageError(f"{flag_of(name)}: {exc}") from None


def split_reference(value: str) -> Tuple[str, str, bool]:
    """`job:NAME/OUTPUT[@any]` -> (NAME, OUTPUT or "", whether any status is accepted); a
    UsageError when NAME cannot be a job's name or the start of one."""
    rest = value[len(PREFIX) :]
    any_status = rest.endswith(ANY_STATUS)
    if any_status:
        rest = rest[: -len(ANY_STATUS)]
    job_name, _, output = rest.partition("/")
    if not NAME_OR_START.fullmatch(job_name):
        raise UsageError(
            f"{value!r}: a job reference is job:NAME/OUTPUT, NAME a job's name, the start of one, "
            "or latest"
        )
    return job_name, output, any_status


def _job(backend: Any, value: str, job_name: str) -> Tuple[Any, Dict[str, Any]]:
    """(its kind, its description) of the one job `job_name` means."""
    from ..kinds import KINDS

    try:
        kind, name = find_job(backend, job_name, KINDS.values())
        return kind, backend.describe_job(kind, name)
    except UsageError as exc:
        raise UsageError(f"{value!r}: {exc}") from None
    except Exception as exc:
        if backend.name != "aws" or not is_unreachable(exc):
            raise
        from ..backends import unreachable_error

        raise unreachable_error(exc, list(KINDS.values())) from None
