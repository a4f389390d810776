"""Backend choice: the real AWS SageMaker API or the local emulator.

Both backends expose the boto3 SageMaker client's processing-job methods plus `logs` (a CloudWatch
Logs client or look-alike) and `s3`; see docs/architecture.md, "Backends".
"""

from __future__ import annotations

import os
from typing import Any, Optional

from aws_sagemaker_remote.errors import UsageError, aws_error_code

BACKENDS = ("aws", "local")
BACKEND_ENV = "AWS_SAGEMAKER_REMOTE_BACKEND"
NOT_FOUND_CODES = ("ResourceNotFoundException", "ResourceNotFound", "ValidationException")


def backend_name(flag_value: Optional[str]) -> str:
    """The backend to use: the flag, else the environment variable, else `aws`."""
    if flag_value:
        value, source = flag_value, "--sagemaker-backend"
    elif os.environ.get(BACKEND_ENV):
        value, source = os.environ[BACKEND_ENV], f"--sagemaker-backend (from {BACKEND_ENV})"
    else:
        return "aws"
    name = value.strip().lower()
    if name not in BACKENDS:
        raise UsageError(_not_a_backend(source, value))
    return name


def get_backend(name: str, *, profile: Optional[str] = None, region: Optional[str] = None) -> Any:
    """An AwsBackend over one boto3 session, or the local emulator."""
    if name == "aws":
        from aws_sagemaker_remote.backends.aws import AwsBackend

        return AwsBackend(_make_session(profile, region))
    if name == "local":
        from aws_sagemaker_remote.backends.local import LocalBackend

        region = region or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
        return LocalBackend(region=region, profile=profile)
    raise UsageError(_not_a_backend("--sagemaker-backend", name))


def _not_a_backend(source: str, value: str) -> str:
    return f"{source}: {value!r} is not a backend; allowed: {', '.join(BACKENDS)}"


def _make_session(profile: Optional[str], region: Optional[str]) -> Any:
    from aws_sagemaker_remote.aws.session import make_session, session_region

    session = make_session(profile, region)
    session_region(session, region)
    return session


def error_code(exc: BaseException) -> Optional[str]:
    """The AWS error code of a botocore ClientError (or a look-alike), else None."""
    return aws_error_code(exc) or None


def is_not_found(exc: BaseException) -> bool:
    """True for "no such job / log group / stream" errors.

    SageMaker reports an unknown job as a ValidationException ("Could not find processing job").
    """
    code = error_code(exc)
    if code is None:
        return type(exc).__name__ in NOT_FOUND_CODES
    if code == "ValidationException":
        message = str(getattr(exc, "response", {}).get("Error", {}).get("Message", ""))
        return "could not find" in message.lower() or "does not exist" in message.lower()
    return code in NOT_FOUND_CODES
