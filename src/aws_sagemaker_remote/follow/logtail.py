"""Read a processing job's CloudWatch log streams incrementally, every event exactly once."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple

from ..aws.errors import is_not_found

# (stream suffix after "<job-name>/", timestamp in ms, message)
LogEvent = Tuple[str, int, str]

_HOST_RE = re.compile(r"^(algo-\d+)-\d+$")
# Pages (each at most 1 MB or 10,000 events, GetLogEvents' limits) read from one stream in one
# poll: a backlog of a gigabyte is printed a few megabytes at a time, never held whole.
MAX_PAGES_PER_POLL = 8


class LogTailer:
    """Follows all streams `<job-name>/...` of the processing jobs log group.

    Each stream keeps its forward token; a poll reads every stream until its token stops changing
    or MAX_PAGES_PER_POLL pages were read (the next poll goes on from there).
    Events read by a poll that was interrupted are kept and returned by the next poll.
    """

    def __init__(self, logs_client: Any, job_name: str, log_group: str) -> None:
        self.logs = logs_client
        self.job_name = job_name
        self.log_group = log_group
        self.tokens: Dict[str, Optional[str]] = {}
        self._pending: List[LogEvent] = []

    @property
    def stream_count(self) -> int:
        return len(self.tokens)

    def poll(self) -> List[LogEvent]:
        for stream in self._discover():
            self.tokens.setdefault(stream, None)
        for stream in sorted(self.tokens):
            self._read_stream(stream)
        events = sorted(self._pending, key=lambda event: event[1])
        self._pending = []
        return events

    def _discover(self) -> List[str]:
        prefix = self.job_name + "/"
        names: List[str] = []
        kwargs: Dict[str, Any] = {"logGroupName": self.log_group, "logStreamNamePrefix": prefix}
        while True:
            try:
                page = self.logs.describe_log_streams(**kwargs)
            except Exception as exc:
                if is_not_found(exc):
                    return names
                raise
            names.extend(stream["logStreamName"] for stream in page.get("logStreams", []))
            token = page.get("nextToken")
            if not token or token == kwargs.get("nextToken"):
                return names
            kwargs["nextToken"] = token

    def _read_stream(self, stream: str) -> None:
        suffix = stream[len(self.job_name) + 1 :]
        for _ in range(MAX_PAGES_PER_POLL):
            token = self.tokens[stream]
            kwargs: Dict[str, Any] = {
                "logGroupName": self.log_group,
                "logStreamName": stream,
                "startFromHead": True,
            }
            if token:
                kwargs["nextToken"] = token
            try:
                page = self.logs.get_log_events(**kwargs)
            except Exception as exc:
                if is_not_found(exc):
                    return
                raise
            for event in page.get("events", []):
                self._pending.append((suffix, int(event["timestamp"]), event["message"]))
            new_token = page.get("nextForwardToken")
            self.tokens[stream] = new_token or token
            if not new_token or new_token == token:
                return


def host_of(stream_suffix: str) -> str:
    """`algo-1-1700000000` -> `algo-1`; other names are kept as they are."""
    match = _HOST_RE.match(stream_suffix)
    return match.group(1) if match else stream_suffix


def format_line(host: str, message: str, multi: bool) -> str:
    """One log line for the terminal; the host prefix only when several instances log."""
    text = message.rstrip("\n")
    return f"[{host}] {text}" if multi else text
