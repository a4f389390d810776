"""Status lines on the console: colour on a terminal (never with NO_COLOR), and the line shown
while a job has not logged anything yet (in place on a terminal, one line per change otherwise)."""

from __future__ import annotations

import os
import time
from datetime import datetime, timezone
from typing import IO, Callable, Optional

STATUS_COLORS = {
    "Completed": "32",  # green
    "Failed": "31",  # red
    "Stopped": "33",  # yellow
    "Stopping": "33",
    "InProgress": "36",  # cyan
}
CLEAR_LINE = "\r\033[K"


def is_terminal(out: IO[str]) -> bool:
    isatty = getattr(out, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):
        return False


def use_color(out: IO[str]) -> bool:
    """https://no-color.org: any non-empty NO_COLOR turns colour off; so does TERM=dumb."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return is_terminal(out)


def paint(text: str, status: str, color: bool) -> str:
    code = STATUS_COLORS.get(status)
    return f"\033[{code}m{text}\033[0m" if color and code else text


def elapsed_text(seconds: float) -> str:
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m{secs:02d}s"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


class WaitingLine:
    """`InProgress: waiting for the first log line (1m05s)` until the job logs or ends.

    On a terminal the line is rewritten in place (`tick` refreshes the time between polls) and
    erased before the first log line; elsewhere it is printed once per status change.
    """

    def __init__(
        self, out: IO[str], *, clock: Callable[[], float] = time.time, tty: Optional[bool] = None
    ) -> None:
        self.out = out
        self.clock = clock
        self.tty = is_terminal(out) if tty is None else tty
        self.color = self.tty and use_color(out)
        self.since = clock()
        self.status: Optional[str] = None
        self.visible = False

    def start_at(self, creation_time: object) -> None:
        """Count from the job's CreationTime (a datetime, as boto3 returns it) when known."""
        if isinstance(creation_time, datetime):
            if creation_time.tzinfo is None:
                creation_time = creation_time.replace(tzinfo=timezone.utc)
            self.since = min(self.since, creation_time.timestamp())

    @property
    def live(self) -> bool:
        return self.tty and self.visible

    def show(self, status: str) -> None:
        changed = status != self.status
        self.status = status
        if self.tty:
            self._draw()
        elif changed:
            self.out.write(self._text(color=False) + "\n")
            self.out.flush()

    def tick(self) -> None:
        if self.live:
            self._draw()

    def clear(self) -> None:
        if self.live:
            self.out.write(CLEAR_LINE)
            self.out.flush()
        self.visible = False

    def _draw(self) -> None:
        self.out.write(CLEAR_LINE + self._text(self.color))
        self.out.flush()
        self.visible = True

    def _text(self, color: bool) -> str:
        status = self.status or "?"
        waited = elapsed_text(self.clock() - self.since)
        return f"{paint(status, status, color)}: waiting for the first log line ({waited})"
