"""The one error boundary: every kind of error a user can cause is one line with its exit code,
through both entry points (a user's script and the `aws-sagemaker-remote` command); a bug of ours
keeps its traceback."""

from __future__ import annotations

import sys

import pytest
from awscrt.exceptions import AwsCrtError
from botocore.exceptions import (
    ClientError,
    CredentialRetrievalError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
)
from s3transfer.exceptions import CancelledError

from aws_sagemaker_remote import cli, errors
from aws_sagemaker_remote.errors import TransferError, UsageError, classify, guarded
from aws_sagemaker_remote.s3.transfer import UnsafeKeyError

SECRET = "SECRET-FROM-A-CREDENTIAL-PROCESS"


def client_error(code: str, message: str = "denied") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "PutObject")


# (exception, exit code, a fragment of the line)
KINDS = {
    "bad input": (
        UsageError("--sagemaker-instance: 'x': expected ml.*"),
        2,
        "--sagemaker-instance",
    ),
    "missing file": (FileNotFoundError(2, "No such file or directory", "data.csv"), 2, "data.csv"),
    "unreadable file": (PermissionError(13, "Permission denied", "secret.csv"), 2, "secret.csv"),
    "a folder for a file": (IsADirectoryError(21, "Is a directory", "d"), 2, "d: Is a directory"),
    "disk full": (OSError(28, "No space left on device", "/tmp/x"), 1, "No space left"),
    "no credentials": (NoCredentialsError(), 2, "no usable AWS credentials"),
    "credential process": (
        CredentialRetrievalError(provider="process", error_msg=SECRET),
        2,
        "CredentialRetrievalError",
    ),
    "unreachable endpoint": (
        EndpointConnectionError(endpoint_url="http://127.0.0.1:9"),
        1,
        "cannot reach AWS",
    ),
    "timeout": (ReadTimeoutError(endpoint_url="http://127.0.0.1:9"), 1, "ReadTimeoutError"),
    "AWS refused": (client_error("AccessDenied"), 1, "AccessDenied"),
    "S3 transfer failed": (
        TransferError("uploading --out to s3://b/k: boom (kept in o)"),
        1,
        "kept",
    ),
    "hostile key": (UnsafeKeyError("refusing to download key with '..'"), 1, "refusing"),
    "Ctrl-C": (KeyboardInterrupt(), 130, "interrupted"),
    "classic transfer cancelled": (CancelledError("KeyboardInterrupt()"), 130, "interrupted"),
    "CRT transfer cancelled": (
        AwsCrtError(14374, "AWS_ERROR_S3_CANCELED", "Request successfully cancelled"),
        130,
        "interrupted",
    ),
    "CRT failure": (AwsCrtError(1049, "AWS_IO_SOCKET_TIMEOUT", "socket timed out"), 1, "timed out"),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_of_user_error_is_classified(kind):
    exc, code, fragment = KINDS[kind]
    verdict = classify(exc)
    assert verdict is not None
    assert verdict[0] == code
    assert fragment in verdict[1]
    assert "\n" not in verdict[1]
    assert SECRET not in verdict[1]


@pytest.mark.parametrize("bug", [ValueError("x"), KeyError("k"), TypeError("t"), AssertionError()])
def test_bugs_are_not_classified(bug):
    assert classify(bug) is None


def raising(exc):
    def call(*_args):
        raise exc

    return call


# ------------------------------------------------------------------ the script's entry point


def run_script(monkeypatch, exc, *argv):
    """sagemaker_processing_main with --sagemaker-run yes, the pipeline raising `exc`."""
    import aws_sagemaker_remote.pipeline.submit as submit
    from aws_sagemaker_remote import sagemaker_processing_main

    monkeypatch.setattr(submit, "run_remote", lambda *a: raising(exc)())
    monkeypatch.setattr(sys, "argv", ["job.py", "--sagemaker-run", "yes", *argv])
    monkeypatch.delenv(errors.DEBUG_ENV, raising=False)
    return sagemaker_processing_main(main=print, script=__file__)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_script_shows_one_line_and_exits_with_its_code(kind, monkeypatch, capsys):
    exc, code, fragment = KINDS[kind]
    with pytest.raises(SystemExit) as stopped:
        run_script(monkeypatch, exc)
    assert stopped.value.code == code
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith("job.py: ")
    assert fragment in err
    assert "Traceback" not in err


def test_script_debug_flag_shows_the_traceback_and_keeps_the_code(monkeypatch, capsys):
    with pytest.raises(SystemExit) as stopped:
        run_script(monkeypatch, client_error("AccessDenied"), "--sagemaker-debug", "yes")
    assert stopped.value.code == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert err.rstrip().splitlines()[-1].startswith("job.py: error: ")


def test_script_bug_keeps_its_traceback(monkeypatch):
    with pytest.raises(ZeroDivisionError):
        run_script(monkeypatch, ZeroDivisionError("ours"))


def test_local_main_errors_are_the_users_own(monkeypatch):
    """A local run calls main in this process: its exceptions propagate as in any script."""
    from aws_sagemaker_remote import sagemaker_processing_main

    monkeypatch.setattr(sys, "argv", ["job.py"])
    with pytest.raises(PermissionError):
        sagemaker_processing_main(main=raising(PermissionError("the user's own")), script=__file__)


# ------------------------------------------------------------------ the job command line


def run_cli(monkeypatch, exc, *argv):
    from aws_sagemaker_remote.cli import jobs

    monkeypatch.setattr(jobs, "main", lambda rest, kind: raising(exc)())
    monkeypatch.delenv(errors.DEBUG_ENV, raising=False)
    return cli.main(["processing", "list", *argv])


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_cli_shows_one_line_and_returns_its_code(kind, monkeypatch, capsys):
    exc, code, fragment = KINDS[kind]
    assert run_cli(monkeypatch, exc) == code
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith("aws-sagemaker-remote: ")
    assert fragment in err


def test_cli_debug_variable_shows_the_traceback(monkeypatch, capsys):
    from aws_sagemaker_remote.cli import jobs

    throttled = raising(client_error("Throttling"))
    monkeypatch.setattr(jobs, "main", lambda rest, kind: throttled())
    monkeypatch.setenv(errors.DEBUG_ENV, "1")
    assert cli.main(["processing", "list"]) == 1
    assert "Traceback (most recent call last)" in capsys.readouterr().err


def test_cli_bug_keeps_its_traceback(monkeypatch):
    with pytest.raises(ZeroDivisionError):
        run_cli(monkeypatch, ZeroDivisionError("ours"))


def test_guarded_returns_the_result():
    assert guarded(lambda: 42, prog="p") == 42


def test_a_broken_pipe_that_is_not_the_output_is_an_error(capsys):
    """Only a closed stdout (or stderr) ends quietly; a pipe to a child that died is one line."""

    def write_to_a_dead_child():
        raise BrokenPipeError(32, "Broken pipe")

    with pytest.raises(SystemExit) as exited:
        guarded(write_to_a_dead_child, prog="prog")
    assert exited.value.code == 1
    assert capsys.readouterr().err == "prog: error: BrokenPipeError: [Errno 32] Broken pipe\n"


def test_a_file_changed_while_read_is_exit_1_as_when_staged(tmp_path):
    """Issue 23 point 8: one rule for "changed while being read/staged": exit 1 (run again),
    not 2 (bad input)."""
    from aws_sagemaker_remote.errors import FileChanged
    from aws_sagemaker_remote.s3 import digest
    from aws_sagemaker_remote.s3.walk import LocalFile

    path = tmp_path / "data.txt"
    path.write_bytes(b"before\n")
    walked = LocalFile.of(path, path.stat())
    path.write_bytes(b"after, longer\n")
    with pytest.raises(FileChanged) as caught:
        digest._hash_file(walked)
    assert classify(caught.value) == (1, f"{path}: changed while it was being read; run again")
    assert classify(FileChanged("x: changed while it was being staged")) == (
        1,
        "x: changed while it was being staged",
    )
