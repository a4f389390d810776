"""Inputs that name an earlier job's output: `job:NAME/OUTPUT` -> that output's S3 URI."""

from __future__ import annotations

from ..args import JOB_REFERENCE as PREFIX
from ..args import is_job_reference
from ..contract import is_job_name
from ..errors import UsageError, is_not_found

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


def _job_outputs(backend: Any, value: str, job_name: str) -> Dict[str, str]:
    from ..follow.outputs import output_uris

    try:
        description = backend.describe_processing_job(ProcessingJobName=job_name)
    except Exception as exc:
        if is_not_found(exc):
            raise UsageError(f"{value!r}: there is no processing job named {job_name!r}") from None
        raise
    return output_uris(description)
