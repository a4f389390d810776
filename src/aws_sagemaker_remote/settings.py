"""The settings this library takes from the environment besides AWS's own and the flags'
defaults (`AWS_SAGEMAKER_REMOTE_<KEY>`, configuration/), each named, read and checked here once:
a value is parsed the first time it is seen (one line naming the variable when it is wrong) and
the parsed value is reused while the environment keeps it. Standard library only.

- AWS_SAGEMAKER_REMOTE_TRANSFER: `auto` (the CRT wherever it can be used), `crt` (an error where
  it cannot) or `classic` (boto3's s3transfer for everything);
- AWS_SAGEMAKER_REMOTE_LOG_SETTLE: the first pause, in seconds, before the watcher reads a
  finished job's last log lines;
- AWS_SAGEMAKER_REMOTE_PASS_CREDENTIALS: yes/no, whether an emulated job's script gets the
  caller's credentials.
"""

from __future__ import annotations

import os

from .errors import UsageError
from .flags import FALSE_WORDS, TRUE_WORDS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, Optional, Tuple

TRANSFER_ENV = "AWS_SAGEMAKER_REMOTE_TRANSFER"
TRANSFER_MODES = ("auto", "crt", "classic")
SETTLE_ENV = "AWS_SAGEMAKER_REMOTE_LOG_SETTLE"
PASS_CREDENTIALS_ENV = "AWS_SAGEMAKER_REMOTE_PASS_CREDENTIALS"

_SEEN: Dict[Tuple[str, str], Any] = {}


def _read(name: str, parse: Callable[[str], Any]) -> Any:
    raw = os.environ.get(name, "")
    key = (name, raw)
    if key not in _SEEN:
        _SEEN[key] = parse(raw)
    return _SEEN[key]


def transfer_mode() -> str:
    """`classic` or `crt`, as TRANSFER_ENV asks (refused with one line when unknown)."""
    return _read(TRANSFER_ENV, _transfer)[0]


def crt_required() -> bool:
    return _read(TRANSFER_ENV, _transfer)[1]


def _transfer(raw: str) -> Tuple[str, bool]:
    wanted = raw.strip().lower() or "auto"
    if wanted not in TRANSFER_MODES:
        allowed = ", ".join(TRANSFER_MODES)
        raise UsageError(f"{TRANSFER_ENV}: {wanted!r} is not a transfer mode; allowed: {allowed}")
    return ("classic" if wanted == "classic" else "crt"), wanted == "crt"


def log_settle_seconds() -> Optional[float]:
    """The first pause before a finished job's last log lines (None: the watcher's own)."""
    return _read(SETTLE_ENV, _settle)


def _settle(raw: str) -> Optional[float]:
    value = raw.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 3600:
        raise UsageError(f"{SETTLE_ENV}: {value!r}: expected seconds, from 0 to 3600")
    return seconds


def pass_credentials() -> bool:
    return _read(PASS_CREDENTIALS_ENV, _yes_no)


def _yes_no(raw: str) -> bool:
    word = raw.strip().lower()
    if raw and word not in TRUE_WORDS + FALSE_WORDS:
        raise UsageError(f"{PASS_CREDENTIALS_ENV}: {raw!r}: expected yes/true/1 or no/false/0")
    return word in TRUE_WORDS


def check() -> None:
    """Every setting, checked before any side effect (a remote run's validation)."""
    transfer_mode()
    log_settle_seconds()
    pass_credentials()
