"""An emulated job's log file: one JSON line per event, one file per instance, written by the
runner (`LogWriter`) and read by the caller's CloudWatch-Logs-shaped client (caller/logs.py)
and the runner's metric scanner."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import List, Optional, Tuple

MAX_BYTES = 1024 * 1024
MAX_EVENTS = 10000  # the most events one read returns (GetLogEvents' limit)


class LogWriter:
    """Append one event per line; each line is written whole so readers never see half."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._stream = open(path, "ab")  # noqa: SIM115 - open for the job; close() closes it
        self._lock = threading.Lock()

    def write(self, message: str, timestamp_ms: Optional[int] = None) -> None:
        stamp = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
        line = json.dumps({"timestamp": stamp, "message": message}, ensure_ascii=False) + "\n"
        with self._lock:
            self._stream.write(line.encode("utf-8"))
            self._stream.flush()

    def close(self) -> None:
        self._stream.close()


def read_forward(path: Path, offset: int, limit: int) -> Tuple[int, int, List[bytes]]:
    """Complete lines from `offset`: (start, end offset after the last line, lines)."""
    with open(path, "rb") as stream:
        stream.seek(offset)
        data = stream.read(MAX_BYTES)
        if b"\n" not in data:
            data += stream.readline()  # one line longer than the read size
    lines, used = [], 0
    for line in data.splitlines(keepends=True):
        if not line.endswith(b"\n") or len(lines) >= limit:
            break
        lines.append(line)
        used += len(line)
    return offset, offset + used, lines


def read_backward(path: Path, offset: int, limit: int) -> Tuple[int, int, List[bytes]]:
    """The last `limit` complete lines before `offset`: (start offset, end, lines)."""
    with open(path, "rb") as stream:
        data = stream.read(offset)
    complete = data[: data.rfind(b"\n") + 1]
    lines = complete.splitlines(keepends=True)[-limit:] if limit else []
    end = len(complete)
    return end - sum(len(line) for line in lines), end, lines
