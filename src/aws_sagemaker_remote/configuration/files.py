"""Where the configuration files are and what their tables of ours hold.

The project file is the nearest pyproject.toml at or above the script's folder that has a
`[tool.aws-sagemaker-remote]` table, as ruff finds its own (a pyproject.toml without the tool's
table is passed over: https://docs.astral.sh/ruff/configuration/#config-file-discovery). The user
file is all ours: its top-level keys are the settings.

Parsing TOML costs the import of tomllib (about 5 ms, a fifth of a local run's start-up), so a
file is parsed only when its text may hold our table (`_MAY_HOLD_OURS`); the search itself is a
few `stat` calls.
"""

from __future__ import annotations

import os
import re

from ..errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Optional

TABLE = "aws-sagemaker-remote"
PROJECT_FILE = "pyproject.toml"
USER_FILE = "config.toml"
HOME_ENV = "AWS_SAGEMAKER_REMOTE_HOME"  # paths.HOME_ENV (paths.py imports pathlib)

# Every spelling that can open our table: `[tool.aws-sagemaker-remote]` (quoted or spaced), a
# dotted key `tool.aws-sagemaker-remote.role = ...`, or keys under a bare `[tool]` table or a
# top-level `tool = {...}`, which only a parse can tell apart. Matching more costs a parse,
# never a setting.
_MAY_HOLD_OURS = rb"(?m)tool\s*\.\s*[\"']?aws-sagemaker-remote|^\s*\[\s*tool\s*\]|^\s*tool\s*="


class FileTable:
    """The settings table of one file: `what` ("project file" or "user file"), its path, the
    name shown before its keys in errors, and its entries."""

    __slots__ = ("what", "path", "label", "entries")

    def __init__(self, what: str, path: str, label: str, entries: Dict[str, Any]) -> None:
        self.what = what
        self.path = path
        self.label = label
        self.entries = entries

    def where(self, key: str) -> str:
        """How an error names one of its keys: `FILE: [TABLE] KEY`."""
        return f"{self.path}: {self.label}{key}"


def user_file() -> str:
    """`$AWS_SAGEMAKER_REMOTE_HOME/config.toml` when that is set (tests, sandboxes), else
    `$XDG_CONFIG_HOME/aws-sagemaker-remote/config.toml` (default `~/.config`)."""
    home = os.environ.get(HOME_ENV)
    if home:
        return os.path.join(home, USER_FILE)
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, TABLE, USER_FILE)


def user_table() -> Optional[FileTable]:
    path = user_file()
    if not os.path.isfile(path):
        return None
    return FileTable("user file", path, "", _parse(path, _read(path)))


def project_table(folder: str) -> Optional[FileTable]:
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


def _project_entries(path: str) -> Optional[Dict[str, Any]]:
    data = _read(path)
    if not re.search(_MAY_HOLD_OURS, data):  # compiled on first use, then re's cache
        return None
    tool = _parse(path, data).get("tool")
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


def _parse(path: str, data: bytes) -> Dict[str, Any]:
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - the tests run on 3.11
        import tomli as tomllib
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text, as TOML must be") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML: {exc}") from None
