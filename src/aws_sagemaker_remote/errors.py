"""Errors a user can cause, their exit codes, and the one boundary that shows them as one line.

Exit codes: 0 success, 1 job failed or stopped (or AWS refused), 2 bad input found before any side
effect, 130 interrupted, 141 the reader of the output went away (`| head`). Both entry points (a
user's script and the `aws-sagemaker-remote` command) go through `guarded`: an error the user can
cause becomes one line on stderr and its exit code; a genuine bug of ours keeps its traceback.
Standard library only: the local path imports it.
"""

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Optional, Tuple

EXIT_OK = 0
EXIT_JOB_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 128 + 13  # what a shell reports for a command SIGPIPE ended (`| head`)
EXIT_TERMINATED = 128 + 15  # SIGTERM: a CI cancel, `timeout`, `kill`
DEBUG_ENV = "AWS_SAGEMAKER_REMOTE_DEBUG"

_INPUT_OS_ERRORS = (FileNotFoundError, PermissionError, IsADirectoryError, NotADirectoryError)


class Error(Exception):
    """Something the user can cause or fix: shown as one line, exits with `exit_code`."""

    exit_code = EXIT_JOB_FAILED


class UsageError(Error):
    """Bad input, found before any side effect: exit 2."""

    exit_code = EXIT_USAGE


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl-C would be: everything that stops on Ctrl-C (the job we
    created, uploads and their multipart parts) stops the same way; the process exits 143."""


_TERMINATED: list = []  # set once SIGTERM arrived (the cancellations it causes exit 143 too)


class TransferError(Error):
    """An S3 transfer around the user's code failed (its message says which and what is kept)."""


class FileChanged(TransferError):
    """A file changed while it was being read, staged or downloaded: nothing wrong was kept and
    running again fixes it. One rule, exit 1, wherever it is found: the input was right when it
    was given (not exit 2, which says to change it), as GNU tar exits 1 for "file changed as we
    read it"."""


# ----------------------------------------------------------------- the boundary


def classify(exc: "BaseException") -> "Optional[Tuple[int, str]]":
    """(exit code, one line) for an error the user can cause; None for a bug of ours."""
    from .aws.errors import (
        credentials_line,
        from_aws_sdk,
        is_cancellation,
        is_connection_error,
        is_credentials_error,
    )

    if isinstance(exc, KeyboardInterrupt) or is_cancellation(exc):
        if _TERMINATED:
            return EXIT_TERMINATED, "terminated (SIGTERM)"
        return EXIT_INTERRUPTED, "interrupted"
    if isinstance(exc, Error):
        return exc.exit_code, one_line(exc)
    if is_credentials_error(exc):
        return EXIT_USAGE, credentials_line(exc)
    if is_connection_error(exc):
        return EXIT_JOB_FAILED, f"cannot reach AWS: {one_line(exc)}"
    if from_aws_sdk(exc):
        return EXIT_JOB_FAILED, one_line(exc)
    if isinstance(exc, _INPUT_OS_ERRORS):
        return EXIT_USAGE, _os_error_line(exc)
    if isinstance(exc, OSError):
        return EXIT_JOB_FAILED, _os_error_line(exc)
    return None


def _os_error_line(exc: "OSError") -> str:
    what = exc.strerror or type(exc).__name__
    return f"{exc.filename}: {what}" if exc.filename else one_line(exc)


def one_line(exc: "BaseException") -> str:
    text = " ".join(str(exc).split())
    if isinstance(exc, Error):
        return text or type(exc).__name__
    name = type(exc).__name__
    return f"{name}: {text}" if text and name not in text else (text or name)


def debug_enabled(flag: bool = False) -> bool:
    return flag or os.environ.get(DEBUG_ENV, "").strip().lower() in ("1", "yes", "true")


def guarded(
    call: "Callable[[], Any]", *, prog: str, debug: bool = False, sigterm: bool = False
) -> "Any":
    """Return `call()`; an error the user can cause ends the process with one line and its exit
    code (SystemExit); with `debug` its traceback is printed first. Bugs propagate unchanged.
    With `sigterm` (the remote run, the job commands; never around a local run's own code),
    SIGTERM is Ctrl-C (`Terminated`), and an interrupted call's 130 becomes 143.

    Output whose reader went away (`... | head -5`) ends the process quietly, as a Unix tool
    that SIGPIPE ends (Python ignores SIGPIPE, and must: a socket's broken pipe would kill it)."""
    previous = _sigterm_as_interrupt() if sigterm else None
    try:
        result = call()
        sys.stdout.flush()  # here, not at exit, so that a closed pipe is seen here
        return EXIT_TERMINATED if _TERMINATED and result == EXIT_INTERRUPTED else result
    except SystemExit:
        raise
    except BrokenPipeError:
        if not _silence_closed_output():
            raise SystemExit(_report(sys.exc_info()[1], prog, debug)) from None
        raise SystemExit(EXIT_BROKEN_PIPE) from None
    except BaseException as exc:
        if classify(exc) is None:
            raise
        raise SystemExit(_report(exc, prog, debug)) from None
    finally:
        if previous is not None:
            import signal

            signal.signal(signal.SIGTERM, previous)


def _sigterm_as_interrupt() -> "Any":
    """Raise `Terminated` on SIGTERM from now on; the handler it replaces (None where no
    handler can be set: not the main thread)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, _on_sigterm)


def _on_sigterm(_signum: int, _frame: "Any") -> None:
    _TERMINATED.append(True)
    raise Terminated()


def _report(exc: "BaseException", prog: str, debug: bool) -> int:
    """Print the one line of an error the user can cause (its traceback first with `debug`);
    its exit code."""
    if debug_enabled(debug):
        import traceback

        traceback.print_exception(type(exc), exc, exc.__traceback__)
    code, line = classify(exc) or (EXIT_JOB_FAILED, one_line(exc))  # classify knows OSErrors
    print(
        f"{prog}: {line}"
        if code in (EXIT_INTERRUPTED, EXIT_TERMINATED)
        else f"{prog}: error: {line}",
        file=sys.stderr,
    )
    return code


def _silence_closed_output() -> bool:
    """Whether stdout or stderr is a pipe whose reader is gone; each such one is pointed at
    os.devnull, so that nothing more (Python's flush at exit included) fails on it."""
    closed = [stream for stream in (sys.stdout, sys.stderr) if _reader_gone(stream)]
    if closed:
        devnull = os.open(os.devnull, os.O_WRONLY)
        for stream in closed:
            os.dup2(devnull, stream.fileno())
        os.close(devnull)
    return bool(closed)


def _reader_gone(stream: "Any") -> bool:
    """A pipe without a reader polls as an error (POSIX poll(2): POLLERR on its write end)."""
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):  # not a file (a test's capture)
        return False
    import select

    if not hasattr(select, "poll"):  # Windows: a broken pipe there is the output's
        return stream is sys.stdout
    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    gone = select.POLLERR | select.POLLHUP | select.POLLNVAL
    return any(event & gone for _, event in poller.poll(0))
