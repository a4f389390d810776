"""The data directory's small files: credentials (0600), state and the log tail."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Optional

from .settings import IDENTITIES_FILE


def write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


def read_json(path: Path) -> Optional[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def identities(access_key: str, secret_key: str) -> dict[str, Any]:
    return {
        "identities": [
            {
                "name": "aws-sagemaker-remote",
                "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
                "actions": ["Admin", "Read", "List", "Tagging", "Write"],
            }
        ]
    }


def read_credentials(data_dir: Path) -> Optional[tuple[str, str]]:
    """The (access key, secret key) stored in a data dir's identities file, if any."""
    data = read_json(Path(data_dir) / IDENTITIES_FILE)
    try:
        cred = data["identities"][0]["credentials"][0]  # type: ignore[index]
        return str(cred["accessKey"]), str(cred["secretKey"])
    except (TypeError, KeyError, IndexError):
        return None


def log_tail(path: Path, start: int = 0, lines: int = 30) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(start)
            text = handle.read().decode("utf-8", "replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])
