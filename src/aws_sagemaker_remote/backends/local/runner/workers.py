"""One instance's process: started in its own session, output pumped line by line to its log."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Callable, Dict, List, Optional

from ..logfile import LogWriter, event_pieces


class Worker:
    def __init__(self, command: List[str], env: Dict[str, str], cwd: Path, log: LogWriter):
        self.log = log
        self.log_error: Optional[str] = None  # why the output could not be logged (disk full)
        self.process = subprocess.Popen(
            command,
            cwd=str(cwd),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent(),
        )
        self._pump = threading.Thread(target=self._copy_output, daemon=True)
        self._pump.start()

    def _copy_output(self) -> None:
        """Copy each line to the log, a line longer than CloudWatch Logs' event limit as
        several events (so a 200 MB progress bar never sits whole in memory). When the log
        cannot be written (a full disk), say why (`log_error`, which fails the job at once) and
        keep reading, so that the script never blocks on a full pipe."""
        for piece in event_pieces(self.process.stdout):
            if self.log_error is not None:
                continue
            if piece.endswith(b"\n"):
                piece = piece.rstrip(b"\r\n")
            try:
                self.log.write(piece.decode("utf-8", "replace"))
            except OSError as error:
                self.log_error = (
                    f"InternalServerError: cannot write the job's log in {self.log.path.parent}: "
                    f"{error.strerror or error}"
                )
        self.process.stdout.close()

    def poll(self) -> Optional[int]:
        return self.process.poll()

    def terminate(self) -> None:
        """SIGTERM to the entrypoint only, as `docker stop` does; it forwards it (the bootstrap
        does) or not. Signalling the whole group would deliver it twice to the script."""
        self._signal_process(signal.SIGTERM)

    def kill(self) -> None:
        self._signal_group(signal.SIGKILL)

    def finish(self, timeout: float = 5.0) -> None:
        """After the entrypoint exited: end what it left behind (as a container's end would),
        then wait for the last output lines."""
        self._signal_group(signal.SIGKILL)
        self._pump.join(timeout)

    def _signal_process(self, signum: int) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signum)

    def _signal_group(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signum)


def _die_with_parent() -> Optional[Callable[[], None]]:
    """Linux: the entrypoint gets SIGTERM if the runner dies (killed -9), so a lost runner
    leaves no job running unseen. Call from the main thread (the signal follows the thread)."""
    if not sys.platform.startswith("linux"):
        return None
    if threading.current_thread() is not threading.main_thread():
        return None
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def hook() -> None:
        prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG
        if os.getppid() != parent:
            os.kill(os.getpid(), signal.SIGTERM)

    return hook
