"""Which S3 the emulator talks to: the caller's side makes the choice, the runner follows it.

1. The endpoint the caller set (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, or `endpoint_url` in the
   profile or its `services` section, as botocore reads them: "Service-specific endpoints",
   https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html), with the caller's
   credentials: it must not be AWS's (the emulator never talks to AWS), must answer, and needs
   credentials.
2. Otherwise the embedded server that `aws-sagemaker-remote s3 start` (or `s3 serve`) runs for
   the data folder: its endpoint in `server.json`, its own keys in `identities.json` (both mode
   0600). The client is made with that server's endpoint and keys and nothing of the caller's
   (no profile, no config file), so the caller's own AWS credentials, set or not, stay theirs
   for everything else: never sent to the server, never replaced in any environment, never
   printed. The runner is handed the data folder, not the keys (handoff.RUNNER_S3_DIR_VAR).
3. Neither: one line saying to start the server.
"""

from __future__ import annotations

import re
import socket
from pathlib import Path
from typing import Any, Mapping, NamedTuple, Optional
from urllib.parse import urlsplit

from ...errors import UsageError
from ...paths import s3_data_dir
from ...s3server.settings import S3ServerInfo
from .handoff import RUNNER_PROFILE_VAR, RUNNER_S3_DIR_VAR

# The DNS suffixes of every AWS partition (botocore's data/partitions.json).
AWS_HOST_RE = re.compile(
    r"(^|\.)(amazonaws\.com|amazonaws\.com\.cn|amazonaws\.eu|c2s\.ic\.gov|sc2s\.sgov\.gov|"
    r"csp\.hci\.ic\.gov|cloud\.adc-e\.uk|api\.aws)$"
)
START_HINT = "start one with `aws-sagemaker-remote s3 start`"
OWN_ENDPOINT_HINT = (
    "unset the endpoint variable to use the server of `aws-sagemaker-remote s3 start`, or fix it"
)
CONNECT_TIMEOUT = 3.0
WHO = "--sagemaker-backend local"


class EmulatorS3(NamedTuple):
    """The emulator's S3 client, and the embedded server it talks to with that server's data
    folder (None: the caller's own endpoint)."""

    client: Any
    server: Optional[S3ServerInfo] = None
    server_dir: Optional[Path] = None


def emulator_s3(profile: Optional[str], region: str) -> EmulatorS3:
    """The caller's side: the caller's endpoint (checked), else the running embedded server."""
    from ...aws.session import make_session
    from ...s3.clients import client_config
    from ...s3.clientsettings import custom_endpoint

    session = make_session(profile, region)
    # Where the caller's settings point S3, asked of a client with placeholder keys: the
    # caller's credential chain (a credential process, SSO) is not run for the embedded server.
    probe = session.client("s3", aws_access_key_id="-", aws_secret_access_key="-")
    endpoint = custom_endpoint(probe)
    if endpoint is not None:
        client = session.client("s3", config=client_config())
        _check_own_endpoint(client, endpoint)
        return EmulatorS3(client)
    folder = s3_data_dir().resolve()
    info = _running(folder)
    if info is None:
        raise UsageError(
            f"{WHO}: the emulator needs an S3 server, and none runs for {folder} (nor is "
            f"AWS_ENDPOINT_URL_S3 set); {START_HINT}"
        )
    return EmulatorS3(server_client(info), info, folder)


def runner_s3(environ: Mapping[str, str]) -> EmulatorS3:
    """The runner's side: the server the caller chose, or else the caller's session as the
    caller made it (its endpoint comes with the caller's environment; an explicit profile also
    makes botocore ignore credentials in the environment, so it is passed on as given)."""
    folder = environ.get(RUNNER_S3_DIR_VAR)
    if not folder:
        from ...aws.session import make_session
        from ...s3.clients import client_config

        session = make_session(environ.get(RUNNER_PROFILE_VAR) or None, None)
        return EmulatorS3(session.client("s3", config=client_config()))
    info = _running(Path(folder))
    if info is None:
        raise RuntimeError(f"the S3 server of {folder} stopped; {START_HINT}")
    return EmulatorS3(server_client(info), info, Path(folder))


def server_client(info: S3ServerInfo) -> Any:
    """A boto3 S3 client of the embedded server: its endpoint and keys, no profile or config
    file of the caller's, this library's pool and retries."""
    from ...s3.clients import client_config
    from ...s3server.readiness import server_session

    config = client_config(s3={"addressing_style": "path"})
    return server_session(info).client("s3", endpoint_url=info.endpoint, config=config)


def _running(folder: Path) -> Optional[S3ServerInfo]:
    from ...s3server.running import running_info

    return running_info(folder)


def _check_own_endpoint(client: Any, endpoint: str) -> None:
    parts = urlsplit(endpoint)
    host = parts.hostname or ""
    if AWS_HOST_RE.search(host):
        raise UsageError(
            f"{WHO}: the emulator never talks to AWS, and the S3 endpoint set is AWS's "
            f"({endpoint}); {OWN_ENDPOINT_HINT}"
        )
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if not _answers(host, port):
        raise UsageError(
            f"{WHO}: nothing answers at the S3 endpoint {endpoint}; {OWN_ENDPOINT_HINT}"
        )
    if not _has_credentials(client):
        raise UsageError(
            f"{WHO}: no credentials for the S3 endpoint {endpoint}; set the ones it gave you, "
            f"or {OWN_ENDPOINT_HINT}"
        )


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT):
            return True
    except OSError:
        return False


def _has_credentials(client: Any) -> bool:
    try:
        return client._get_credentials() is not None
    except Exception as exc:  # noqa: BLE001 - a broken credential source means: none usable
        from ...aws.errors import is_credentials_error

        if is_credentials_error(exc):
            return False
        raise
