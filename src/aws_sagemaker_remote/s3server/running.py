"""A server shared across processes (the demo): reuse the running one or start a detached one."""

from __future__ import annotations

import contextlib
import subprocess
from pathlib import Path
from typing import Optional, Tuple

from .files import read_credentials, read_json
from .processes import is_weed, pid_alive, terminate_pid
from .readiness import answers
from .server import DETACHED, S3Server, clear_state, mark_stopping
from .settings import DEFAULT_REGION, LOCK_FILE, STATE_FILE, STOP_GRACE, S3ServerInfo


@contextlib.contextmanager
def dir_lock(data_dir: Path):
    try:
        import fcntl
    except ImportError:  # Windows: no lock, best effort
        yield
        return
    with open(data_dir / LOCK_FILE, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def running_info(data_dir: Path) -> Optional[S3ServerInfo]:
    """Info of the server recorded in `data_dir/server.json` if it runs and answers, else None."""
    data_dir = Path(data_dir).resolve()
    state = read_json(data_dir / STATE_FILE) or {}
    creds = read_credentials(data_dir)
    pid, endpoint = state.get("pid"), state.get("endpoint")
    if not (isinstance(pid, int) and isinstance(endpoint, str) and creds):
        return None
    if not (pid_alive(pid) and is_weed(pid)):
        return None
    info = S3ServerInfo(endpoint, creds[0], creds[1], state.get("region") or DEFAULT_REGION)
    return info if answers(info) else None


def ensure_running(
    data_dir: Path, *, timeout: float = 60, port: Optional[int] = None
) -> S3ServerInfo:
    """Reuse the server already running for `data_dir`, or start one that outlives this process
    (on `port` when given). A recorded server that is alive but does not answer is replaced."""
    return start_or_reuse(data_dir, timeout=timeout, port=port)[0]


def start_or_reuse(
    data_dir: Path, *, timeout: float = 60, port: Optional[int] = None
) -> Tuple[S3ServerInfo, bool]:
    """`ensure_running`, and whether this call started the server."""
    data_dir = Path(data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    with dir_lock(data_dir):
        info = running_info(data_dir)
        if info is not None:
            return info, False
        _stop_recorded(data_dir, STOP_GRACE)
        return S3Server(data_dir, port=port, detach=True).start(timeout=timeout), True


def stop_running(data_dir: Path, *, grace: float = STOP_GRACE) -> bool:
    """Stop the server recorded for `data_dir`; True when one was running."""
    data_dir = Path(data_dir).resolve()
    if not data_dir.is_dir():
        return False
    with dir_lock(data_dir):
        return _stop_recorded(data_dir, grace)


def _stop_recorded(data_dir: Path, grace: float) -> bool:
    pid = (read_json(data_dir / STATE_FILE) or {}).get("pid")
    if not isinstance(pid, int):
        return False
    running = pid_alive(pid) and is_weed(pid)
    if running:
        mark_stopping(data_dir, pid)  # a foreground `s3 serve` then knows it was asked to stop
        terminate_pid(pid, grace)
        for proc in list(DETACHED):
            if proc.pid == pid:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=5)
                DETACHED.remove(proc)
    clear_state(data_dir, pid)
    return running
