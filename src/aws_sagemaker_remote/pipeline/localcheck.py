"""The local emulator never talks to AWS: its S3 must be a local endpoint that answers, with the
credentials that endpoint gave. Checked before anything is staged."""

from __future__ import annotations

import re
import socket
from typing import Any, Optional
from urllib.parse import urlsplit

from ..errors import UsageError

# The DNS suffixes of every AWS partition (botocore's data/partitions.json).
AWS_HOST_RE = re.compile(
    r"(^|\.)(amazonaws\.com|amazonaws\.com\.cn|amazonaws\.eu|c2s\.ic\.gov|sc2s\.sgov\.gov|"
    r"csp\.hci\.ic\.gov|cloud\.adc-e\.uk|api\.aws)$"
)
SERVE_HINT = "run `aws-sagemaker-remote s3 serve` and export what it prints"
CONNECT_TIMEOUT = 3.0


def check_local_s3(s3_client: Any, profile: Optional[str], region: str) -> None:
    """UsageError unless the S3 client points at a reachable non-AWS endpoint and there are
    credentials to sign with."""
    endpoint = s3_client.meta.endpoint_url
    parts = urlsplit(endpoint)
    host = parts.hostname or ""
    if AWS_HOST_RE.search(host):
        raise UsageError(
            "--sagemaker-backend local: the emulator needs a local S3 endpoint and "
            f"AWS_ENDPOINT_URL_S3 is not set (S3 would be {endpoint}); {SERVE_HINT}"
        )
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if not _answers(host, port):
        raise UsageError(
            f"--sagemaker-backend local: nothing answers at the S3 endpoint {endpoint}; "
            + SERVE_HINT
        )
    if not _has_credentials(profile, region):
        raise UsageError(
            f"--sagemaker-backend local: no credentials for the S3 endpoint {endpoint}; "
            + SERVE_HINT
        )


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT):
            return True
    except OSError:
        return False


def _has_credentials(profile: Optional[str], region: str) -> bool:
    from ..aws.session import make_session

    try:
        return make_session(profile, region).get_credentials() is not None
    except Exception as exc:  # noqa: BLE001 - a broken credential source means: none usable
        from ..errors import is_credentials_error

        if is_credentials_error(exc):
            return False
        raise
