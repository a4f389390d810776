"""Job names: base + UTC timestamp, within SageMaker's rules."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Optional

from ..contract import DEFAULT_BASE_JOB_NAME, MAX_JOB_NAME_LENGTH, is_job_name, job_name_rule
from ..errors import UsageError

TIMESTAMP_RE = r"-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-\d{3}$"
_TIMESTAMP_LENGTH = len("-YYYY-MM-DD-HH-MM-SS-mmm")


def sanitize_base(base: str) -> str:
    cleaned = re.sub(r"-+", "-", re.sub(r"[^a-zA-Z0-9-]", "-", base)).strip("-")
    return cleaned or DEFAULT_BASE_JOB_NAME


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


def strip_timestamp(name: str) -> str:
    return re.sub(TIMESTAMP_RE, "", name) or name


def validate_job_name(name: str, flag: str = "--sagemaker-job-name") -> None:
    if not is_job_name(name):
        raise UsageError(f"{flag}: {name!r} is not a valid job name: {job_name_rule()}")
