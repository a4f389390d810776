"""Follow a processing job until it ends: status, logs, Ctrl-C, exit code, output download."""

from __future__ import annotations

import os
import shlex
import sys
import time
from collections import deque
from typing import IO, Any, Callable, Deque, Dict, List, Optional

from ..contract import TERMINAL_STATES
from ..errors import EXIT_INTERRUPTED, EXIT_JOB_FAILED, EXIT_OK, is_throttled
from .logtail import LogTailer, format_line, host_of
from .outputs import download_outputs, write_description

POLL_SECONDS = 2.0
MAX_POLL_SECONDS = 30.0
LAST_LINES = 20
CLI = "aws-sagemaker-remote processing"


class Follower:
    """Polls status and logs of one job; keeps its place so following can resume after Ctrl-C."""

    def __init__(
        self,
        backend: Any,
        job_name: str,
        *,
        out: IO[str] = sys.stdout,
        poll_seconds: Optional[float] = None,
        max_poll_seconds: Optional[float] = None,
        sleep: Callable[[float], Any] = time.sleep,
        print_logs: bool = True,
    ) -> None:
        self.backend = backend
        self.job_name = job_name
        self.out = out
        if poll_seconds is None:
            poll_seconds = getattr(backend, "poll_seconds", POLL_SECONDS)
        if max_poll_seconds is None:
            max_poll_seconds = getattr(backend, "max_poll_seconds", MAX_POLL_SECONDS)
        self.poll_seconds = poll_seconds
        self.max_poll_seconds = max(max_poll_seconds, poll_seconds)
        self.sleep = sleep
        self.print_logs = print_logs
        self.tailer = LogTailer(backend.logs, job_name)
        self.last_lines: Deque[str] = deque(maxlen=LAST_LINES)
        self.instance_count = 1
        self.description: Optional[dict] = None

    def describe(self) -> dict:
        self.description = self.backend.describe_processing_job(ProcessingJobName=self.job_name)
        self.instance_count = _instance_count(self.description)
        return self.description

    def pump_logs(self) -> int:
        """Print the new log events; returns how many there were."""
        events = self.tailer.poll()
        multi = self.instance_count > 1 or self.tailer.stream_count > 1
        for suffix, _timestamp, message in events:
            line = format_line(host_of(suffix), message, multi)
            self.last_lines.append(line)
            if self.print_logs:
                self.out.write(line + "\n")
        if events and self.print_logs:
            self.out.flush()
        return len(events)

    def run(self) -> dict:
        """Follow until a terminal state, then read the logs once more; the final description."""
        interval = self.poll_seconds
        while True:
            try:
                description = self.describe()
                new_events = self.pump_logs()
            except Exception as exc:
                if not is_throttled(exc):
                    raise
                interval = min(interval * 2, self.max_poll_seconds)
                self.sleep(interval)
                continue
            if description.get("ProcessingJobStatus") in TERMINAL_STATES:
                self.pump_logs()
                return description
            interval = self.poll_seconds if new_events else min(interval * 2, self.max_poll_seconds)
            self.sleep(interval)


def exit_code(description: dict) -> int:
    return EXIT_OK if description.get("ProcessingJobStatus") == "Completed" else EXIT_JOB_FAILED


def finish_message(description: dict, last_lines: List[str]) -> str:
    name = description.get("ProcessingJobName", "?")
    status = description.get("ProcessingJobStatus", "?")
    if status == "Completed":
        return f"Job {name} Completed."
    lines = [f"Job {name} {status}."]
    reason = description.get("FailureReason")
    if reason:
        lines.append(f"FailureReason: {reason}")
    tail = list(last_lines)[-LAST_LINES:]
    if tail:
        lines.append(f"Last {len(tail)} log lines:")
        lines.extend("  " + line for line in tail)
    else:
        lines.append("No log lines.")
    return "\n".join(lines)


def follow_hint(job_name: str, backend: Any) -> str:
    return f"Follow its logs: {_job_command(backend, f'logs {job_name} --follow')}"


