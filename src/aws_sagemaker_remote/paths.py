"""Where this library keeps its own files on the user's machine (XDG base directories).

`AWS_SAGEMAKER_REMOTE_HOME` puts everything under one folder instead (tests, sandboxes):
`HOME/cache`, `HOME/jobs`, `HOME/venvs`, `HOME/s3`.
"""

from __future__ import annotations

import os
from pathlib import Path

HOME_ENV = "AWS_SAGEMAKER_REMOTE_HOME"
APP = "aws-sagemaker-remote"
CACHE_PLACED_BY = (HOME_ENV, "XDG_CACHE_HOME", "HOME")  # the variables cache_dir() reads


def _home() -> Path | None:
    home = os.environ.get(HOME_ENV)
    return Path(home) if home else None


def _xdg(variable: str, *fallback: str) -> Path:
    base = os.environ.get(variable) or os.path.join(os.path.expanduser("~"), *fallback)
    return Path(base, APP)


def cache_dir() -> Path:
    """Re-creatable files: digests, `s3://` inputs of local runs."""
    home = _home()
    return home / "cache" if home else _xdg("XDG_CACHE_HOME", ".cache")


def data_dir() -> Path:
    """Files worth keeping: the emulator's jobs and environments, the embedded S3's data."""
    home = _home()
    return home if home else _xdg("XDG_DATA_HOME", ".local", "share")


def digest_cache_dir() -> Path:
    """One file per walked root (s3/digest.py)."""
    return cache_dir() / "digests"


def local_inputs_dir() -> Path:
    return cache_dir() / "inputs"


def jobs_dir() -> Path:
    return data_dir() / "jobs"


def s3_data_dir() -> Path:
    """The embedded S3 server's data, credentials and log (`aws-sagemaker-remote s3 ...`)."""
    return data_dir() / "s3"


def venvs_dir(jobs: Path | None = None) -> Path:
    """The emulator's job environments, beside its jobs folder."""
    return (jobs or jobs_dir()).parent / "venvs"
