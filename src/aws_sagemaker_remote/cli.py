"""The `aws-sagemaker-remote` command: job commands and the embedded S3 server.

Imports nothing but the standard library until a command needs more, so `--version` is instant.
"""

from __future__ import annotations

import os
import sys
from typing import List, Optional

from aws_sagemaker_remote.errors import EXIT_INTERRUPTED, EXIT_JOB_FAILED, EXIT_USAGE, UsageError
from aws_sagemaker_remote.version import __version__

PROG = "aws-sagemaker-remote"
DEBUG_ENV = "AWS_SAGEMAKER_REMOTE_DEBUG"
USAGE = f"""usage: {PROG} [--version] COMMAND ...

commands:
  processing list | describe NAME | logs NAME [--follow] | wait NAME | stop NAME |
             download NAME [--output DIR] | rerun NAME
                      manage processing jobs (`{PROG} processing --help`)
  s3 serve ...        run the embedded S3 server (`{PROG} s3 serve --help`)
"""


def main(argv: Optional[List[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        return _dispatch(args)
    except UsageError as exc:
        _debug_traceback()
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        _debug_traceback()
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except SystemExit as exc:
        return _system_exit_code(exc)
    except Exception as exc:
        if _debug():
            raise
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_JOB_FAILED


def _dispatch(args: List[str]) -> int:
    if not args:
        sys.stderr.write(USAGE)
        return EXIT_USAGE
    command, rest = args[0], args[1:]
    if command in ("-h", "--help", "help"):
        sys.stdout.write(USAGE)
        return 0
    if command in ("--version", "-V", "version"):
        print(f"{PROG} {__version__}")
        return 0
    if command == "processing":
        from aws_sagemaker_remote import jobcli

        return jobcli.main(rest)
    if command == "s3":
        return _s3(rest)
    raise UsageError(f"unknown command {command!r}; allowed: processing, s3 (see {PROG} --help)")


def _s3(rest: List[str]) -> int:
    if not rest or rest[0] != "serve":
        given = repr(rest[0]) if rest else "nothing"
        raise UsageError(f"{PROG} s3: unknown subcommand {given}; allowed: serve")
    from aws_sagemaker_remote.s3server import serve_main

    return serve_main(rest[1:])


def _debug() -> bool:
    return os.environ.get(DEBUG_ENV, "").strip().lower() in ("1", "yes", "true")


def _debug_traceback() -> None:
    if _debug():
        import traceback

        traceback.print_exc()


def _system_exit_code(exc: SystemExit) -> int:
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code
    print(exc.code, file=sys.stderr)
    return 1


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if type(exc).__name__ not in text else text
