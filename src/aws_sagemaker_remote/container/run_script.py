"""Run the user's script as ``python SCRIPT ARGV...`` would, and leave the reason of an uncaught
exception in the message file SageMaker publishes as ExitMessage.

``python run_script.py MESSAGE_FILE SCRIPT [ARGV...]``. The script runs in this process through
``runpy.run_path`` under ``__main__``, with ``sys.argv`` and ``sys.path[0]`` as the interpreter
would set them. On an uncaught exception the traceback is printed once (through
``sys.excepthook``, without this runner's frames), ``Type: message`` is written to MESSAGE_FILE
(UTF-8, at most 1 KiB; a message the script wrote itself is kept) and the exit code is Python's
own: 1, or death by SIGINT after KeyboardInterrupt. ``SystemExit`` passes through, so Python
ends the process as it would: ``sys.exit(3)`` exits 3 (the bootstrap then reports the code),
and ``sys.exit("message")`` (or ``raise SystemExit("message")``), whose message Python prints
before it exits 1, leaves that message in the message file first, as an exception's text is.

Standard library only, Python 3.7+: it runs inside arbitrary images.
"""

import os
import runpy
import signal
import sys

MAX_MESSAGE_BYTES = 1024


def exception_reason(error: BaseException) -> str:
    """The last line of the traceback: ``module.Type: message`` (builtins without a module)."""
    kind = type(error)
    name = kind.__qualname__
    if kind.__module__ not in ("builtins", "__main__"):
        name = kind.__module__ + "." + name
    text = str(error)
    return name + ": " + text if text else name


def utf8_bounded(text: str, limit: int = MAX_MESSAGE_BYTES) -> bytes:
    """Valid UTF-8 of at most ``limit`` bytes: AWS fails a job whose message file is not UTF-8."""
    data = text.encode("utf-8", "backslashreplace")
    return data[:limit].decode("utf-8", "ignore").encode("utf-8")


def write_message(path: str, reason: str) -> None:
    """Write ``reason`` unless the script already left a message of its own."""
    try:
        if os.path.getsize(path) > 0:
            return
    except OSError:
        pass
    try:
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        with open(path, "wb") as stream:
            stream.write(utf8_bounded(reason))
    except OSError:
        pass


def _user_frames(tb, script: str):
    """The traceback from the script's first frame on (runpy's and ours dropped)."""
    start = tb
    while start is not None and start.tb_frame.f_code.co_filename != script:
        start = start.tb_next
    return start


def run(message_file: str, script: str, argv: list) -> None:
    sys.argv = [script] + argv
    sys.path[0] = os.path.dirname(os.path.realpath(script))
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as exit_:
        if exit_.code is not None and not isinstance(exit_.code, int):
            write_message(message_file, str(exit_.code))
        raise
    except BaseException as error:  # noqa: BLE001 - reported as the interpreter would
        write_message(message_file, exception_reason(error))
        frames = _user_frames(error.__traceback__, script)
        # The default hook prints the exception's own __traceback__, whatever it is passed.
        sys.excepthook(type(error), error.with_traceback(frames), frames)
        _exit_like_python(error)


def _exit_like_python(error: BaseException) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    if isinstance(error, KeyboardInterrupt):
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    sys.exit(1)


def main() -> None:
    if len(sys.argv) < 3:
        sys.stderr.write("usage: run_script.py MESSAGE_FILE SCRIPT [ARGV...]\n")
        sys.exit(2)
    run(sys.argv[1], sys.argv[2], sys.argv[3:])


if __name__ == "__main__":
    main()
