"""The `aws-sagemaker-remote` command: job commands and the embedded S3 server.

Imports nothing but the standard library until a command needs more, so `--version` is instant.
"""

from __future__ import annotations

import sys
from typing import List, Optional, Tuple

from .. import __version__
from ..errors import EXIT_USAGE, UsageError, guarded
from ..kinds import KINDS

PROG = "aws-sagemaker-remote"
USAGE = f"""usage: {PROG} [--backend aws|local] [--region REGION] [--profile NAME] COMMAND ...
       {PROG} --version

commands:
  processing list | describe NAME | logs NAME [--follow] | wait NAME | stop NAME |
             download NAME [--output DIR] | rerun NAME [-- ARGS...] | prune ...
                      manage processing jobs; NAME is a job's name, a unique start
                      of one, or latest
  training list | describe NAME | logs NAME [--follow] | wait NAME | stop NAME |
           download NAME [--output DIR] | rerun NAME [-- ARGS...] | interrupt NAME |
           prune ...
                      the same for training jobs; interrupt: the emulator takes a
                      spot job's instances back
  prune [--older-than 7d] [--dry-run] [--bucket B] [--prefix P] [--lifecycle DAYS]
                      remove staged content and emulator jobs no job of any kind
                      needs (the same command under processing and training)
  s3 serve | start | stop | status
                      the embedded S3 server the emulator uses
  images [FRAMEWORK[:VERSION]] [--region REGION] [--instance TYPE]
                      the framework images --sagemaker-image can name, offline
  config show [--json] [SCRIPT [ARGS...]]
                      every setting's value and where it comes from: flag, environment,
                      the script's argument, project file, user file or default

--backend, --region and --profile go before or after the command.
Each command's options: {PROG} COMMAND --help
"""
JOB_OPTIONS = ("--backend", "--region", "--profile")
# Prune works on the staging store every kind's jobs share: any kind's parser serves it.
PRUNE = "prune"


def main(argv: Optional[List[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        return guarded(lambda: _dispatch(args), prog=PROG, sigterm=True)
    except SystemExit as exc:
        return _system_exit_code(exc)


def _dispatch(args: List[str]) -> int:
    options, args = leading_job_options(args)
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
    if command in KINDS:
        from . import jobs

        return jobs.main(options + rest, kind=KINDS[command])
    if command == PRUNE:
        from . import jobs

        return jobs.main(options + [PRUNE, *rest], kind=next(iter(KINDS.values())))
    if command in ("s3", "config") and options:
        raise UsageError(f"{options[0].split('=')[0]}: applies to job commands, not {command}")
    if command == "s3":
        from ..s3server.commands import s3_main

        return s3_main(rest)
    if command == "images":
        from .images import images_main

        return images_main(_region_only(options, command) + rest)
    if command == "config":
        from .config import config_main

        return config_main(rest)
    raise UsageError(
        f"unknown command {command!r}{did_you_mean_command(command)}; allowed: "
        f"{', '.join(commands())} (see {PROG} --help)"
    )


def commands() -> List[str]:
    """The commands this one dispatches to."""
    return [*KINDS, "s3", "images", "config"]


def did_you_mean_command(command: str) -> str:
    import difflib

    close = difflib.get_close_matches(command, commands(), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def _region_only(options: List[str], command: str) -> List[str]:
    """The leading options a command that talks to no service takes: --region."""
    for option in options:
        if option.startswith("--") and option.split("=")[0] != "--region":
            raise UsageError(f"{option.split('=')[0]}: applies to job commands, not {command}")
    return options


def leading_job_options(args: List[str]) -> Tuple[List[str], List[str]]:
    """The job options given before the command (`--backend local processing list`), and the
    rest; the job command parses them as if they followed `processing`."""
    i = 0
    while i < len(args):
        flag, equals, _ = args[i].partition("=")
        if flag not in JOB_OPTIONS:
            break
        if equals:
            i += 1
        elif i + 1 < len(args):
            i += 2
        else:
            raise UsageError(f"{flag}: expected a value after it")
    return args[:i], args[i:]


def _system_exit_code(exc: SystemExit) -> int:
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code
    print(exc.code, file=sys.stderr)
    return 1


def processing_parser():
    """The parser of `aws-sagemaker-remote processing` (rendered in the docs)."""
    from .jobs import build_parser

    return build_parser(KINDS["processing"], docs=True)


def training_parser():
    """The parser of `aws-sagemaker-remote training` (rendered in the docs)."""
    from .jobs import build_parser

    return build_parser(KINDS["training"], docs=True)
