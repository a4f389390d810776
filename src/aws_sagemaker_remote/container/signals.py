"""Signals reach the user's script: SIGTERM/SIGINT forwarded to the current child process."""

import contextlib
import signal
import subprocess

from aws_sagemaker_remote.container.settings import SetupError

FORWARDED_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def exit_code_of(returncode: int) -> int:
    """A child killed by signal N (negative return code) becomes 128 + N, as shells report it."""
    return 128 - returncode if returncode < 0 else returncode


def signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


# ---------------------------------------------------------------- signals


class SignalForwarder:
    """Forwards SIGTERM/SIGINT to the current child; remembers a signal that found no child."""

    def __init__(self) -> None:
        self.child = None  # type: Optional[subprocess.Popen]
        self.received = None  # type: Optional[int]
        self.pending = None  # type: Optional[int]
        self._previous = {}  # type: Dict[int, object]

    def install(self) -> None:
        for signum in FORWARDED_SIGNALS:
            try:
                self._previous[signum] = signal.signal(signum, self._handle)
            except ValueError:  # not the main thread (in-process callers)
                return

    def restore(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous = {}

    def attach(self, child: "subprocess.Popen") -> None:
        self.child = child
        if self.pending is not None:
            signum, self.pending = self.pending, None
            self._send(signum)

    def detach(self) -> None:
        self.child = None

    def check(self, step: str) -> None:
        """Abort the setup when a signal arrived during ``step``."""
        if self.received is not None:
            raise SetupError(
                f"interrupted by {signal_name(self.received)} during {step}",
                exit_code=128 + self.received,
            )

    def _handle(self, signum: int, _frame: object) -> None:
        self.received = signum
        if self.child is None:
            self.pending = signum
        else:
            self._send(signum)

    def _send(self, signum: int) -> None:
        with contextlib.suppress(OSError):
            self.child.send_signal(signum)
