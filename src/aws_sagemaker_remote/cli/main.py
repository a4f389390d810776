"""The `aws-sagemaker-remote` command: job commands and the embedded S3 server.

Imports nothing but the standard library until a command needs more, so `--version` is instant.
"""

from __future__ import annotations

import sys
from typing import List, Optional

from .. import __version__
from ..errors import EXIT_USAGE, UsageError, guarded

PROG = "aws-sagemaker-remote"
USAGE = f"""usage: {PROG} [--version] COMMAND ...

commands:
  processing list | describe NAME | logs NAME [--follow] | wait NAME | stop NAME |
             download NAME [--output DIR] | rerun NAME | prune [--older-than 7d]
                      manage processing jobs (`{PROG} processing --help`)
  s3 serve ...        run the embedded S3 server (`{PROG} s3 serve --help`)
"""


def main(argv: Optional[List[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        return guarded(lambda: _dispatch(args), prog=PROG)
    except SystemExit as exc:
        return _system_exit_code(exc)


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
        from . import jobs

        return jobs.main(rest)
    if command == "s3":
        return _s3(rest)
    raise UsageError(f"unknown command {command!r}; allowed: processing, s3 (see {PROG} --help)")


def _s3(rest: List[str]) -> int:
    if not rest or rest[0] != "serve":
        given = repr(rest[0]) if rest else "nothing"
        raise UsageError(f"{PROG} s3: unknown subcommand {given}; allowed: serve")
    from ..s3server import serve_main

    return serve_main(rest[1:])


def _system_exit_code(exc: SystemExit) -> int:
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code
    print(exc.code, file=sys.stderr)
    return 1
