"""Job logs: one JSON-lines file per instance, read through a CloudWatch-Logs-shaped client.

Tokens are byte offsets into the file (`f/<offset>` forward, `b/<offset>` backward), so a reader
that polls with the previous forward token gets the same token back while nothing new arrived,
as with CloudWatch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from ....contract import PLACEHOLDER_ACCOUNT
from ....kinds import KINDS
from ..logfile import MAX_EVENTS, read_backward, read_forward
from ..store import LOG_SUFFIX, LOGS_DIR, JobStore
from .awserror import client_error
from .validation import validate_params

DEFAULT_STREAMS = 50


@dataclass(frozen=True)
class Stream:
    job: str
    host: str
    epoch: int
    path: Path

    @property
    def name(self) -> str:
        return f"{self.job}/{self.host}-{self.epoch}"


class LocalLogs:
    """The subset of the boto3 CloudWatch Logs client that following a job needs: one log group
    per job kind (/aws/sagemaker/ProcessingJobs, /aws/sagemaker/TrainingJobs)."""

    def __init__(self, stores: Dict[str, JobStore], region: str) -> None:
        self._groups = {KINDS[kind].log_group: store for kind, store in stores.items()}
        self._region = region

    # ------------------------------------------------------------------ describe_log_streams

    def describe_log_streams(self, **kwargs: Any) -> Dict[str, Any]:
        op = "DescribeLogStreams"
        validate_params(op, kwargs, service="logs")
        group = kwargs.get("logGroupName", "")
        store = self._store(op, group)
        prefix = kwargs.get("logStreamNamePrefix", "")
        streams = [s for s in _streams(store, prefix) if s.name.startswith(prefix)]
        if kwargs.get("orderBy") == "LastEventTime":
            streams.sort(key=lambda s: _mtime_ms(s.path))
        else:
            streams.sort(key=lambda s: s.name)
        if kwargs.get("descending"):
            streams.reverse()
        start = _index_token(op, kwargs.get("nextToken"))
        limit = kwargs.get("limit", DEFAULT_STREAMS)
        page = streams[start : start + limit]
        response: Dict[str, Any] = {"logStreams": [self._stream_info(group, s) for s in page]}
        if start + limit < len(streams):
            response["nextToken"] = str(start + limit)
        return response

    def _stream_info(self, group: str, stream: Stream) -> Dict[str, Any]:
        last = _mtime_ms(stream.path)
        info = {
            "logStreamName": stream.name,
            "creationTime": stream.epoch * 1000,
            "lastIngestionTime": last,
            "arn": (
                f"arn:aws:logs:{self._region}:{PLACEHOLDER_ACCOUNT}:log-group:{group}:"
                f"log-stream:{stream.name}"
            ),
            "storedBytes": 0,
        }
        first = _first_timestamp(stream.path)
        if first is not None:
            info["firstEventTimestamp"] = first
            info["lastEventTimestamp"] = last
        return info

    # ------------------------------------------------------------------ get_log_events

    def get_log_events(self, **kwargs: Any) -> Dict[str, Any]:
        op = "GetLogEvents"
        validate_params(op, kwargs, service="logs")
        store = self._store(op, kwargs.get("logGroupName", ""))
        stream = _find_stream(store, op, kwargs["logStreamName"])
        limit = kwargs.get("limit", MAX_EVENTS)
        direction, offset = _parse_token(op, kwargs.get("nextToken"))
        if direction is None:
            direction = "f" if kwargs.get("startFromHead") else "b"
            offset = 0 if direction == "f" else stream.path.stat().st_size
        if direction == "f":
            start, end, lines = read_forward(stream.path, offset, limit)
        else:
            start, end, lines = read_backward(stream.path, offset, limit)
        events = [_event(line) for line in lines]
        events = [e for e in events if _in_window(e, kwargs)]
        return {
            "events": events,
            "nextForwardToken": f"f/{end:020d}",
            "nextBackwardToken": f"b/{start:020d}",
        }

    def _store(self, op: str, group: str) -> JobStore:
        if group not in self._groups:
            raise client_error(
                op, "ResourceNotFoundException", "The specified log group does not exist."
            )
        return self._groups[group]


def _streams(store: JobStore, prefix: str) -> List[Stream]:
    job_part = prefix.split("/", 1)[0]
    names = [job_part] if "/" in prefix else store.names()
    found = []
    for job in names:
        if job.startswith(job_part) and store.exists(job):
            found.extend(job_streams(store, job))
    return found


def _find_stream(store: JobStore, op: str, name: str) -> Stream:
    job = name.split("/", 1)[0]
    if store.exists(job):
        for stream in job_streams(store, job):
            if stream.name == name:
                return stream
    raise client_error(op, "ResourceNotFoundException", "The specified log stream does not exist.")


def job_streams(store: JobStore, job: str) -> List[Stream]:
    """The streams of a job's instances that have started (their log file exists)."""
    logs_dir = store.job_dir(job) / LOGS_DIR
    if not logs_dir.is_dir():
        return []
    epoch = int(store.status(job)["CreationTime"])
    return [
        Stream(job, path.name[: -len(LOG_SUFFIX)], epoch, path)
        for path in sorted(logs_dir.glob(f"algo-*{LOG_SUFFIX}"))
    ]


def _event(line: bytes) -> Dict[str, Any]:
    record = json.loads(line)
    return {
        "timestamp": record["timestamp"],
        "message": record["message"],
        "ingestionTime": record["timestamp"],
    }


def _in_window(event: Dict[str, Any], kwargs: Dict[str, Any]) -> bool:
    start, end = kwargs.get("startTime"), kwargs.get("endTime")
    if start is not None and event["timestamp"] < start:
        return False
    return end is None or event["timestamp"] < end


def _parse_token(op: str, token: Optional[str]) -> Tuple[Optional[str], int]:
    if token is None:
        return None, 0
    direction, _, digits = token.partition("/")
    if direction in ("f", "b") and digits.isdigit():
        return direction, int(digits)
    raise client_error(op, "InvalidParameterException", "The specified nextToken is invalid.")


def _index_token(op: str, token: Optional[str]) -> int:
    if token is None:
        return 0
    if token.isdigit():
        return int(token)
    raise client_error(op, "InvalidParameterException", "The specified nextToken is invalid.")


def _mtime_ms(path: Path) -> int:
    return int(path.stat().st_mtime * 1000)


def _first_timestamp(path: Path) -> Optional[int]:
    _, _, lines = read_forward(path, 0, 1)
    return _event(lines[0])["timestamp"] if lines else None
