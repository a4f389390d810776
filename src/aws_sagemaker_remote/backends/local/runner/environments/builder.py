"""Building one shared job environment: a virtual environment of the chosen interpreter with
pip (images have pip), the image's packages the job uses, then the job's requirements.

With uv (a dependency of the emulator's extra: found beside this Python, on PATH, or through
the `uv` package): `uv venv --seed --relocatable`, `uv pip install` from uv's shared cache
(concurrent builds share it safely: uv locks it). Files are copied from the cache, not
hard-linked: a job that writes into a package's files must not change uv's cache, from which the
environment is rebuilt. Without uv: `python -m venv` and pip.

The two installs follow what happens on AWS. First the image's packages, pinned to the image's
versions with every other package of the image as a constraint (what they pull in comes in the
image's versions too). Then the requirements, as `pip install -r` runs in the container: what
is installed and fits stays, the rest is installed (the image's versions as constraints while
they can be met, none when they cannot, as pip would then upgrade). A network failure is retried
from the cache alone (`--offline`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, List, Optional, Sequence

from .pythons import Interpreter

Log = Callable[[str], None]
TAIL_LINES = 20
INSTALL_TIMEOUT = 3600


@dataclass(frozen=True)
class Result:
    ok: bool
    output: str

    @property
    def last_error(self) -> str:
        """The line that says why, for a one-line reason."""
        lines = [line.strip() for line in self.output.splitlines() if line.strip()]
        errors = [line for line in lines if line.lower().startswith(("error", "×", "╰─▶"))]
        return (errors or lines or ["no output"])[-1][:300]


def find_uv() -> Optional[str]:
    beside = Path(sys.executable).parent / "uv"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("uv")
    if found:
        return found
    try:
        from uv import find_uv_bin  # the uv package's own locator

        return find_uv_bin()
    except (ImportError, FileNotFoundError):
        return None


class Builder:
    """uv when there is one, else the interpreter's venv and pip."""

    def __init__(self, uv: Optional[str], workdir: Path, log: Log) -> None:
        self.uv = uv
        self.workdir = workdir  # where the installs run (the requirements' relative paths)
        self.log = log

    @property
    def name(self) -> str:
        return "uv" if self.uv else "pip"

    def create(self, target: Path, python: Interpreter) -> None:
        if not self.uv:
            self._checked([python.path, "-m", "venv", str(target)], "python -m venv")
            return
        command = [self.uv, "venv", "--quiet", "--relocatable", "--python", python.path]
        if self._run([*command, "--seed", str(target)]).ok:
            return
        self._checked([*command, "--allow-existing", str(target)], "uv venv")
        pip = self._run([str(target / "bin" / "python"), "-m", "ensurepip", "--default-pip"])
        if not pip.ok:
            self.log("pip could not be added to the job environment (no network, and no "
                     "ensurepip in this Python): a pip install in the job fails")  # fmt: skip

    def install(
        self, target: Path, lines: Sequence[str], constraints: Sequence[str] = ()
    ) -> Result:
        """`lines` (requirement lines) into `target`, within `constraints`."""
        with tempfile.TemporaryDirectory(prefix="aws-sagemaker-remote-") as folder:
            requirements = Path(folder) / "image-packages.txt"
            requirements.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
            return self.install_file(target, requirements, constraints)

    def install_file(
        self, target: Path, requirements: Path, constraints: Sequence[str] = ()
    ) -> Result:
        """A requirements file into `target`, as `pip install -r` would."""
        with tempfile.TemporaryDirectory(prefix="aws-sagemaker-remote-") as folder:
            extra = self._constraints(Path(folder), constraints)
            return self._install(target, ["-r", str(requirements), *extra])

    def _install(self, target: Path, arguments: List[str]) -> Result:
        python = str(target / "bin" / "python")
        if not self.uv:
            return self._run([python, "-m", "pip", "install", "--quiet", *arguments])
        command = [self.uv, "pip", "install", "--python", python, "--link-mode", "copy"]
        result = self._run([*command, *arguments])
        if result.ok:
            return result
        offline = self._run([*command, "--offline", *arguments])
        return offline if offline.ok else result

    @staticmethod
    def _constraints(folder: Path, constraints: Sequence[str]) -> List[str]:
        if not constraints:
            return []
        path = folder / "constraints.txt"
        path.write_text("".join(f"{line}\n" for line in constraints), encoding="utf-8")
        return ["-c", str(path)]

    def _checked(self, command: List[str], what: str) -> None:
        result = self._run(command)
        if not result.ok:
            raise BuildError(f"{what} failed: {result.last_error}")

    def _run(self, command: List[str]) -> Result:
        env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
        for name in ("VIRTUAL_ENV", "PYTHONHOME", "PYTHONPATH", "CONDA_PREFIX"):
            env.pop(name, None)
        try:
            result = subprocess.run(
                command,
                cwd=str(self.workdir),
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                timeout=INSTALL_TIMEOUT,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            return Result(False, str(error))
        output = result.stdout.decode("utf-8", "replace")
        for line in output.splitlines()[-TAIL_LINES:]:
            print(f"{self.name}: {line}", flush=True)  # the runner's own log
        return Result(result.returncode == 0, output)


class BuildError(Exception):
    """A job environment could not be built; the message is the one-line reason."""
