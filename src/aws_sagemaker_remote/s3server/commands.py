"""`aws-sagemaker-remote s3 serve | start | stop | status`: the embedded S3 server of one data
folder (default `$XDG_DATA_HOME/aws-sagemaker-remote/s3`, or `$AWS_SAGEMAKER_REMOTE_HOME/s3`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List

from ..flags.builder import OneLineErrorParser
from ..paths import s3_data_dir
from .settings import STOP_GRACE

PROG = "aws-sagemaker-remote s3"
EXIT_NOT_RUNNING = 3  # as `systemctl status` and LSB init scripts say "not running"


def build_parser() -> argparse.ArgumentParser:
    """The parser of `aws-sagemaker-remote s3` (also rendered in the docs)."""
    parser = OneLineErrorParser(
        prog=PROG,
        description="The embedded S3 server (SeaweedFS on 127.0.0.1) for the local emulator. "
        "Its data, credentials and log live in one folder, kept between runs.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name, prog=f"{PROG} {name}", help=help_text, description=help_text
        )
        sub.add_argument(
            "--dir",
            type=Path,
            default=s3_data_dir(),
            help="data folder (default: %(default)s)",
        )
        return sub

    sub = command("serve", "run the server in the foreground until Ctrl-C")
    sub.add_argument("--port", type=int, help="S3 port (default: the last one, else a free one)")
    _add_grace(sub)
    sub.add_argument("--timeout", type=float, default=60, help=argparse.SUPPRESS)
    sub = command("start", "start the server in the background, or reuse the running one")
    sub.add_argument("--port", type=int, help="S3 port (default: the last one, else a free one)")
    sub = command("stop", "stop the server of the data folder (one in the background or in "
                  "another terminal)")  # fmt: skip
    _add_grace(sub)
    sub = command("status", "whether the server runs: its endpoint (exit 0), or exit "
                  f"{EXIT_NOT_RUNNING} when it does not run")  # fmt: skip
    sub.add_argument(
        "--env",
        action="store_true",
        help="print only the export lines that point other tools at it (the emulator needs none)",
    )
    return parser


def _add_grace(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--grace",
        type=float,
        default=STOP_GRACE,
        help="seconds SeaweedFS gets to stop before it is killed (default: %(default)g)",
    )


def s3_main(argv: List[str]) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        from .serve import serve

        return serve(args)
    return {"start": _start, "stop": _stop, "status": _status}[args.command](args)


def _start(args: argparse.Namespace) -> int:
    from .running import start_or_reuse
    from .serve import banner

    data_dir = Path(args.dir).resolve()
    info, started = start_or_reuse(data_dir, port=args.port)
    print(banner(info, data_dir, "started" if started else "already running"))
    print(f"Stop it with: {PROG} stop{_dir_option(args)}")
    return 0


def _stop(args: argparse.Namespace) -> int:
    from .running import stop_running

    data_dir = Path(args.dir).resolve()
    if stop_running(data_dir, grace=args.grace):
        print(f"S3 server stopped (data kept in {data_dir}).")
    else:
        print(f"No S3 server runs for {data_dir}.")
    return 0


def _status(args: argparse.Namespace) -> int:
    from .running import running_info
    from .serve import banner

    data_dir = Path(args.dir).resolve()
    info = running_info(data_dir)
    if info is None:
        print(
            f"No S3 server runs for {data_dir}; start one with {PROG} start{_dir_option(args)}",
            file=sys.stderr,
        )
        return EXIT_NOT_RUNNING
    if args.env:
        print("\n".join(f"export {key}={value}" for key, value in info.env().items()))
    else:
        print(banner(info, data_dir, "running"))
    return 0


def _dir_option(args: argparse.Namespace) -> str:
    from .serve import dir_option

    return dir_option(Path(args.dir))
