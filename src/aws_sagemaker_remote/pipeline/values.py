"""How flag values become a spec's values: local paths normalized, empty values and the
`default` S3 place as None (every kind's pipeline module reads its own flags with these)."""

from __future__ import annotations

import os
from typing import Optional

from ..args import is_job_reference


def optional(value) -> Optional[str]:
    return value if value not in (None, "") else None


def location(value: Optional[str]) -> Optional[str]:
    """An S3 place the user chose, or None for the default one (`default` or nothing)."""
    return None if value in (None, "", "default") else value


def local_path(value: Optional[str]) -> Optional[str]:
    """Lexically normalized, as users write ``os.path.join(__file__, "../..")`` (which the file
    system itself refuses: a file is not a folder). URIs and empty values pass unchanged."""
    if not value or "://" in value or is_job_reference(value):
        return value
    return os.path.normpath(os.path.expanduser(value))
