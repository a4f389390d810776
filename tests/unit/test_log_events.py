"""Log lines longer than CloudWatch Logs' event limit (issue 23 point 6): the emulator's runner
sends them as several events of at most MAX_EVENT_BYTES, cut between UTF-8 characters, and no
reader (the runner's copier, the emulator's GetLogEvents, the follower) holds more than a few
megabytes whatever the length of a line or of the log."""

from __future__ import annotations

import io
import json
import sys
import time

from watch_support import JOB, FakeLogs

from aws_sagemaker_remote.backends.local.logfile import (
    MAX_BYTES,
    MAX_EVENT_BYTES,
    MAX_LINE_BYTES,
    LogWriter,
    event_pieces,
    read_backward,
    read_forward,
)
from aws_sagemaker_remote.backends.local.runner.workers import Worker
from aws_sagemaker_remote.follow.logtail import MAX_PAGES_PER_POLL, LogTailer
from aws_sagemaker_remote.kinds.processing import LOG_GROUP


def test_a_long_line_is_cut_between_characters_and_nothing_is_lost():
    line = ("ab" + "é" * 7 + "€") * 3 + "\n"
    pieces = list(event_pieces(io.BytesIO(line.encode() + b"next\n"), limit=8))
    assert all(len(piece) <= 8 for piece in pieces)
    assert [piece.decode() for piece in pieces]  # no piece splits a character
    assert b"".join(pieces) == line.encode() + b"next\n"
    assert [p for p in pieces if p.endswith(b"\n")] == [pieces[-2], pieces[-1]]


def test_bytes_that_are_not_utf8_are_cut_anywhere():
    data = b"\xff" * 20
    pieces = list(event_pieces(io.BytesIO(data), limit=8))
    assert pieces == [b"\xff" * 8, b"\xff" * 8, b"\xff" * 4]


def test_the_runner_logs_a_progress_bar_without_newline_as_events_within_the_limit(tmp_path):
    script = (
        "import sys\n"
        "for i in range(60000): sys.stdout.write('\\r' + 'progress %06d' % i + ' ' * 30)\n"
        "print()\nprint('done')\n"
    )
    log = LogWriter(tmp_path / "algo-1.log")
    worker = Worker([sys.executable, "-c", script], {}, tmp_path, log)
    while worker.poll() is None:
        time.sleep(0.05)
    worker.finish()
    log.close()
    messages = [json.loads(line)["message"] for line in log.path.read_bytes().splitlines()]
    assert len(messages) >= 4
    assert all(len(m.encode()) <= MAX_EVENT_BYTES for m in messages)
    assert messages[-1] == "done"
    bar = "".join(messages[:-1])
    assert bar.count("\r") == 60000
    assert bar.endswith("progress 059999" + " " * 30)


def test_the_emulator_reads_a_line_longer_than_any_it_writes_as_one_short_event(tmp_path):
    path = tmp_path / "algo-1.log"
    huge = json.dumps({"timestamp": 7, "message": "x" * (MAX_BYTES + MAX_LINE_BYTES)})
    path.write_text(huge + "\n" + json.dumps({"timestamp": 8, "message": "after"}) + "\n")
    start, end, lines = read_forward(path, 0, 100)
    assert (start, end) == (0, len(huge) + 1)
    event = json.loads(lines[0])
    assert event["timestamp"] == 7
    assert "left out" in event["message"]
    _, _, lines = read_forward(path, end, 100)
    assert [json.loads(line)["message"] for line in lines] == ["after"]


def test_reading_back_from_the_end_holds_about_one_megabyte(tmp_path):
    path = tmp_path / "algo-1.log"
    writer = LogWriter(path)
    for index in range(30000):
        writer.write(f"{index:06d} " + "y" * 100, 1000 + index)
    writer.close()
    size = path.stat().st_size
    start, end, lines = read_backward(path, size, 10000)
    assert end == size
    assert 0 < sum(len(line) for line in lines) <= MAX_BYTES
    assert json.loads(lines[-1])["message"].startswith("029999 ")
    assert start == size - sum(len(line) for line in lines)
    _, _, none = read_backward(path, size, 0)
    assert none == []


def test_the_follower_reads_a_backlog_a_few_pages_per_poll():
    logs = FakeLogs(page_size=1)
    total = MAX_PAGES_PER_POLL * 2 + 3
    logs.add("algo-1-1", *[f"line {i}" for i in range(total)])
    tailer = LogTailer(logs, JOB, LOG_GROUP)
    sizes, seen = [], []
    while True:
        events = tailer.poll()
        if not events:
            break
        sizes.append(len(events))
        seen += [message for _, _, message in events]
    assert sizes == [MAX_PAGES_PER_POLL, MAX_PAGES_PER_POLL, 3]
    assert seen == [f"line {i}" for i in range(total)]
