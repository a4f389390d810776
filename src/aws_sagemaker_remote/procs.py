"""Is a recorded process still the one we started? Shared by the S3 server and the emulator."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional


def pid_exists(pid: int) -> bool:
    """True while a process `pid` exists (a zombie counts: see `is_zombie`)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] == "Z"


def cmdline_has(pid: int, argument: bytes, *, basename: bool = False) -> Optional[bool]:
    """Whether one argument of the command line of `pid` is `argument` (with `basename`, whether
    one argument's last path part is): a recycled pid is told apart where /proc can tell (Linux);
    None where it cannot."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None if not Path("/proc/self/cmdline").exists() else False
    parts = raw.rstrip(b"\0").split(b"\0")
    if basename:
        parts = [part.rsplit(b"/", 1)[-1] for part in parts]
    return argument in parts


def start_time(pid: int) -> Optional[int]:
    """When `pid` started, in clock ticks since boot (Linux); None where /proc cannot tell.

    A pid and its start time name one process for good: a recycled pid starts later.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[-1].split()
    return int(fields[19]) if len(fields) > 19 else None


def same_process(pid: int, started: Optional[int]) -> bool:
    """Whether the process recorded as (pid, start time) still runs (a zombie has ended)."""
    if not pid_exists(pid) or is_zombie(pid):
        return False
    now = start_time(pid)
    return now is None or started is None or now == started
