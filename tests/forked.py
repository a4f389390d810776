"""Run a user's script as a fork of the test process: its own process (working folder,
environment, argv, standard streams, exit code), without paying for the interpreter's start and
for the imports this process has already done. The bad-input matrix runs hundreds of scripts
whose remote path imports boto3 and reads botocore's SageMaker model: a second each as a new
interpreter, a few hundredths as a fork of one that has them."""

from __future__ import annotations

import io
import os
import runpy
import selectors
import signal
import subprocess
import sys
import time
import traceback
from pathlib import Path

# What a remote run of a script imports and reads; done once in the test process.
REMOTE_MODULES = (
    "boto3",
    "botocore.session",
    "aws_sagemaker_remote.pipeline.submit",
    "aws_sagemaker_remote.backends.aws",
    "aws_sagemaker_remote.backends.local",
)


def warm() -> None:
    """Import what a remote run needs and load the service models it reads."""
    import importlib

    for name in REMOTE_MODULES:
        importlib.import_module(name)
    from aws_sagemaker_remote.aws.session import shared_loader

    for service in ("sagemaker", "iam", "s3", "sts", "logs"):
        shared_loader().load_service_model(service, "service-2")


def run_script(
    argv: list, cwd: Path, env: dict, timeout: float = 120
) -> subprocess.CompletedProcess:
    """`python *argv` in `cwd` with exactly `env`, as a forked child; stdout and stderr as text."""
    out_read, out_write = os.pipe()
    err_read, err_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child ends in os._exit
        _child(argv, cwd, env, out_read, out_write, err_read, err_write)
    os.close(out_write)
    os.close(err_write)
    stdout, stderr = _read_all(pid, out_read, err_read, timeout)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    return subprocess.CompletedProcess(argv, code, stdout, stderr)


def _child(argv, cwd, env, out_read, out_write, err_read, err_write) -> None:
    code = 1
    try:
        os.dup2(out_write, 1)
        os.dup2(err_write, 2)
        for fd in (out_read, out_write, err_read, err_write):
            os.close(fd)
        sys.stdin = io.TextIOWrapper(io.FileIO(os.open(os.devnull, os.O_RDONLY), "r"))
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False))
        sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), write_through=True)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        sys.argv = [str(item) for item in argv]
        sys.path[0] = str(Path(cwd, argv[0]).resolve().parent)
        runpy.run_path(str(argv[0]), run_name="__main__")
        code = 0
    except SystemExit as exit:
        code = _exit_code(exit.code)
    except BaseException:  # noqa: BLE001 - reported as the interpreter reports it
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _exit_code(code) -> int:
    """As the interpreter ends on SystemExit(code)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _read_all(pid: int, out_read: int, err_read: int, timeout: float) -> tuple:
    chunks = {out_read: [], err_read: []}
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        for fd in chunks:
            selector.register(fd, selectors.EVENT_READ)
        while selector.get_map():
            left = deadline - time.monotonic()
            if left <= 0:
                os.kill(pid, signal.SIGKILL)
                raise subprocess.TimeoutExpired("forked script", timeout)
            for key, _ in selector.select(left):
                data = os.read(key.fd, 65536)
                if data:
                    chunks[key.fd].append(data)
                else:
                    selector.unregister(key.fd)
                    os.close(key.fd)
    return tuple(b"".join(chunks[fd]).decode(errors="replace") for fd in (out_read, err_read))
