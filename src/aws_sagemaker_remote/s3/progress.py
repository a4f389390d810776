"""Transfer progress for people (standard library only).

One display for a whole transfer: files, bytes, rate and time left, redrawn in place on a
terminal from the start (so a long staging never looks hung); nothing on other outputs, where the
caller prints one plain line per piece. `TransferProgress` takes the CRT senders' callbacks
(`bytes_sent`, `op_done`) and s3transfer's subscriber callbacks (`on_progress`, by name).
"""

from __future__ import annotations

import threading
import time
from typing import TextIO

MIB = 1024 * 1024
REFRESH_SECONDS = 0.1


def format_size(nbytes: float) -> str:
    if nbytes < MIB:
        return f"{nbytes / 1024:.1f} KiB"
    if nbytes < 1024 * MIB:
        return f"{nbytes / MIB:.1f} MiB"
    return f"{nbytes / (1024 * MIB):.2f} GiB"


def files_text(count: int) -> str:
    return f"{count} file" if count == 1 else f"{count} files"


def format_seconds(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def is_tty(out: TextIO) -> bool:
    try:
        return bool(out.isatty())
    except (AttributeError, ValueError):
        return False


class TransferProgress:
    """Counts bytes and files; a throttled `\\r` line when `out` is a terminal."""

    def __init__(
        self, total_bytes: int, total_files: int, out: TextIO, *, label="uploading", clock=None
    ):
        self.total = max(int(total_bytes), 0)
        self.files_total = total_files
        self.out = out
        self.label = label
        self.clock = clock or time.monotonic
        self.done = 0
        self.files_done = 0
        self.live = is_tty(out)
        self._lock = threading.Lock()
        self._start = self.clock()
        self._last_draw = float("-inf")
        self._width = 0
        if self.live:
            with self._lock:
                self._draw(self._start)

    def restart(self, total_bytes: int, total_files: int, label: str) -> None:
        """The same line, now counting a new transfer (e.g. after checking what is there)."""
        with self._lock:
            self.total, self.files_total, self.label = max(int(total_bytes), 0), total_files, label
            self.done = self.files_done = 0
            self._start = self.clock()
            if self.live:
                self._draw(self._start)

    # the CRT senders' callbacks
    def bytes_sent(self, amount: int) -> None:
        with self._lock:
            # s3transfer reports negative amounts to rewind a retried part
            self.done = min(max(self.done + amount, 0), self.total or self.done + amount)
            self._maybe_draw()

    def op_done(self, op=None) -> None:  # noqa: ARG002 - any finished request is one file
        with self._lock:
            self.files_done += 1
            self._maybe_draw()

    # s3transfer's subscriber interface (looked up by name, called from its threads)
    def on_progress(self, future=None, bytes_transferred: int = 0, **kwargs) -> None:  # noqa: ARG002
        self.bytes_sent(bytes_transferred)

    def on_done(self, future=None, **kwargs) -> None:  # noqa: ARG002
        self.op_done()

    def finish(self) -> None:
        """Remove the line (the caller prints the per-piece summary lines)."""
        with self._lock:
            if self.live and self._width:
                self.out.write("\r" + " " * self._width + "\r")
                self.out.flush()
            self.live = False

    def render(self, now: float | None = None) -> str:
        elapsed = max((self.clock() if now is None else now) - self._start, 1e-6)
        rate = self.done / elapsed
        if not self.files_total:
            return f"{self.label} ..."
        text = (
            f"{self.label} {self.files_done}/{self.files_total} files, "
            f"{format_size(self.done)} / {format_size(self.total)}"
        )
        if self.done:
            text += f", {format_size(rate)}/s"
            left = (self.total - self.done) / rate if rate else 0
            text += f", {format_seconds(left)} left"
        return text

    def _maybe_draw(self) -> None:
        now = self.clock()
        if self.live and now - self._last_draw >= REFRESH_SECONDS:
            self._draw(now)

    def _draw(self, now: float) -> None:
        self._last_draw = now
        text = self.render(now)
        self.out.write("\r" + text.ljust(self._width))
        self.out.flush()
        self._width = len(text)
