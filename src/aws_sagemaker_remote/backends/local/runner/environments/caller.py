"""`--sagemaker-emulator-environment caller`: an emulated job runs on this Python, with every
package installed here importable. Unfaithful (a job that passes here may fail on AWS for a
package its image lacks), kept for jobs that must see the caller's packages.

The caller's interpreter runs the job unless the job installs or configures anything: then a
cached job venv, so the caller's environment is never changed. One venv per (requirements
content, Python version, caller's environment), cached under `<environments>/caller/<key>`
(`paths.venvs_dir`). It is created with `--system-site-packages` plus a `.pth` file that
adds the caller's own site-packages (when the caller itself runs in a venv, the system site is the
base interpreter's, not the caller's): packages the caller has stay importable, anything pip
installs goes into the job venv and the caller's environment stays unchanged.

Creation and the first `pip install -r` happen under a file lock, so concurrent jobs with the same
requirements neither race nor install twice; the bootstrap's own `pip install -r` then finds
everything satisfied. A venv is built in a temporary directory and renamed into place when
complete; a failed first install is left for the bootstrap to report (it names the requirement).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import site
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable, Dict, List, Optional

from .....container import protocol
from ...store import read_json
from ..instance import Instance
from .cache import file_lock

INSTALLED_MARK = ".aws-sagemaker-remote-installed"
PTH_NAME = "aws_sagemaker_remote_caller_site.pth"

Log = Callable[[str], None]


def caller_python(environment: Dict[str, str], instance: Instance, venvs: Path, log: Log) -> str:
    """The interpreter of a job with the request's Environment `environment`."""
    requirements = environment.get(protocol.REQUIREMENTS)
    if not requirements and not _configures(environment, instance):
        return sys.executable
    path = instance.path(requirements) if requirements else None
    if path is not None and not path.is_file():
        return sys.executable  # the bootstrap reports the missing file
    return str(requirements_interpreter(venvs, path, instance.root, log))


def _configures(environment: Dict[str, str], instance: Instance) -> bool:
    """Whether a configuration script or command runs (it may `pip install`)."""
    if protocol.CONFIGURATION_SCRIPT in environment:
        return True
    if protocol.CONFIGURATION_COMMAND in environment:
        return True
    job_file = environment.get(protocol.JOB_FILE)
    if not job_file:
        return False
    try:
        return protocol.JOB_CONFIGURATION_COMMAND in read_json(instance.path(job_file))
    except (OSError, ValueError):
        return False


def environment_key(requirements: bytes) -> str:
    digest = hashlib.sha256(requirements)
    digest.update(sys.version.encode())
    digest.update(sys.prefix.encode())  # the .pth points into the caller's environment
    return digest.hexdigest()[:32]


def requirements_interpreter(
    venvs: Path, requirements: Optional[Path], cwd: Path, log: Log
) -> Path:
    """The interpreter of the (possibly new) venv for `requirements`; with None, of the plain
    job venv, so that a configuration step's `pip install` lands there and not in the caller's
    environment."""
    key = environment_key(requirements.read_bytes() if requirements else b"")
    target = venvs / key
    venvs.mkdir(parents=True, exist_ok=True)
    with file_lock(venvs / f"{key}.lock"):
        if not target.exists():
            log(f"creating job environment {target}")
            build_venv(target)
        if not (target / INSTALLED_MARK).exists():
            if requirements is None or preinstall(target, requirements, cwd, log):
                (target / INSTALLED_MARK).write_text("", encoding="utf-8")
        else:
            log(f"reusing job environment {target}")
    return python_of(target)


def build_venv(target: Path) -> None:
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        command = [sys.executable, "-m", "venv", "--system-site-packages"]
        if importlib.util.find_spec("pip") is not None:
            command.append("--without-pip")  # the caller's pip is visible through the .pth
        subprocess.run(command + [str(tmp)], check=True, capture_output=True)
        link_caller_site(tmp)
        add_pip_commands(tmp)
        os.rename(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def link_caller_site(venv: Path) -> None:
    dirs = caller_site_dirs()
    if not dirs:
        return
    lines = [f"import site; site.addsitedir({d!r})\n" for d in dirs]
    for site_packages in venv_site_packages(venv):
        (site_packages / PTH_NAME).write_text("".join(lines), encoding="utf-8")


def add_pip_commands(venv: Path) -> None:
    """`pip`/`pip3` in the venv's own bin, so a configuration step's `pip install` installs into
    the job venv: without them the caller's pip, next on PATH, would install into the caller's
    environment."""
    bin_dir = venv / "bin"
    if not bin_dir.is_dir():
        return
    for name in ("pip", "pip3"):
        command = bin_dir / name
        if not command.exists():
            command.write_text('#!/bin/sh\nexec "$(dirname "$0")/python" -m pip "$@"\n')
            command.chmod(0o755)


def caller_site_dirs() -> List[str]:
    """Site directories of this interpreter that a venv of its base would not see."""
    base = os.path.realpath(sys.base_prefix)
    dirs = [d for d in site.getsitepackages() if os.path.isdir(d)]
    return [d for d in dirs if not os.path.realpath(d).startswith(base + os.sep)]


def venv_site_packages(venv: Path) -> List[Path]:
    return sorted(venv.glob("lib/python*/site-packages")) + sorted(venv.glob("Lib/site-packages"))


def python_of(venv: Path) -> Path:
    posix = venv / "bin" / "python"
    return posix if posix.exists() else venv / "Scripts" / "python.exe"


def preinstall(venv: Path, requirements: Path, cwd: Path, log: Log) -> bool:
    log(f"installing {requirements.name} into {venv}")
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    env.pop("PYTHONHOME", None)
    result = subprocess.run(
        [str(python_of(venv)), "-m", "pip", "install", "-r", str(requirements)],
        cwd=str(cwd),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    for line in result.stdout.decode("utf-8", "replace").splitlines():
        log(f"pip: {line}")
    return result.returncode == 0
