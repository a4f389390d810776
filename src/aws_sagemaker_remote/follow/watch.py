"""Follow a job until it ends: status, logs, Ctrl-C, exit code, output download."""

from __future__ import annotations

import sys
import time
from collections import deque
from datetime import datetime
from typing import IO, Any, Callable, Deque, Dict, List, Optional, Tuple

from ..aws.errors import is_throttled
from ..contract import TERMINAL_STATES
from ..errors import EXIT_INTERRUPTED, EXIT_OK, Terminated
from ..kinds import JobKind
from .console import WaitingLine, use_color
from .finish import (
    LAST_LINES,
    detach_message,
    exit_code,
    finish_message,
    follow_hint,
    resume_hint,
)
from .logtail import LogTailer, format_line, host_of
from .outputs import download_outputs, write_description
from .progress import JobProgress

LOG_SETTLE_SECONDS = 300  # a job that ended longer ago has all its lines in CloudWatch
SETTLE_POLLS = 5


class Follower:
    """Polls status and logs of one job; keeps its place so following can resume after Ctrl-C."""

    def __init__(
        self,
        backend: Any,
        job_name: str,
        kind: JobKind,
        *,
        out: IO[str] = sys.stdout,
        poll_seconds: Optional[float] = None,
        max_poll_seconds: Optional[float] = None,
        sleep: Callable[[float], Any] = time.sleep,
        print_logs: bool = True,
        clock: Callable[[], float] = time.time,
        resume: Optional[str] = None,
    ) -> None:
        """`resume`: the command that resumes the job from its checkpoints, shown when it
        stops or fails with some (None: the job command's rerun --resume)."""
        self.backend = backend
        self.job_name = job_name
        self.kind = kind
        self.out = out
        if poll_seconds is None:
            poll_seconds = backend.poll_seconds
        if max_poll_seconds is None:
            max_poll_seconds = backend.max_poll_seconds
        self.poll_seconds = poll_seconds
        self.max_poll_seconds = max(max_poll_seconds, poll_seconds)
        self.sleep = sleep
        self.clock = clock
        self.print_logs = print_logs
        self.tailer = LogTailer(backend.logs, job_name, kind.log_group)
        self.last_lines: Deque[str] = deque(maxlen=LAST_LINES)
        self.events_seen = 0
        self.instance_count = 1
        self.description: Optional[dict] = None
        self.stop_requested = False
        self.waiting = WaitingLine(out, clock=clock)
        self.progress = JobProgress(kind)
        self.statuses: List[Tuple[Optional[int], str]] = []  # (StartTime in ms, line), held
        self.resume = resume or resume_hint(job_name, backend, kind)

    def describe(self) -> dict:
        """Describe the job; its new status lines wait for the log lines (pump_logs)."""
        self.description = self.backend.describe_job(self.kind, self.job_name)
        self.instance_count = self.kind.instance_count(self.description)
        self.statuses.extend(self.progress.on_description(self.description))
        return self.description

    def _print(self, lines: List[str]) -> None:
        if not lines or not self.print_logs:
            return
        self.waiting.clear()
        self.out.write("".join(line + "\n" for line in lines))
        self.out.flush()

    def pump_logs(self) -> int:
        """Print the new log events and the status lines among them, in the order of their
        times; returns how many events there were.

        A status newer than every event read is held back until an event newer than it
        arrives, or a poll brings none: CloudWatch delivers a job's lines late, so the lines
        logged before a status change may still be on their way when the change is seen."""
        events = self.tailer.poll()
        self.events_seen += len(events)
        multi = self.instance_count > 1 or self.tailer.stream_count > 1
        lines: List[str] = []
        for suffix, timestamp, message in events:
            lines += self._statuses_until(timestamp)
            host = host_of(suffix)
            line = format_line(host, message, multi)
            self.last_lines.append(line)
            lines.append(line)
            lines += self.progress.on_log_line(message, host, multi)
        if not events:
            lines += self._statuses_until(None)
        self._print(lines)
        return len(events)

    def flush(self) -> None:
        """Print the status lines still held back (the logs have been read)."""
        self._print(self._statuses_until(None))

    def _statuses_until(self, timestamp: Optional[int]) -> List[str]:
        """The held status lines that started at or before `timestamp` (all of them: None),
        oldest first; those without a time at once."""
        self.statuses.sort(key=lambda status: -1 if status[0] is None else status[0])
        due = [
            line
            for when, line in self.statuses
            if timestamp is None or when is None or when <= timestamp
        ]
        self.statuses = self.statuses[len(due) :]
        return due

    def run(self) -> dict:
        """Follow until a terminal state and the logs that arrive after it; the final
        description."""
        interval = self.poll_seconds
        while True:
            try:
                description = self.describe()
                new_events = self.pump_logs()
            except Exception as exc:
                if not is_throttled(exc):
                    raise
                interval = min(interval * 2, self.max_poll_seconds)
                self._pause(interval)
                continue
            if self.kind.status(description) in TERMINAL_STATES:
                self.waiting.clear()
                self._drain(description)
                return description
            self._show_waiting(description)
            interval = self.poll_seconds if new_events else min(interval * 2, self.max_poll_seconds)
            self._pause(interval)

    def _drain(self, description: dict) -> None:
        """CloudWatch can deliver a job's last lines after its terminal status: read until a
        poll brings nothing new. The first pause is SETTLE_POLLS polls (10 s on AWS: the SDK's
        log loop pauses its 10 s poll and reads once more, session.py `_logs_for_job`, state
        JOB_COMPLETE). No pause for a job that ended long ago. `AWS_SAGEMAKER_REMOTE_LOG_SETTLE`
        sets the first pause in seconds (e.g. 0 against a local server that has no lag)."""
        if not _ended_recently(self.kind.end_time(description), self.clock()):
            self._pump_quietly()
            self.flush()
            return
        pause = settle_seconds(self.poll_seconds * SETTLE_POLLS)
        while True:
            self.sleep(pause)
            if not self._pump_quietly():
                self.flush()
                return
            pause = self.poll_seconds

    def _pump_quietly(self) -> int:
        try:
            return self.pump_logs()
        except Exception as exc:
            if not is_throttled(exc):
                raise
            self.sleep(self.max_poll_seconds)
            return 1  # try again

    def _show_waiting(self, description: dict) -> None:
        if self.events_seen or not self.print_logs:
            return
        self.waiting.start_at(description.get("CreationTime"))
        self.waiting.show(self.kind.status(description))

    def _pause(self, seconds: float) -> None:
        """Sleep; on a terminal the waiting line's clock keeps moving meanwhile."""
        while seconds > 0 and self.waiting.live:
            step = min(1.0, seconds)
            self.sleep(step)
            seconds -= step
            self.waiting.tick()
        if seconds > 0:
            self.sleep(seconds)


