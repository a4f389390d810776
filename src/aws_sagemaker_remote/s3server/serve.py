"""`aws-sagemaker-remote s3 serve`: run the embedded server in the foreground until Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
from pathlib import Path

from .server import S3Server
from .settings import DEFAULT_SERVE_DIR, SERVE_GRACE, S3ServerInfo


def _serve_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aws-sagemaker-remote s3 serve",
        description="Run the embedded S3 server (SeaweedFS) on 127.0.0.1 until Ctrl-C.",
    )
    parser.add_argument(
        "--dir",
        type=Path,
        default=DEFAULT_SERVE_DIR,
        help=f"data directory (default: {DEFAULT_SERVE_DIR} under the current directory)",
    )
    parser.add_argument("--port", type=int, default=None, help="S3 port (default: a free one)")
    parser.add_argument(
        "--grace",
        type=float,
        default=SERVE_GRACE,
        help=f"seconds to let SeaweedFS shut down before killing it (default: {SERVE_GRACE:g})",
    )
    parser.add_argument("--timeout", type=float, default=60, help=argparse.SUPPRESS)
    return parser


def _print_banner(info: S3ServerInfo, data_dir: Path) -> None:
    lines = [
        f"S3 server (SeaweedFS) running, data in {data_dir}",
        f"endpoint: {info.endpoint}",
        "Use it from a shell (local credentials of this embedded server):",
        *(f"export {key}={value}" for key, value in info.env().items()),
        "Press Ctrl-C to stop.",
    ]
    print("\n".join(lines), flush=True)


def serve_main(argv: list[str]) -> int:
    """`aws-sagemaker-remote s3 serve [--dir DIR] [--port PORT]`; `argv` follows `serve`."""
    args = _serve_parser().parse_args(argv)
    data_dir = Path(args.dir).resolve()
    server = S3Server(data_dir, port=args.port)
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        return _serve(server, data_dir, args)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _raise_interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _serve(server: S3Server, data_dir: Path, args: argparse.Namespace) -> int:
    try:
        info = server.start(timeout=args.timeout)
    except KeyboardInterrupt:
        server.stop(grace=2)
        return 130
    except (RuntimeError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    _print_banner(info, data_dir)
    try:
        code = _wait_until_exit(server)
    except KeyboardInterrupt:
        print("stopping S3 server ...", file=sys.stderr, flush=True)
        try:
            server.stop(grace=args.grace)
        except KeyboardInterrupt:  # a second Ctrl-C: stop() has already killed and reaped it
            return 130
        print("S3 server stopped.", file=sys.stderr, flush=True)
        return 0
    print(f"error: SeaweedFS exited with code {code}; see {server.log_path}", file=sys.stderr)
    server.stop(grace=0)
    return 1


def _wait_until_exit(server: S3Server) -> int:
    assert server.proc is not None
    while True:
        try:
            return server.proc.wait(1.0)
        except subprocess.TimeoutExpired:
            continue
