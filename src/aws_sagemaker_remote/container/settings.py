"""The bootstrap's settings: what the request's environment and job file say, with container
paths mapped for the emulator (standard library only, Python 3.7+)."""

import json
import shlex
import sys
from typing import Dict, List, Optional

from aws_sagemaker_remote.container.protocol import (
    CONFIGURATION_COMMAND,
    CONFIGURATION_SCRIPT,
    JOB_ARGV,
    JOB_CONFIGURATION_COMMAND,
    JOB_FILE,
    JOB_PLACE,
    JOB_PYTHONPATH,
    PATH_MAP,
    PLACE,
    PYTHON,
    PYTHONPATH,
    REQUIREMENTS,
    SCRIPT,
)

LOG_PREFIX = "aws-sagemaker-remote: "
EXIT_SETUP_FAILED = 1


class SetupError(Exception):
    """A setup step failed; the message is the one-line reason."""

    def __init__(self, reason: str, exit_code: int = EXIT_SETUP_FAILED) -> None:
        super().__init__(reason)
        self.exit_code = exit_code


def log(message: str) -> None:
    sys.stderr.write(LOG_PREFIX + message + "\n")
    sys.stderr.flush()


# ---------------------------------------------------------------- path mapping


class PathMap:
    """Prefix replacement FROM -> TO for container paths (emulator only)."""

    def __init__(self, source: str = "", target: str = "") -> None:
        self.source = source
        self.target = target

    @classmethod
    def parse(cls, spec: Optional[str]) -> "PathMap":
        if not spec:
            return cls()
        source, sep, target = spec.partition("=")
        source, target = _strip_slash(source), _strip_slash(target)
        if not sep or not source.startswith("/") or not target:
            raise SetupError(f"{PATH_MAP} must be FROM=TO with an absolute FROM, got {spec!r}")
        return cls(source, target)

    def path(self, path: str) -> str:
        if not self.source or _is_under(path, self.target):
            return path
        if path == self.source:
            return self.target
        if path.startswith(self.source + "/"):
            return self.target + path[len(self.source) :]
        return path

    def shown(self, path: str) -> str:
        """The container path behind a mapped path, for log lines and reasons: the emulator's
        long host paths become the short paths the job sees (identity on SageMaker)."""
        if self.source and _is_under(path, self.target):
            return self.source + path[len(self.target) :]
        return path

    def token(self, token: str) -> str:
        """Map a bare path token, or the value of a ``--flag=PATH`` token."""
        if token.startswith("-") and "=" in token:
            flag, _, value = token.partition("=")
            return flag + "=" + self.path(value)
        return self.path(token)


def _strip_slash(path: str) -> str:
    return path.rstrip("/") or path


def _is_under(path: str, root: str) -> bool:
    return bool(root) and (path == root or path.startswith(root + "/"))


# ---------------------------------------------------------------- settings


class Settings:
    def __init__(self) -> None:
        self.script = ""
        self.python = []  # type: List[str]
        self.pythonpath = []  # type: List[str]
        self.place = []  # type: List[str]  # container folders of ManifestFile channels
        self.requirements = ""
        self.configuration_script = ""
        self.configuration_command = ""
        self.argv = []  # type: List[str]
        self.job_file = ""
        self.path_map = PathMap()
        self.message_file = "/opt/ml/output/message"  # the file the job's kind publishes


def load_settings(argv: List[str], environ: Dict[str, str], path_map: PathMap) -> Settings:
    settings = Settings()
    settings.path_map = path_map
    settings.script = path_map.path(environ.get(SCRIPT, ""))
    if not settings.script:
        raise SetupError(f"{SCRIPT} is not set")
    settings.python = _interpreter(environ.get(PYTHON, ""))
    entries = environ.get(PYTHONPATH, "").split(":")
    settings.pythonpath = [path_map.path(entry) for entry in entries if entry]
    settings.place = [folder for folder in environ.get(PLACE, "").split(":") if folder]
    settings.requirements = path_map.path(environ.get(REQUIREMENTS, ""))
    settings.configuration_script = path_map.path(environ.get(CONFIGURATION_SCRIPT, ""))
    settings.configuration_command = environ.get(CONFIGURATION_COMMAND, "")
    settings.argv = list(argv)
    settings.job_file = path_map.path(environ.get(JOB_FILE, ""))
    if settings.job_file:
        _apply_job_file(settings, settings.job_file, path_map)
    return settings


def _interpreter(command: str) -> List[str]:
    if not command.strip():
        return [sys.executable or "python3"]
    try:
        words = shlex.split(command)
    except ValueError as error:
        raise SetupError(f"{PYTHON} {command!r}: {error}") from None
    return words or [sys.executable or "python3"]


def _apply_job_file(settings: Settings, job_file: str, path_map: PathMap) -> None:
    shown = path_map.shown(job_file)
    try:
        with open(job_file, encoding="utf-8") as stream:
            job = json.load(stream)
    except OSError as error:
        raise SetupError(f"job file {shown}: {error.strerror or error}") from None
    except ValueError as error:
        raise SetupError(f"job file {shown}: {error}") from None
    if not isinstance(job, dict):
        raise SetupError(f"job file {shown}: expected a JSON object")
    if JOB_ARGV in job:
        argv = job[JOB_ARGV]
        if not isinstance(argv, list) or not all(isinstance(token, str) for token in argv):
            raise SetupError(f"job file {shown}: 'argv' must be a list of strings")
        settings.argv = [path_map.token(token) for token in argv]
    if JOB_PYTHONPATH in job:
        entries = job[JOB_PYTHONPATH]
        if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
            raise SetupError(f"job file {shown}: 'pythonpath' must be a list of strings")
        settings.pythonpath = [path_map.path(entry) for entry in entries if entry]
    if JOB_PLACE in job:
        folders = job[JOB_PLACE]
        if not isinstance(folders, list) or not all(isinstance(f, str) for f in folders):
            raise SetupError(f"job file {shown}: 'place' must be a list of strings")
        settings.place = [folder for folder in folders if folder]
    if JOB_CONFIGURATION_COMMAND in job:
        command = job[JOB_CONFIGURATION_COMMAND]
        if not isinstance(command, str):
            raise SetupError(f"job file {shown}: 'configuration_command' must be a string")
        settings.configuration_command = command