def watch_with_interrupts(follower: Follower, *, stop_on_interrupt: bool = True) -> int:
    """Follow with Ctrl-C handling; prints the outcome and returns the exit code.

    First Ctrl-C: stop the job (when `stop_on_interrupt`) and keep following to its end, exit 130.
    Second Ctrl-C (or the first, when not stopping): detach at once, exit 130.
    """
    out, name = follower.out, follower.job_name
    try:
        description = follower.run()
    except KeyboardInterrupt as interrupt:
        follower.waiting.clear()
        if not stop_on_interrupt:
            _say(out, "\n" + detach_message(name, follower.backend, follower.kind))
            return EXIT_INTERRUPTED
        what = "Terminated (SIGTERM)" if isinstance(interrupt, Terminated) else "Interrupted"
        _say(out, f"\n{what}: stopping job {name} (press Ctrl-C again to detach)")
        try:
            _request_stop(follower)
            description = follower.run()
        except KeyboardInterrupt:
            follower.waiting.clear()
            _say(out, "\n" + detach_message(name, follower.backend, follower.kind))
            return EXIT_INTERRUPTED
        _say(out, _finish(follower, description))
        return EXIT_INTERRUPTED
    _say(out, _finish(follower, description))
    return exit_code(description)


def _finish(follower: Follower, description: dict) -> str:
    return finish_message(
        description,
        list(follower.last_lines),
        streamed=follower.print_logs,
        stopped_by_us=follower.stop_requested,
        color=use_color(follower.out),
        resume=follower.resume,
    )


def _request_stop(follower: Follower) -> None:
    follower.stop_requested = True
    try:
        follower.backend.stop_job(follower.kind, follower.job_name)
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # noqa: BLE001 - e.g. it ended meanwhile: follow it to its end
        _say(follower.out, f"Could not stop job {follower.job_name}: {exc}")


def run_watch(
    backend: Any,
    job_name: str,
    kind: JobKind,
    *,
    wait: bool,
    output_json: Optional[str],
    download: bool,
    outputs_local: Dict[str, str],
    out: IO[str] = sys.stdout,
    poll_seconds: Optional[float] = None,
    max_poll_seconds: Optional[float] = None,
    sleep: Callable[[float], Any] = time.sleep,
    owners: Optional[Dict[str, str]] = None,
    resume: Optional[str] = None,
) -> int:
    """What happens after the job was created; returns the process exit code. `owners`: bucket
    -> the account that must own it, for the downloads; `resume`: the command that resumes the
    job from its checkpoints (Follower)."""
    if not wait:
        _say(out, f"Job {job_name} started. " + follow_hint(job_name, backend, kind))
        if output_json:
            description = backend.describe_job(kind, job_name)
            write_description(description, output_json)
        return EXIT_OK
    follower = Follower(
        backend,
        job_name,
        kind,
        out=out,
        poll_seconds=poll_seconds,
        max_poll_seconds=max_poll_seconds,
        sleep=sleep,
        resume=resume,
    )
    code = watch_with_interrupts(follower)
    description = follower.description
    if output_json and description is not None:
        write_description(description, output_json)
    if code == EXIT_OK and download and description is not None:
        download_outputs(backend, description, outputs_local, out=out, owners=owners)
    return code


def settle_seconds(default: float) -> float:
    from ..settings import log_settle_seconds

    seconds = log_settle_seconds()
    return default if seconds is None else seconds


def _ended_recently(end, now: float) -> bool:
    if not isinstance(end, datetime) or end.tzinfo is None:
        return True
    return now - end.timestamp() < LOG_SETTLE_SECONDS


def _say(out: IO[str], text: str) -> None:
    out.write(text + "\n")
    out.flush()
