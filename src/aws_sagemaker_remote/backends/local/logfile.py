"""An emulated job's log file: one JSON line per event, one file per instance, written by the
runner (`LogWriter`) and read by the caller's CloudWatch-Logs-shaped client (caller/logs.py)
and the runner's metric scanner."""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path
from typing import BinaryIO, Iterator, List, Optional, Tuple

MAX_BYTES = 1024 * 1024
MAX_EVENTS = 10000  # the most events one read returns (GetLogEvents' limit)
# The largest event message CloudWatch Logs takes. PutLogEvents (API reference, and botocore's
# logs-2014-03-28 model): "Each log event can be no larger than 1 MB" (older pages say 256
# KB), and a batch is at most 1,048,576 bytes counting the messages in UTF-8 "plus 26 bytes
# for each log event", so one event's message fits in 1,048,576 - 26 bytes. A longer line is
# sent as several events, as Docker's awslogs driver does (moby daemon/logger/awslogs), so no
# byte is lost and no reader holds more than one event.
EVENT_OVERHEAD = 26
MAX_EVENT_BYTES = 1024 * 1024 - EVENT_OVERHEAD
# The longest line LogWriter writes: a message of control characters, each escaped as \\u00XX.
MAX_LINE_BYTES = 6 * MAX_EVENT_BYTES + 64


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


def event_pieces(stream: BinaryIO, limit: int = MAX_EVENT_BYTES) -> Iterator[bytes]:
    """The stream's lines, each cut into pieces of at most `limit` bytes (newline included)
    at a UTF-8 character boundary; only a line's last piece ends with its newline. Never
    reads more than `limit` bytes ahead, whatever the length of a line."""
    carry = b""
    while True:
        wanted = limit - len(carry)
        raw = stream.readline(wanted)
        data = carry + raw
        carry = b""
        if not data:
            return
        if len(raw) == wanted and not data.endswith(b"\n"):
            cut = _utf8_boundary(data)
            data, carry = data[:cut], data[cut:]
        yield data


def _utf8_boundary(data: bytes) -> int:
    """Where `data` may be cut without splitting a UTF-8 character: before an incomplete
    character at its end (anything that is not UTF-8 is cut anywhere)."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte & 0xC0 == 0x80:
            continue  # a continuation byte: its lead is further back
        size = 1 if byte < 0xC0 or byte >= 0xF8 else 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
        return len(data) - back if size > back else len(data)
    return len(data)


def read_forward(path: Path, offset: int, limit: int) -> Tuple[int, int, List[bytes]]:
    """Complete lines from `offset`: (start, end offset after the last line, lines). Reads
    about 1 MB, as GetLogEvents returns at most 1 MB of events; a line longer than any this
    runner writes (a log from an older version) is passed over as one short event."""
    with open(path, "rb") as stream:
        stream.seek(offset)
        data = stream.read(MAX_BYTES)
        if b"\n" not in data:
            rest = stream.readline(MAX_LINE_BYTES)  # one line longer than the read size
            data += rest
            if len(rest) == MAX_LINE_BYTES and not rest.endswith(b"\n"):
                return offset, offset + _pass_over(stream, data), [_left_out(data)]
    lines, used = [], 0
    for line in data.splitlines(keepends=True):
        if not line.endswith(b"\n") or len(lines) >= limit:
            break
        lines.append(line)
        used += len(line)
    return offset, offset + used, lines


def _pass_over(stream: BinaryIO, head: bytes) -> int:
    """Read on to the end of the line `head` begins; its length."""
    size = len(head)
    while True:
        chunk = stream.readline(MAX_BYTES)
        size += len(chunk)
        if not chunk or chunk.endswith(b"\n"):
            return size


def _left_out(head: bytes) -> bytes:
    match = re.match(rb'\{"timestamp": (\d+)', head)
    message = f"[a log line over {MAX_EVENT_BYTES} bytes (CloudWatch Logs' event limit) left out]"
    record = {"timestamp": int(match.group(1)) if match else 0, "message": message}
    return json.dumps(record).encode() + b"\n"


def read_backward(path: Path, offset: int, limit: int) -> Tuple[int, int, List[bytes]]:
    """The last `limit` complete lines before `offset` within about 1 MB (what one
    GetLogEvents returns): (start offset, end, lines)."""
    window = MAX_BYTES + MAX_LINE_BYTES
    first = max(0, offset - window)
    with open(path, "rb") as stream:
        stream.seek(first)
        data = stream.read(offset - first)
    skipped = data.find(b"\n") + 1 if first else 0  # a line cut by the window's start
    complete = data[skipped : data.rfind(b"\n") + 1]
    lines = complete.splitlines(keepends=True)
    kept: List[bytes] = []
    size = 0
    for line in reversed(lines):
        if len(kept) >= limit or (kept and size + len(line) > MAX_BYTES):
            break
        kept.insert(0, line)
        size += len(line)
    end = first + skipped + len(complete)
    return end - size, end, kept
