"""What the caller's side of the emulator hands the detached runner: the module it starts, the
variables it reads besides the job folder (the caller's profile, the embedded S3 server's data
folder when the caller chose that server: s3endpoint.py), and the emulation settings of
a job (`emulation.json` in its folder: what the request itself cannot carry, as it must stay the
request AWS would get)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import List, Optional

from .store import read_json

RUNNER_MODULE = "aws_sagemaker_remote.backends.local.runner"  # python -m RUNNER_MODULE JOB_DIR
RUNNER_PROFILE_VAR = "AWS_SAGEMAKER_REMOTE_RUNNER_PROFILE"  # the caller's --sagemaker-profile
RUNNER_S3_DIR_VAR = "AWS_SAGEMAKER_REMOTE_RUNNER_S3_DIR"  # the embedded S3 server's data folder
EMULATION_FILE = "emulation.json"
IMAGE, CALLER = "image", "caller"  # --sagemaker-emulator-environment


@dataclass(frozen=True)
class Emulation:
    """How the emulator runs one job beyond its request.

    `environment`: `image` (an isolated environment of the image's Python and packages plus
    the requirements) or `caller` (this Python environment, as before: unfaithful);
    `image_packages`: the requirement lines declared for the image (`--sagemaker-image-packages`,
    in place of its profile), and `image_packages_file` the file they came from;
    `image_warned`: the run's import pre-flight already told the user that the image has no
    profile (the job's log then does not say it again: one line).
    """

    environment: str = IMAGE
    image_packages: Optional[List[str]] = None
    image_packages_file: Optional[str] = None
    image_warned: bool = False

    def as_json(self) -> dict:
        """What `emulation.json` holds (written with the job's folder: store.JobStore.create)."""
        return asdict(self)

    @classmethod
    def read(cls, job_dir: Path) -> Emulation:
        """The job's settings; the defaults for a job created without any."""
        try:
            data = read_json(job_dir / EMULATION_FILE)
        except (OSError, ValueError):
            return cls()
        return cls(
            environment=data.get("environment", IMAGE),
            image_packages=data.get("image_packages"),
            image_packages_file=data.get("image_packages_file"),
            image_warned=bool(data.get("image_warned", False)),
        )
