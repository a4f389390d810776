"""Defaults of the --sagemaker-* settings from outside the script: the project file
(`[tool.aws-sagemaker-remote]` in the nearest pyproject.toml that has it), the user file
(`$XDG_CONFIG_HOME/aws-sagemaker-remote/config.toml`) and `AWS_SAGEMAKER_REMOTE_<KEY>`
variables. Precedence: flag > environment > the script's argument > project file > user file >
built-in default (`layers.py`; docs/configuration.md).

This module is what every local run reads besides its flags (`Places`): our variables, and
where the configuration files are and what their tables of ours hold. Standard library only,
and nothing but `os` on the local path when no file holds a table of ours.


The project file is the nearest pyproject.toml at or above the script's folder that has a
`[tool.aws-sagemaker-remote]` table, as ruff finds its own (a pyproject.toml without the tool's
table is passed over: https://docs.astral.sh/ruff/configuration/#config-file-discovery). The user
file is all ours (paths.user_config_file: XDG's config home,
https://specifications.freedesktop.org/basedir-spec/latest/): its top-level keys are the settings.

Parsing TOML costs the import of tomllib (10-13 ms: half a local run's start-up), so a file is
parsed only when its text may hold our table (`may_hold_ours`), and what a parse found is kept
in the cache folder beside the bytes it came from (`parsed.py`, imported only then). The search
itself, every local run's cost, is a few `stat` calls, a read and a byte test.
"""

import os

from ..errors import UsageError
from ..paths import HOME_ENV, user_config_file

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Mapping, Optional

# Handoff of `aws-sagemaker-remote config show SCRIPT`: the file the script writes its settings
# to instead of running (show.py; read by entry/__init__.py on every run).
SHOW_ENV = "AWS_SAGEMAKER_REMOTE_SHOW_CONFIGURATION"
TABLE = "aws-sagemaker-remote"
ENV_PREFIX = "AWS_SAGEMAKER_REMOTE_"
IN_JOB_ENV = "IS_SAGEMAKER"
PROJECT_FILE = "pyproject.toml"

WHITESPACE = b" \t\r\n"


class FileTable:
    """The settings table of one file: `what` ("project file" or "user file"), its path, the
    name shown before its keys in errors, and its entries."""

    __slots__ = ("what", "path", "label", "entries")

    def __init__(self, what: str, path: str, label: str, entries: "Dict[str, Any]") -> None:
        self.what = what
        self.path = path
        self.label = label
        self.entries = entries

    def where(self, key: str) -> str:
        """How an error names one of its keys: `FILE: [TABLE] KEY`."""
        return f"{self.path}: {self.label}{key}"


class Places:
    """What one kind's script reads besides its flags: our variables and the two files.
    Inside a job (`IS_SAGEMAKER`, set by the bootstrap) nothing is read: the job's script
    takes its settings from its arguments, not from the files of the machine it happens to run
    on; nor with `read=False` (the documentation's parsers)."""

    def __init__(
        self,
        kind: str,
        folder: str,
        environ: "Optional[Mapping[str, str]]" = None,
        read: bool = True,
    ) -> None:
        environ = os.environ if environ is None else environ
        self.kind = kind
        self.in_job = bool(environ.get(IN_JOB_ENV))
        read = read and not self.in_job
        # Ours only, copied once: a setting looks up one to three names.
        ours = {k: v for k, v in environ.items() if k.startswith(ENV_PREFIX)}
        self.environ = ours if read else {}
        self.project = project_table(folder) if read else None
        self.user = user_table() if read else None

    def files(self) -> "List[FileTable]":
        return [table for table in (self.project, self.user) if table is not None]

    @property
    def empty(self) -> bool:
        """Nothing to read: the script's keywords over the built-in values decide."""
        if self.project or self.user:
            return False
        return not self.environ or not set(self.environ) - _not_keys()


def _not_keys() -> frozenset:
    """Our variables that are no flag's default: one of them set does not make a run look
    further (any other name only takes it through the whole layering, which ignores what is no
    key)."""
    from .. import settings

    return frozenset(
        (HOME_ENV, settings.TRANSFER_ENV, settings.SETTLE_ENV, settings.PASS_CREDENTIALS_ENV)
    )


def user_file() -> str:
    return user_config_file()


def user_table() -> "Optional[FileTable]":
    path = user_file()
    if not os.path.isfile(path):
        return None
    from .parsed import parsed

    return FileTable("user file", path, "", parsed(path, _read(path), _whole))


def project_table(folder: str) -> "Optional[FileTable]":
    """The table of the nearest pyproject.toml at or above `folder` that has one."""
    folder = os.path.abspath(folder)
    while True:
        path = os.path.join(folder, PROJECT_FILE)
        if os.path.isfile(path):
            found = _project_entries(path)
            if found is not None:
                return FileTable("project file", path, f"[tool.{TABLE}] ", found)
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _project_entries(path: str) -> "Optional[Dict[str, Any]]":
    data = _read(path)
    if not may_hold_ours(data):
        return None
    from .parsed import parsed

    return parsed(path, data, _ours)


def may_hold_ours(data: bytes) -> bool:
    """Whether a parse of `data` may find our table: `[tool.aws-sagemaker-remote]` (quoted or
    spaced), a dotted key `tool.aws-sagemaker-remote.role = ...`, or keys under a bare `[tool]`
    table or a top-level `tool = {...}`, which only a parse can tell apart. Matching more costs
    a parse, never a setting. Plain byte tests: a pattern would cost its compilation (0.3 ms)
    on every run of a project that names aws-sagemaker-remote, that is every user's."""
    name = TABLE.encode()
    at = data.find(name)
    if at < 0:
        return False
    while at >= 0:
        before = data[:at].rstrip(WHITESPACE)
        if before[-1:] in (b'"', b"'"):
            before = before[:-1]
        before = before.rstrip(WHITESPACE)
        if before.endswith(b".") and before[:-1].rstrip(WHITESPACE).endswith(b"tool"):
            return True
        at = data.find(name, at + 1)
    return any(_opens_tool(line.lstrip(WHITESPACE)) for line in data.split(b"\n"))


def _opens_tool(line: bytes) -> bool:
    """`[tool]` or `tool =` at the start of a line."""
    if line.startswith(b"["):
        line = line[1:].lstrip(WHITESPACE)
        closing = b"]"
    else:
        closing = b"="
    return line.startswith(b"tool") and line[4:].lstrip(WHITESPACE).startswith(closing)


def _whole(_path: str, document: "Dict[str, Any]") -> "Dict[str, Any]":
    return document


def _ours(path: str, document: "Dict[str, Any]") -> "Optional[Dict[str, Any]]":
    tool = document.get("tool")
    if not isinstance(tool, dict) or TABLE not in tool:
        return None
    table = tool[TABLE]
    if not isinstance(table, dict):
        raise UsageError(f"{path}: tool.{TABLE}: expected a table of settings")
    return table


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read ({exc.strerror or exc})") from None
