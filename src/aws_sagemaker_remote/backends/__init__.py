"""Backend choice: the real AWS SageMaker API or the local emulator.

Both implement `base.Backend`: the boto3 SageMaker client's job methods, `logs` and `s3`.
"""

from __future__ import annotations

import os
from typing import Optional

from ..contract import BACKENDS
from ..errors import UsageError
from ..settings import BACKEND_ENV, backend_from_environment
from .base import Backend


def backend_name(flag_value: Optional[str]) -> str:
    """The backend to use: the flag, else the environment variable, else `aws`."""
    if flag_value:
        value, source = flag_value, "--sagemaker-backend"
    elif backend_from_environment():
        value = backend_from_environment()
        source = f"--sagemaker-backend (from {BACKEND_ENV})"
    else:
        return "aws"
    name = value.strip().lower()
    if name not in BACKENDS:
        raise UsageError(_not_a_backend(source, value))
    return name


def get_backend(
    name: str, *, profile: Optional[str] = None, region: Optional[str] = None
) -> Backend:
    """An AwsBackend over one boto3 session, or the local emulator."""
    if name == "aws":
        from .aws import AwsBackend

        return AwsBackend(_make_session(profile, region))
    if name == "local":
        from .local import LocalBackend

        region = region or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
        return LocalBackend(region=region, profile=profile)
    raise UsageError(_not_a_backend("--sagemaker-backend", name))


def _not_a_backend(source: str, value: str) -> str:
    return f"{source}: {value!r} is not a backend; allowed: {', '.join(BACKENDS)}"


def _make_session(profile: Optional[str], region: Optional[str]):
    from ..aws.session import make_session, session_region

    session = make_session(profile, region)
    session_region(session, region)
    return session
