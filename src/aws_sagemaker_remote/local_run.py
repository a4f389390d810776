"""Local mode (SPEC §4): call ``main(args)`` here; stage only ``s3://`` inputs and outputs."""

from __future__ import annotations

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
    """Only this path imports boto3 (and the heavier standard modules)."""
    import shutil
    import tempfile

    from .aws.session import make_session
    from .s3io import client_config

    session = make_session(args.sagemaker_profile, args.sagemaker_region)
    s3 = session.client("s3", config=client_config())
    output_uris = {}
    try:
        for name in remote_inputs:
            uri = _input_uri(args, name)
            setattr(args, name, str(_download_input(s3, name, uri)))
        for name in remote_outputs:
            output_uris[name] = getattr(args, name)
            setattr(args, name, tempfile.mkdtemp(prefix=f"aws-sagemaker-remote-{name}-"))
        result = main(args)
        _upload_outputs(s3, args, output_uris)
        return result
    finally:
        for name in output_uris:
            shutil.rmtree(getattr(args, name), ignore_errors=True)


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


def _download_input(s3, name: str, uri: str) -> Path:
    """Download into the cache; a single object gives the path of the file, a prefix its folder."""
    import shutil

    from .s3io import download_prefix
    from .s3uri import S3Uri

    try:
        parsed = S3Uri.parse(uri)
    except ValueError as exc:
        raise UsageError(f"--{name.replace('_', '-')}: {exc}") from None
    dest = cache_root() / parsed.bucket / (parsed.key.strip("/") or "_root")
    shutil.rmtree(dest, ignore_errors=True)
    try:
        paths = download_prefix(s3, uri, dest)
    except FileNotFoundError:
        shutil.rmtree(dest, ignore_errors=True)
        raise UsageError(
            f"--{name.replace('_', '-')}: nothing found at {uri} (expected an object or prefix)"
        ) from None
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)
        raise
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
        upload_tree(s3, Path(getattr(args, name)), uri)