def detach_message(job_name: str, backend: Any) -> str:
    return (
        f"Detached; job {job_name} keeps running.\n"
        f"  re-attach: {_job_command(backend, f'logs {job_name} --follow')}\n"
        f"  stop it:   {_job_command(backend, f'stop {job_name}')}"
    )


def _job_command(backend: Any, command: str) -> str:
    """A job command that reaches this backend's job when pasted: the emulator's jobs need
    --backend local; AWS jobs their region, and the profile when it is not the default one."""
    options = []
    if backend.name == "local":
        options.append("--backend local")
    profile = getattr(backend, "profile", None) or getattr(
        getattr(backend, "session", None), "profile_name", None
    )
    if profile and profile != "default":
        options.append(f"--profile {shlex.quote(profile)}")
    if backend.region and (backend.name != "local" or backend.region != _local_region()):
        options.append(f"--region {shlex.quote(backend.region)}")
    return " ".join([CLI, command, *options])


def _local_region() -> str:
    """The region the job command gives the emulator when none is passed."""
    return os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def watch_with_interrupts(follower: Follower, *, stop_on_interrupt: bool = True) -> int:
    """Follow with Ctrl-C handling; prints the outcome and returns the exit code.

    First Ctrl-C: stop the job (when `stop_on_interrupt`) and keep following to its end, exit 130.
    Second Ctrl-C (or the first, when not stopping): detach at once, exit 130.
    """
    out, name = follower.out, follower.job_name
    try:
        description = follower.run()
    except KeyboardInterrupt:
        if not stop_on_interrupt:
            _say(out, "\n" + detach_message(name, follower.backend))
            return EXIT_INTERRUPTED
        _say(out, f"\nInterrupted: stopping job {name} (press Ctrl-C again to detach)")
        try:
            _request_stop(follower)
            description = follower.run()
        except KeyboardInterrupt:
            _say(out, "\n" + detach_message(name, follower.backend))
            return EXIT_INTERRUPTED
        _say(out, finish_message(description, list(follower.last_lines)))
        return EXIT_INTERRUPTED
    _say(out, finish_message(description, list(follower.last_lines)))
    return exit_code(description)


def _request_stop(follower: Follower) -> None:
    try:
        follower.backend.stop_processing_job(ProcessingJobName=follower.job_name)
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # noqa: BLE001 - e.g. it ended meanwhile: follow it to its end
        _say(follower.out, f"Could not stop job {follower.job_name}: {exc}")


def run_watch(
    backend: Any,
    job_name: str,
    *,
    wait: bool,
    output_json: Optional[str],
    download: bool,
    outputs_local: Dict[str, str],
    out: IO[str] = sys.stdout,
    poll_seconds: Optional[float] = None,
    max_poll_seconds: Optional[float] = None,
    sleep: Callable[[float], Any] = time.sleep,
) -> int:
    """What happens after the job was created; returns the process exit code."""
    if not wait:
        _say(out, f"Job {job_name} started. " + follow_hint(job_name, backend))
        if output_json:
            description = backend.describe_processing_job(ProcessingJobName=job_name)
            write_description(description, output_json)
        return EXIT_OK
    follower = Follower(
        backend,
        job_name,
        out=out,
        poll_seconds=poll_seconds,
        max_poll_seconds=max_poll_seconds,
        sleep=sleep,
    )
    code = watch_with_interrupts(follower)
    description = follower.description
    if output_json and description is not None:
        write_description(description, output_json)
    if code == EXIT_OK and download and description is not None:
        download_outputs(backend, description, outputs_local, out=out)
    return code


def _instance_count(description: dict) -> int:
    cluster = description.get("ProcessingResources", {}).get("ClusterConfig", {})
    return int(cluster.get("InstanceCount", 1) or 1)


def _say(out: IO[str], text: str) -> None:
    out.write(text + "\n")
    out.flush()
