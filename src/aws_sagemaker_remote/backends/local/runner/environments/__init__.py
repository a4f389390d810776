"""The Python environment an emulated job runs in (`--sagemaker-emulator-environment`).

`image` (the default): as on AWS, the image's Python and packages plus the job's requirements,
and nothing of the caller's: a shared environment built once per contents (contents.py: which
packages; pythons.py: which interpreter; builder.py: uv or pip; cache.py: content-addressed,
locked, fingerprinted), and over it one fresh environment per instance (overlay.py), thrown
away with the job, so what a job installs or changes never reaches the next one. This library
reaches the job through its code channel, as on AWS, never through the environment.

`caller`: this Python environment (caller.py), unfaithful, on request.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Callable, Dict, List, Optional

from .....images.requirements import requirement_name
from ...handoff import CALLER, Emulation
from ..instance import Instance
from .builder import Builder, BuildError, find_uv
from .cache import EnvironmentCache, Lease, cache_key
from .contents import Contents, job_contents
from .overlay import make_overlay
from .pythons import Interpreter, find_python, this_python

ENVIRONMENTS_DIR = "environments"  # <job>/environments/algo-<i>: each instance's own
Log = Callable[[str], None]

__all__ = ["BuildError", "JobEnvironment", "prepare"]


class JobEnvironment:
    """The interpreter each instance runs, and what is released when the job ends."""

    def __init__(self, job_dir: Path, shared: Optional[Path] = None,
                 lease: Optional[Lease] = None, python: str = sys.executable) -> None:  # fmt: skip
        self.job_dir = job_dir
        self.shared = shared  # None: the caller's environment (`python`)
        self.lease = lease
        self.python = python

    def python_for(self, instance: Instance) -> str:
        """A fresh environment for the instance (a restarted one gets a new one)."""
        if self.shared is None:
            return self.python
        return str(make_overlay(self.shared, self.job_dir / ENVIRONMENTS_DIR / instance.host))

    def close(self) -> None:
        shutil.rmtree(self.job_dir / ENVIRONMENTS_DIR, ignore_errors=True)
        if self.lease is not None:
            self.lease.release()
            self.lease = None


def prepare(job_dir: Path, venvs: Path, image: str, environment: Dict[str, str],
            entry: List[str], instance: Instance, log: Log) -> JobEnvironment:  # fmt: skip
    """The job's environment: `image` its image URI, `environment` its request's Environment,
    `entry` its entrypoint and arguments (mapped), `instance` its first instance (the code is
    downloaded); `log` writes a line to the job's log. BuildError when it cannot be built."""
    emulation = Emulation.read(job_dir)
    if emulation.environment == CALLER:
        from .caller import caller_python

        return JobEnvironment(job_dir, python=caller_python(environment, instance,
                                                            venvs / CALLER, log))  # fmt: skip
    contents = job_contents(image, environment, entry, instance, emulation)
    uv = find_uv()
    venvs.mkdir(parents=True, exist_ok=True)
    python = _interpreter(contents, venvs, uv, log, emulation.image_warned)
    builder = Builder(uv, instance.root, log)
    key = cache_key(
        {
            "python": [python.path, python.text],
            "packages": list(contents.packages),
            "constraints": list(contents.constraints),
            "requirements": _digest(contents.requirements),
            "builder": builder.name,
        }
    )

    def build(target: Path) -> bool:
        log(f"building the job environment: {_described(python, contents)} ({builder.name}; "
            "cached for the next job with the same)")  # fmt: skip
        return _build(builder, target, python, contents, log)

    shared, lease, built = EnvironmentCache(venvs, log).acquire(key, build)
    if not built:
        log(f"job environment: {_described(python, contents)} (cached)")
    return JobEnvironment(job_dir, shared, lease)


def _interpreter(contents: Contents, venvs: Path, uv: Optional[str], log: Log,
                 image_warned: bool) -> Interpreter:  # fmt: skip
    """The image's Python when this machine has it, else this one, with one line naming both
    (or, for an image without a profile, saying so unless the pre-flight did)."""
    image = contents.image
    if not image.known and image.python is None:
        if image_warned:
            return this_python()
        log(
            f"the image {image.label} has no profile: the Python packages it ships are unknown, "
            "so the job gets the standard library and its requirements only, on this machine's "
            f"Python {this_python().text} (declare the image's packages with "
            "--sagemaker-image-packages FILE; pip freeze inside the image gives one)"
        )
        return this_python()
    if contents.python is None:
        log(f"the Python version of the image {image.label} is unknown: the job runs on this "
            f"machine's Python {this_python().text}")  # fmt: skip
        return this_python()
    found = find_python(contents.python, venvs, uv, log)
    if found is not None:
        return found
    wanted, local = "{}.{}".format(*contents.python), this_python()
    log(
        f"warning: the image {image.label} runs Python {wanted}, which this machine does not "
        f"have (uv python install {wanted} adds one): the job runs on Python {local.text}"
    )
    return local


def _build(builder: Builder, target: Path, python: Interpreter, contents: Contents,
           log: Log) -> bool:  # fmt: skip
    """Fill `target`; whether it may be kept for other jobs (not when the requirements failed:
    the bootstrap's own `pip install -r` then reports why, and the next job tries again)."""
    builder.create(target, python)
    if contents.packages:
        result = builder.install(target, contents.packages, contents.constraints)
        if not result.ok:
            names = [requirement_name(line) or line for line in contents.packages]
            log(f"warning: the image's versions of {', '.join(contents.packages)} do not "
                f"install on Python {python.text} here ({result.last_error}): installing the "
                "newest that do")  # fmt: skip
            result = builder.install(target, names)
        if not result.ok:
            raise BuildError(
                f"the image's packages {', '.join(contents.packages)} could not be installed "
                f"for Python {python.text}: {result.last_error}"
            )
    if contents.requirements is None:
        return True
    result = builder.install_file(target, contents.requirements, contents.constraints)
    if not result.ok and contents.constraints:
        result = builder.install_file(target, contents.requirements)
    if not result.ok:
        log("the requirements could not be installed ahead of the job; its own pip install -r "
            "says why")  # fmt: skip
    return result.ok


def _described(python: Interpreter, contents: Contents) -> str:
    parts = [f"Python {python.text} ({python.source})"]
    if contents.packages:
        parts.append(f"the image's {', '.join(contents.packages)}")
    if contents.requirements is not None:
        parts.append(contents.requirements.name)
    return ", ".join(parts)


def _digest(path: Optional[Path]) -> str:
    if path is None:
        return ""
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()
