"""The environment variables through which the AWS SDKs find credentials or a profile.

They never go into a job: `--sagemaker-env` refuses them, and the emulator leaves the caller's
out of the script's environment unless `settings.PASS_CREDENTIALS_ENV` is set (SageMaker gives
a job its role's credentials, never the submitter's). Names from botocore's credential providers
(`botocore/credentials.py`: environment, shared files, assume-role-with-web-identity, container)
and the older AWS tools (`AWS_ACCESS_KEY`, `AWS_SECRET_KEY`, `AWS_CREDENTIAL_FILE`).
Standard library only.
"""

from __future__ import annotations

CREDENTIAL_NAMES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_CONFIG_FILE",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_ACCESS_KEY",
    "AWS_SECRET_KEY",
    "AWS_CREDENTIAL_FILE",
)
CREDENTIAL_PREFIXES = ("AWS_CONTAINER_CREDENTIALS_", "AWS_CONTAINER_AUTHORIZATION_TOKEN")


def is_credential_name(name: str) -> bool:
    """Case-insensitive: `aws_secret_access_key=...` carries a secret just the same."""
    upper = name.upper()
    return upper in CREDENTIAL_NAMES or upper.startswith(CREDENTIAL_PREFIXES)
