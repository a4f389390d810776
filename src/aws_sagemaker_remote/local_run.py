"""Local mode (SPEC §4): call ``main(args)`` here; stage only ``s3://`` inputs and outputs."""

from __future__ import annotations

import contextlib
import os
import sys

from .errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from pathlib import Path
    from typing import Any, Callable

    from .processing.config import ProcessingConfig

S3_PREFIX = "s3://"
AWS_MODULES = ("botocore", "boto3", "s3transfer", "awscrt")
JOB_PREFIX = "job:"


def run_local(main: Callable[[argparse.Namespace], Any], config: ProcessingConfig, args) -> Any:
    """Run ``main`` with S3 inputs downloaded first and S3 outputs uploaded after it returns."""
    _add_module_paths(config, args)
    remote_inputs = [n for n in config.inputs if _is_remote(getattr(args, n, None))]
    remote_outputs = [n for n in config.outputs if _is_s3(getattr(args, n, None))]
    if not remote_inputs and not remote_outputs:
        return main(args)
    return _run_with_s3(main, args, remote_inputs, remote_outputs)


def _run_with_s3(main, args, remote_inputs: list, remote_outputs: list) -> Any:
    """Only this path imports boto3 (and the heavier standard modules). Inputs go to a folder
    of this run's own under the cache (removed afterwards); an output whose upload fails is
    kept and named in the error. Errors of these S3 steps (not of main) are StagingErrors."""
    import shutil
    import tempfile

    output_uris = {name: _checked_uri(name, getattr(args, name)) for name in remote_outputs}
    cache_root().mkdir(parents=True, exist_ok=True)
    run_dir = tempfile.mkdtemp(prefix="run-", dir=cache_root())
    keep = False
    try:
        with _staging_step("downloading the inputs"):
            s3 = _s3_client(args)
            for name in remote_inputs:
                uri = _input_uri(args, name)
                setattr(args, name, str(_download_input(s3, name, uri, run_dir)))
        for name in remote_outputs:
            setattr(args, name, tempfile.mkdtemp(prefix=f"output-{name}-", dir=run_dir))
        result = main(args)
        keep = True
        _upload_outputs(s3, args, output_uris)
        keep = False
        return result
    finally:
        if not keep:
            shutil.rmtree(run_dir, ignore_errors=True)


def _s3_client(args):
    from .aws.session import make_session
    from .s3io import client_config

    session = make_session(args.sagemaker_profile, args.sagemaker_region)
    return session.client("s3", config=client_config())


class StagingError(Exception):
    """An S3 step of a local run failed (not main): shown as one line."""


@contextlib.contextmanager
def _staging_step(what: str, kept: str = ""):
    try:
        yield
    except (UsageError, KeyboardInterrupt):
        raise
    except Exception as exc:
        if type(exc).__module__.split(".")[0] not in AWS_MODULES and not isinstance(exc, OSError):
            raise
        raise StagingError(f"{what}: {type(exc).__name__}: {exc}{kept}") from exc


def _checked_uri(name: str, uri: str) -> str:
    from .s3uri import S3Uri

    try:
        S3Uri.parse(uri)
    except ValueError as exc:
        raise UsageError(f"--{name.replace('_', '-')}: {exc}") from None
    return uri


def _add_module_paths(config: ProcessingConfig, args) -> None:
    """Make modules importable here as they are in the container (appended: the user's own
    environment wins)."""
    for name in config.dependencies:
        path = os.path.abspath(getattr(args, name, "") or "")
        parent = os.path.dirname(path)
        if os.path.exists(path) and parent not in sys.path:
            sys.path.append(parent)


def _is_s3(value) -> bool:
    return isinstance(value, str) and value.startswith(S3_PREFIX)


def _is_remote(value) -> bool:
    return _is_s3(value) or (isinstance(value, str) and value.startswith(JOB_PREFIX))


def _input_uri(args, name: str) -> str:
    value = getattr(args, name)
    if not value.startswith(JOB_PREFIX):
        return value
    from .backends import get_backend
    from .jobref import resolve_job_reference

    backend = get_backend(
        args.sagemaker_backend, profile=args.sagemaker_profile, region=args.sagemaker_region
    )
    return resolve_job_reference(backend, value)


def cache_root() -> Path:
    from pathlib import Path

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "aws-sagemaker-remote" / "inputs"


def _download_input(s3, name: str, uri: str, run_dir: str) -> Path:
    """A single object gives the path of the file, a prefix the path of its folder."""
    from pathlib import Path

    from .s3io import download_prefix
    from .s3uri import S3Uri

    parsed = S3Uri.parse(_checked_uri(name, uri))
    dest = Path(run_dir) / f"input-{name}"
    try:
        paths = download_prefix(s3, uri, dest)
    except FileNotFoundError:
        raise UsageError(
            f"--{name.replace('_', '-')}: nothing found at {uri} (expected an object or prefix)"
        ) from None
    if _is_single_object(paths, dest, parsed.key):
        return paths[0]
    return dest


def _is_single_object(paths, dest: Path, key: str) -> bool:
    from pathlib import Path

    return (
        len(paths) == 1
        and not key.endswith("/")
        and Path(paths[0]).parent == dest
        and Path(paths[0]).name == key.rsplit("/", 1)[-1]
    )


def _upload_outputs(s3, args, output_uris: dict) -> None:
    from pathlib import Path

    from .s3io import upload_tree

    for name, uri in output_uris.items():
        local = getattr(args, name)
        with _staging_step(f"uploading --{name.replace('_', '-')} to {uri}", f" (kept in {local})"):
            upload_tree(s3, Path(local), uri)
