"""Where this library keeps its own files on the user's machine (XDG base directories).

`AWS_SAGEMAKER_REMOTE_HOME` puts everything under one folder instead (tests, sandboxes):
`HOME/cache`, `HOME/jobs`, `HOME/venvs`, `HOME/s3`, and the user's configuration file
`HOME/config.toml`.

The roots are plain strings (`*_root`, `user_config_file`): the local path reads the
configuration through them and never imports pathlib; the folders below are Paths.
"""

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

HOME_ENV = "AWS_SAGEMAKER_REMOTE_HOME"
APP = "aws-sagemaker-remote"
CACHE_PLACED_BY = (HOME_ENV, "XDG_CACHE_HOME", "HOME")  # the variables cache_dir() reads
USER_CONFIG_FILE = "config.toml"


def _xdg(variable: str, *fallback: str) -> str:
    base = os.environ.get(variable) or os.path.join(os.path.expanduser("~"), *fallback)
    return os.path.join(base, APP)


def cache_root() -> str:
    home = os.environ.get(HOME_ENV)
    return os.path.join(home, "cache") if home else _xdg("XDG_CACHE_HOME", ".cache")


def data_root() -> str:
    return os.environ.get(HOME_ENV) or _xdg("XDG_DATA_HOME", ".local", "share")


def user_config_file() -> str:
    """The user's configuration file: `$XDG_CONFIG_HOME/aws-sagemaker-remote/config.toml`
    (default `~/.config`), or `$AWS_SAGEMAKER_REMOTE_HOME/config.toml` when that is set."""
    home = os.environ.get(HOME_ENV)
    folder = home if home else _xdg("XDG_CONFIG_HOME", ".config")
    return os.path.join(folder, USER_CONFIG_FILE)


def cache_dir() -> "Path":
    """Re-creatable files: digests, `s3://` inputs of local runs, parsed configuration."""
    from pathlib import Path

    return Path(cache_root())


def data_dir() -> "Path":
    """Files worth keeping: the emulator's jobs and environments, the embedded S3's data."""
    from pathlib import Path

    return Path(data_root())


def digest_cache_dir() -> "Path":
    """One file per walked root (s3/digest.py)."""
    return cache_dir() / "digests"


def local_inputs_dir() -> "Path":
    return cache_dir() / "inputs"


def jobs_dir() -> "Path":
    return data_dir() / "jobs"


def s3_data_dir() -> "Path":
    """The embedded S3 server's data, credentials and log (`aws-sagemaker-remote s3 ...`)."""
    return data_dir() / "s3"


def venvs_dir(jobs: "Path | None" = None) -> "Path":
    """The emulator's job environments, beside its jobs folder."""
    return (jobs or jobs_dir()).parent / "venvs"
