"""The boto3 session: profile, region and account."""

from __future__ import annotations

import functools
from typing import Any, Optional

from ..aws.errors import CREDENTIALS_HELP, aws_error_code, is_credentials_error
from ..errors import UsageError


def make_session(profile: Optional[str], region: Optional[str]) -> Any:
    """A boto3 Session for `profile` ("default" or None: the default credential chain)."""
    import boto3
    from botocore.exceptions import ProfileNotFound

    try:
        session = boto3.Session(profile_name=_profile_name(profile), region_name=region or None)
    except ProfileNotFound:
        raise UsageError(_profile_not_found(profile)) from None
    core = session._session
    loader = shared_loader()
    for path in core.get_component("data_loader").search_paths:
        if path not in loader.search_paths:
            loader.search_paths.append(path)
    core.register_component("data_loader", loader)
    return session


@functools.lru_cache(maxsize=1)
def shared_loader() -> Any:
    """One botocore data loader for the process: it caches what it reads, so SageMaker's large
    service model is parsed once whether validation or a client reads it first."""
    from botocore.loaders import create_loader

    return create_loader()


def _profile_name(profile: Optional[str]) -> Optional[str]:
    """The profile to pass to boto3.

    "default" is only passed when a config file defines it: without one, boto3 would refuse the
    name although credentials from the environment work fine.
    """
    if not profile:
        return None
    if profile == "default" and "default" not in _available_profiles():
        return None
    return profile


def _available_profiles() -> list:
    import boto3

    return list(boto3.Session().available_profiles)


def _profile_not_found(profile: Optional[str]) -> str:
    known = ", ".join(sorted(_available_profiles())) or "none"
    return (
        f"--sagemaker-profile: profile {profile!r} is not in the AWS config or credentials "
        f"file (configured profiles: {known})"
    )


def session_region(session: Any, explicit: Optional[str]) -> str:
    """The region to work in: the explicit flag, else the session's."""
    region = explicit or session.region_name
    if not region:
        raise UsageError(
            "--sagemaker-region: no region configured; pass --sagemaker-region or set "
            "AWS_DEFAULT_REGION"
        )
    return region


class CredentialsUnusable(UsageError):
    """No credentials, or AWS refused them (a dry run goes on without AWS); `reason` says
    which, in a few words that quote no credential."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def account_id(session: Any) -> str:
    """The caller's account id, from STS.

    Credential errors become a CredentialsUnusable naming only the error's kind: their text can
    quote a credential process's output, which must never reach the terminal.
    """
    from botocore.exceptions import ClientError

    try:
        return session.client("sts").get_caller_identity()["Account"]
    except ClientError as exc:
        code = aws_error_code(exc)
        if code in _REJECTED_CODES:
            reason = f"AWS rejected the credentials: {code}"
            raise CredentialsUnusable(_credentials_message(session, reason), reason) from None
        raise
    except Exception as exc:
        if not is_credentials_error(exc):
            raise
        name = type(exc).__name__
        message = _credentials_message(session, name)
        raise CredentialsUnusable(message, f"no usable AWS credentials: {name}") from None


_REJECTED_CODES = {
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "ExpiredTokenException",
    "UnrecognizedClientException",
    "AccessDenied",
}


def _credentials_message(session: Any, reason: str) -> str:
    profile = session.profile_name or "default"
    problem = f"no usable AWS credentials for profile {profile!r} ({reason})"
    return f"--sagemaker-profile: {problem}; {CREDENTIALS_HELP}"
