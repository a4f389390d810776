"""How a job ended, told once: its exit code, status, FailureReason and ExitMessage, the
runtime limit when that stopped it; and the job commands that reach it when pasted."""

from __future__ import annotations

import os
import shlex
from datetime import datetime
from typing import Any, Optional, Sequence, Tuple

from ..errors import EXIT_JOB_FAILED, EXIT_OK
from ..kinds import JobKind, kind_of
from .console import paint
from .progress import final_metrics_line

LAST_LINES = 20


CLI = "aws-sagemaker-remote"


def exit_code(description: dict) -> int:
    return EXIT_OK if kind_of(description).status(description) == "Completed" else EXIT_JOB_FAILED


def runtime_limit_reached(description: dict) -> Optional[int]:
    """MaxRuntimeInSeconds when a Stopped job ran that long: AWS stops a job at its limit
    (CreateProcessingJob, StoppingCondition) but gives no reason for it."""
    kind = kind_of(description)
    limit = description.get("StoppingCondition", {}).get("MaxRuntimeInSeconds")
    if kind.status(description) != "Stopped" or not limit:
        return None
    if description.get("SecondaryStatus") == "MaxRuntimeExceeded":  # training says so itself
        return int(limit)
    start, end = kind.start_time(description), kind.end_time(description)
    if not isinstance(start, datetime) or not isinstance(end, datetime):
        return None
    return int(limit) if (end - start).total_seconds() >= limit else None


def _limit_reached(description: dict) -> Optional[Tuple[str, int, str]]:
    """(field, seconds, flag) of the limit that stopped the job, if one did."""
    waited = description.get("StoppingCondition", {}).get("MaxWaitTimeInSeconds")
    if description.get("SecondaryStatus") == "MaxWaitTimeExceeded" and waited:
        return "MaxWaitTimeInSeconds", int(waited), "--sagemaker-max-wait"
    limit = runtime_limit_reached(description)
    if limit is None:
        return None
    return "MaxRuntimeInSeconds", limit, "--sagemaker-runtime-seconds"


def finish_message(
    description: dict,
    last_lines: Sequence[str] = (),
    *,
    streamed: bool = True,
    stopped_by_us: bool = False,
    color: bool = False,
    resume: Optional[str] = None,
) -> str:
    """How the job ended: its status, FailureReason and ExitMessage (each once), the runtime
    limit when that stopped it, the last log lines only when they were not just printed, and,
    for a job that stopped or failed with checkpoints, `resume`: the command that resumes it
    from them."""
    kind = kind_of(description)
    name, status = kind.job_name(description), kind.status(description)
    limit = None if stopped_by_us else _limit_reached(description)
    if limit is not None:
        field, seconds, flag = limit
        head = f"Job {name} stopped: {field} ({seconds} s) reached"
        lines = [paint(head, status, color) + f"; raise it with {flag}"]
    else:
        lines = [paint(f"Job {name} {status}.", status, color)]
    for field in ("FailureReason", "ExitMessage"):
        if description.get(field):
            lines.append(f"{field}: {description[field]}")
    metrics = final_metrics_line(description)
    if metrics:
        lines.append(metrics)
    if status != "Completed" and not streamed:
        tail = list(last_lines)[-LAST_LINES:]
        if tail:
            lines.append(f"Last {len(tail)} log lines:")
            lines.extend("  " + line for line in tail)
    if resume and status in ("Stopped", "Failed") and kind.checkpoint(description) is not None:
        lines.append(f"Resume it from its checkpoints: {resume}")
    return "\n".join(lines)


def resume_hint(job_name: str, backend: Any, kind: JobKind) -> Optional[str]:
    """`rerun NAME --resume` of a kind whose jobs may keep checkpoints, as a pasteable
    command."""
    if not kind.checkpoint_dir:
        return None
    return _job_command(backend, kind, f"rerun {job_name} --resume")


def follow_hint(job_name: str, backend: Any, kind: JobKind) -> str:
    return f"Follow its logs: {_job_command(backend, kind, f'logs {job_name} --follow')}"


def detach_message(job_name: str, backend: Any, kind: JobKind) -> str:
    return (
        f"Detached; job {job_name} keeps running.\n"
        f"  re-attach: {_job_command(backend, kind, f'logs {job_name} --follow')}\n"
        f"  stop it:   {_job_command(backend, kind, f'stop {job_name}')}"
    )


def _job_command(backend: Any, kind: JobKind, command: str) -> str:
    """A job command that reaches this backend's job when pasted: the emulator's jobs need
    --backend local; AWS jobs their region, and the profile when it is not the default one."""
    options = []
    if backend.name == "local":
        options.append("--backend local")
    profile = backend.profile
    if profile and profile != "default":
        options.append(f"--profile {shlex.quote(profile)}")
    if backend.region and (backend.name != "local" or backend.region != _local_region()):
        options.append(f"--region {shlex.quote(backend.region)}")
    return " ".join([f"{CLI} {kind.name}", command, *options])


def _local_region() -> str:
    """The region the job command gives the emulator when none is passed."""
    return os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
