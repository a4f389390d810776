"""The weed process: is it (still) ours, stopping it, and stopping with its parent."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from typing import Callable, Optional

from ..procs import cmdline_has, is_zombie, pid_exists


def pid_alive(pid: int) -> bool:
    """True while `pid` runs; reaps it when it is our own exited child."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    except ChildProcessError:
        pass
    except OSError:
        return False
    return pid_exists(pid) and not is_zombie(pid)


def is_weed(pid: int) -> bool:
    """Best effort guard against a recycled pid: on Linux, check the command line."""
    found = cmdline_has(pid, b"weed", basename=True)
    return pid_alive(pid) if found is None else found


def wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while pid_alive(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)
    return True


def terminate_pid(pid: int, grace: float) -> None:
    """SIGTERM, wait `grace` seconds, then SIGKILL a process that may not be our child."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    if wait_gone(pid, grace):
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    wait_gone(pid, 30)


def parent_death_hook() -> Optional[Callable[[], None]]:
    """On Linux, make weed get SIGTERM when its parent dies (a killed test run leaks nothing).

    libc is loaded here, before fork: the hook itself only calls prctl in the child.
    """
    if not sys.platform.startswith("linux"):
        return None
    if threading.current_thread() is not threading.main_thread():
        return None  # PR_SET_PDEATHSIG fires when the forking *thread* exits
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1
    parent = os.getpid()

    def hook() -> None:
        prctl(pr_set_pdeathsig, int(signal.SIGTERM))
        if os.getppid() != parent:
            os.kill(os.getpid(), signal.SIGTERM)

    return hook
