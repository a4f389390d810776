"""Backend choice: the real AWS SageMaker API or the local emulator.

Both implement `base.Backend`: the boto3 SageMaker client's job methods, `logs` and `s3`.
"""

from __future__ import annotations

import os
from typing import Any, Iterable, Optional

from ..aws.errors import credentials_line, is_credentials_error
from ..contract import BACKENDS
from ..errors import Error, UsageError, one_line
from .base import Backend

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..kinds import JobKind


def get_backend(
    name: str,
    *,
    profile: Optional[str] = None,
    region: Optional[str] = None,
    emulation: Any = None,
) -> Backend:
    """An AwsBackend over one boto3 session, or the local emulator (`emulation`: how it runs
    the jobs this backend creates, backends/local/handoff.py)."""
    if name == "aws":
        from .aws import AwsBackend

        return AwsBackend(_make_session(profile, region))
    if name == "local":
        from .local import LocalBackend

        region = region or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
        return LocalBackend(region=region, profile=profile, emulation=emulation)
    raise UsageError(_not_a_backend("--sagemaker-backend", name))


def _not_a_backend(source: str, value: str) -> str:
    return f"{source}: {value!r} is not a backend; allowed: {', '.join(BACKENDS)}"


def _make_session(profile: Optional[str], region: Optional[str]):
    from ..aws.session import make_session, session_region

    session = make_session(profile, region)
    session_region(session, region)
    return session


def emulator_hint(name: Optional[str], kinds: Iterable[JobKind]) -> str:
    """For a lookup on AWS that found nothing or could not reach it: how to reach the local
    emulator's jobs, when it has one named `name` or starting with it (any job: None); else
    "". Reads the emulator's job folders only."""
    from .local import LocalBackend

    local = LocalBackend()
    found = [
        job
        for kind in kinds
        for job in local.job_names(kind)
        if name is None or job.startswith(name)
    ]
    if not found:
        return ""
    what = f"a job named {name!r}" if name in found else f"{len(found)} such job(s)"
    if name is None:
        what = f"{len(found)} job(s)"
    return f"; the local emulator has {what}: add --sagemaker-backend local to use them"


def unreachable_error(exc: BaseException, kinds: Iterable[JobKind]) -> Error:
    """The one line of an error that kept AWS from being asked (aws.errors.is_unreachable), with
    how to reach the local emulator's jobs when it has any (a newcomer's jobs are often there)."""
    hint = emulator_hint(None, kinds)
    if is_credentials_error(exc):
        return UsageError(credentials_line(exc) + hint)
    return Error(f"cannot reach AWS: {one_line(exc)}{hint}")
