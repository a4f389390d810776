"""`aws-sagemaker-remote s3 serve`: run the embedded server in the foreground until Ctrl-C (or
until `aws-sagemaker-remote s3 stop` stops it from another terminal)."""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
from pathlib import Path

from .files import read_json
from .running import dir_lock
from .server import S3Server
from .settings import STATE_FILE, S3ServerInfo


def banner(info: S3ServerInfo, data_dir: Path, how: str) -> str:
    """What the server is, without its keys: the emulator finds it (and its keys) by itself, and
    export lines pasted into a shell would replace the user's own AWS credentials there."""
    lines = [
        f"S3 server (SeaweedFS) {how}, data in {data_dir}",
        f"endpoint: {info.endpoint}",
        "The emulator (--sagemaker-backend local) uses it with no variable to set. Other tools:",
        f'`eval "$(aws-sagemaker-remote s3 status --env{dir_option(data_dir)})"` in a shell of '
        "their own (it sets AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY).",
    ]
    return "\n".join(lines)


def dir_option(data_dir: Path) -> str:
    """` --dir DIR` for a data folder other than the default one, else nothing."""
    from ..paths import s3_data_dir

    return "" if Path(data_dir).resolve() == s3_data_dir().resolve() else f" --dir {data_dir}"


def serve(args: argparse.Namespace) -> int:
    """Run until Ctrl-C or SIGTERM; 0 after a clean stop, 1 when SeaweedFS fails."""
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
        data_dir.mkdir(parents=True, exist_ok=True)
        with dir_lock(data_dir):  # one start at a time per folder: two weeds would share it
            info = server.start(timeout=args.timeout)
    except KeyboardInterrupt:
        server.stop(grace=2)
        return 130
    except (RuntimeError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(banner(info, data_dir, "running") + "\nPress Ctrl-C to stop.", flush=True)
    pid = server.pid
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
    if (read_json(data_dir / STATE_FILE) or {}).get("stopping") == pid:
        server.stop(grace=0)
        print("S3 server stopped (aws-sagemaker-remote s3 stop).", file=sys.stderr, flush=True)
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
