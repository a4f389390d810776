"""The ``s3://`` and ``job:`` values of a local run: inputs downloaded before ``main``, outputs
uploaded after it returns. Only this path of a local run imports boto3."""

from __future__ import annotations

import sys

from ..args import is_job_reference
from ..aws.errors import credentials_line, from_aws_sdk, is_credentials_error
from ..errors import TransferError, UsageError, guarded
from ..flags import flag_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, Callable


class S3Run:
    """Only this path imports boto3. Inputs go to a folder of this run's own under the cache
    (removed afterwards); an output whose upload fails is kept and named in the error."""

    def __init__(self, args, prog: str, debug: bool):
        self.args = args
        self.prog = prog
        self.debug = debug
        self.s3 = None

    def guarded(self, call: Callable[[], Any]) -> Any:
        return guarded(call, prog=self.prog, debug=self.debug)

    def run(self, main, remote_inputs: list, remote_outputs: list) -> Any:
        import shutil
        import tempfile

        from ..paths import local_inputs_dir

        args = self.args
        output_uris = self.guarded(
            lambda: {name: _checked_uri(name, getattr(args, name)) for name in remote_outputs}
        )
        local_inputs_dir().mkdir(parents=True, exist_ok=True)
        run_dir = tempfile.mkdtemp(prefix="run-", dir=local_inputs_dir())
        keep = False
        try:
            self.guarded(lambda: self._download_inputs(remote_inputs, run_dir))
            for name in remote_outputs:
                setattr(args, name, tempfile.mkdtemp(prefix=f"output-{name}-", dir=run_dir))
            result = main(args)
            keep = True
            self.guarded(lambda: self._upload_outputs(output_uris))
            keep = False
            return result
        finally:
            if not keep:
                shutil.rmtree(run_dir, ignore_errors=True)

    def _client(self):
        """The S3 of the backend: AWS's, or with the local backend the emulator's (its
        embedded server unless the caller set an endpoint)."""
        if self.s3 is None:
            from ..backends import get_backend

            args = self.args
            if args.sagemaker_backend == "local":
                self.s3 = get_backend(
                    "local", profile=args.sagemaker_profile, region=args.sagemaker_region
                ).s3
            else:
                from ..aws.session import make_session
                from ..s3.clients import client_config

                session = make_session(args.sagemaker_profile, args.sagemaker_region)
                self.s3 = session.client("s3", config=client_config())
        return self.s3

    def _download_inputs(self, names: list, run_dir: str) -> None:
        for name in names:
            uri = _input_uri(self.args, name)
            with _transfer_step(f"downloading {flag_of(name)} from {uri}"):
                path = _download_input(self._client(), name, uri, run_dir)
            setattr(self.args, name, str(path))

    def _upload_outputs(self, output_uris: dict) -> None:
        from pathlib import Path

        from ..s3.transfer import upload_tree

        for name, uri in output_uris.items():
            local = getattr(self.args, name)
            with _transfer_step(f"uploading {flag_of(name)} to {uri}", f" (kept in {local})"):
                upload_tree(self._client(), Path(local), uri)


class _transfer_step:  # noqa: N801 - used as a context manager, like contextlib's
    """Turn an AWS or file error of one S3 step into a TransferError saying which step."""

    def __init__(self, what: str, kept: str = ""):
        self.what = what
        self.kept = kept

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, _tb) -> bool:
        if exc is None or isinstance(exc, (UsageError, KeyboardInterrupt)):
            return False
        if is_credentials_error(exc):  # before main ran (nothing kept yet): a usage error
            error = TransferError if self.kept else UsageError
            raise error(f"{self.what}: {credentials_line(exc)}{self.kept}") from None
        if from_aws_sdk(exc) or isinstance(exc, OSError):
            raise TransferError(f"{self.what}: {type(exc).__name__}: {exc}{self.kept}") from exc
        return False


def _checked_uri(name: str, uri: str) -> str:
    from ..s3.uri import parse

    try:
        parse(uri)
    except ValueError as exc:
        raise UsageError(f"{flag_of(name)}: {exc}") from None
    return uri


def _input_uri(args, name: str) -> str:
    value = getattr(args, name)
    if not is_job_reference(value):
        return value
    from ..backends import get_backend
    from ..pipeline.jobref import resolve_input

    backend = get_backend(
        args.sagemaker_backend, profile=args.sagemaker_profile, region=args.sagemaker_region
    )
    return resolve_input(backend, name, value)


def _download_input(s3, name: str, uri: str, run_dir: str) -> Path:
    """A single object gives the path of the file, a prefix the path of its folder."""
    from pathlib import Path

    from ..s3.transfer import download_prefix
    from ..s3.uri import parse

    key = parse(_checked_uri(name, uri)).key
    dest = Path(run_dir) / f"input-{name}"
    try:
        paths = download_prefix(s3, uri, dest, shown=(sys.stderr, f"downloading {flag_of(name)}"))
    except FileNotFoundError:
        raise UsageError(
            f"{flag_of(name)}: nothing found at {uri} (expected an object or prefix)"
        ) from None
    if _is_single_object(paths, dest, key):
        return paths[0]
    return dest


def _is_single_object(paths, dest: Path, key: str) -> bool:
    return (
        len(paths) == 1
        and not key.endswith("/")
        and paths[0].parent == dest
        and paths[0].name == key.rsplit("/", 1)[-1]
    )
