"""Processing job names: base + UTC timestamp, within SageMaker's rules (stdlib only)."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Optional

from aws_sagemaker_remote.errors import UsageError

JOB_NAME_PATTERN = r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$"
MAX_JOB_NAME_LENGTH = 63
DEFAULT_BASE = "processing-job"
_JOB_NAME_RE = re.compile(JOB_NAME_PATTERN)
_TIMESTAMP_LENGTH = len("-YYYY-MM-DD-HH-MM-SS-mmm")


def sanitize_base(base: str) -> str:
    cleaned = re.sub(r"-+", "-", re.sub(r"[^a-zA-Z0-9-]", "-", base)).strip("-")
    return cleaned or DEFAULT_BASE


def timestamp(now: Optional[datetime] = None) -> str:
    """`YYYY-MM-DD-HH-MM-SS-mmm` in UTC; a naive `now` is taken as UTC."""
    if now is None:
        now = datetime.now(timezone.utc)
    elif now.tzinfo is not None:
        now = now.astimezone(timezone.utc)
    return now.strftime("%Y-%m-%d-%H-%M-%S-") + f"{now.microsecond // 1000:03d}"


def job_name(base: str, now: Optional[datetime] = None) -> str:
    room = MAX_JOB_NAME_LENGTH - _TIMESTAMP_LENGTH
    trimmed = sanitize_base(base)[:room].rstrip("-")
    return f"{trimmed}-{timestamp(now)}"


def validate_job_name(name: str) -> None:
    if len(name) > MAX_JOB_NAME_LENGTH or not _JOB_NAME_RE.fullmatch(name):
        raise UsageError(
            f"--sagemaker-job-name: {name!r} is not a valid job name: it must match "
            f"{JOB_NAME_PATTERN} and be at most {MAX_JOB_NAME_LENGTH} characters (letters, "
            "digits and hyphens, starting and ending with a letter or digit)"
        )
