"""Transfer progress for people (standard library only).

`TransferProgress` is an s3transfer subscriber by duck typing (s3transfer looks up `on_progress`
and `on_done` by name), so this module needs no AWS import. On a terminal, and only for transfers
big enough to take a while, it draws one self-updating line; otherwise it stays quiet and the
caller prints one plain line per piece.
"""

from __future__ import annotations

import threading
import time
from typing import TextIO

MIB = 1024 * 1024
BAR_MIN_BYTES = 8 * MIB
REFRESH_SECONDS = 0.1
BAR_WIDTH = 24


def format_size(nbytes: float) -> str:
    if nbytes < MIB:
        return f"{nbytes / 1024:.1f} KiB"
    if nbytes < 1024 * MIB:
        return f"{nbytes / MIB:.1f} MiB"
    return f"{nbytes / (1024 * MIB):.2f} GiB"


def files_text(count: int) -> str:
    return f"{count} file" if count == 1 else f"{count} files"


def uploaded_line(source: str, uri: str, files: int, nbytes: int, skipped: int = 0) -> str:
    extra = f", {skipped} unchanged" if skipped else ""
    return f"uploaded {source} -> {uri} ({files_text(files)}, {format_size(nbytes)}{extra})"


def skipped_line(source: str, uri: str, files: int) -> str:
    return f"skipped (unchanged) {source} -> {uri} ({files_text(files)})"


def _is_tty(out: TextIO) -> bool:
    try:
        return bool(out.isatty())
    except (AttributeError, ValueError):
        return False


class TransferProgress:
    """Counts transferred bytes; a throttled `\\r` bar when `out` is a TTY and `total` is big."""

    def __init__(self, total: int, out: TextIO, *, label: str = "uploading", clock=time.monotonic):
        self.total = max(int(total), 0)
        self.out = out
        self.label = label
        self.clock = clock
        self.done = 0
        self.bar = _is_tty(out) and self.total > BAR_MIN_BYTES
        self._lock = threading.Lock()
        self._start = clock()
        self._last_draw = float("-inf")
        self._drawn = False
        self._width = 0

    # s3transfer subscriber interface (called from its worker threads)
    def on_progress(self, future=None, bytes_transferred: int = 0, **kwargs) -> None:  # noqa: ARG002
        with self._lock:
            # Retries report negative amounts to rewind.
            self.done = min(max(self.done + bytes_transferred, 0), self.total or self.done)
            now = self.clock()
            if self.bar and now - self._last_draw >= REFRESH_SECONDS:
                self._last_draw = now
                self._draw(now)

    def on_done(self, future=None, **kwargs) -> None:
        pass

    def finish(self) -> None:
        """Remove the bar (the caller prints the per-piece summary lines)."""
        with self._lock:
            self._clear()
            self._drawn = False

    def render(self, now: float | None = None) -> str:
        elapsed = max((self.clock() if now is None else now) - self._start, 1e-6)
        fraction = self.done / self.total if self.total else 1.0
        filled = int(fraction * BAR_WIDTH)
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        return (
            f"{self.label} [{bar}] {format_size(self.done)} / {format_size(self.total)} "
            f"{fraction * 100:3.0f}% {format_size(self.done / elapsed)}/s"
        )

    def _draw(self, now: float) -> None:
        text = self.render(now)
        self.out.write("\r" + text.ljust(self._width))
        self.out.flush()
        self._width = len(text)
        self._drawn = True

    def _clear(self) -> None:
        if self._drawn:
            self.out.write("\r" + " " * self._width + "\r")
            self.out.flush()
