"""Shared fixtures: SeaweedFS for S3, moto for SageMaker/IAM/STS/Logs, and an AWS environment.

`s3_server` and `moto_endpoint` live for the whole session; `aws_env` points boto3 at them for one
test (and resets moto), `s3_client` and `bucket` build on it.
"""

from __future__ import annotations

import os
import signal
import socket
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
from helpers import started_s3_server

from aws_sagemaker_remote.s3server import S3Server, S3ServerInfo


def pytest_configure(config: pytest.Config) -> None:
    """No test may reach beyond 127.0.0.1: botocore must never probe the EC2 metadata address
    when a test runs without credentials."""
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
    # Emulated jobs never download a Python (uv's own setting; PyPI is the one registry tests
    # may reach, for the packages of a job's environment).
    os.environ["UV_PYTHON_DOWNLOADS"] = "never"
    # One uv cache for the session, whatever XDG_CACHE_HOME a test sets: a package of a job's
    # environment is downloaded once.
    os.environ.setdefault("UV_CACHE_DIR", _uv_cache_dir())
    _no_configuration_of_the_developer()
    _default_sigint()


def _uv_cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "uv")


def _no_configuration_of_the_developer() -> None:
    """The developer's AWS_SAGEMAKER_REMOTE_* defaults and user file must not change what the
    tests see (a test that wants them sets them); the transfer mode is kept (CI picks it)."""
    for name in list(os.environ):
        if name.startswith("AWS_SAGEMAKER_REMOTE_") and name != "AWS_SAGEMAKER_REMOTE_TRANSFER":
            del os.environ[name]
    import tempfile

    # A folder nobody creates: no user file, and nothing of the developer's read by pip & co.
    os.environ["XDG_CONFIG_HOME"] = os.path.join(tempfile.gettempdir(), "asr-tests-no-config")


def _default_sigint() -> None:
    """Started in the background (`make test &`, some CI runners) this process inherits SIGINT
    ignored, and every child it starts would too: the Ctrl-C tests' SIGINT would be lost. A
    handled signal is reset to the default at exec, so children start as from a terminal."""
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    with started_s3_server(tmp_path_factory.mktemp("seaweedfs")) as server:
        yield server


@pytest.fixture(scope="session")
def s3_server(seaweedfs: S3Server) -> S3ServerInfo:
    assert seaweedfs.info is not None
    return seaweedfs.info


@pytest.fixture(scope="session")
def s3_server_dir(seaweedfs: S3Server) -> Path:
    """The session server's data folder, with the state `aws-sagemaker-remote s3 start` leaves
    (server.json, identities.json)."""
    return seaweedfs.data_dir


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def _reset_moto(endpoint: str) -> None:
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


_REMOVED_ENV = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ENDPOINT_URL",
    "AWS_REGION",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_SAGEMAKER_REMOTE_BACKEND",
)


@pytest.fixture
def aws_env(
    monkeypatch: pytest.MonkeyPatch,
    s3_server: S3ServerInfo,
    moto_endpoint: str,
    tmp_path: Path,
) -> dict[str, str]:
    """S3 on SeaweedFS, the other services on moto (reset for this test), no user AWS config."""
    _reset_moto(moto_endpoint)
    for name in _REMOVED_ENV:
        monkeypatch.delenv(name, raising=False)
    env = dict(s3_server.env())
    env.update(
        {
            "AWS_ENDPOINT_URL_SAGEMAKER": moto_endpoint,
            "AWS_ENDPOINT_URL_IAM": moto_endpoint,
            "AWS_ENDPOINT_URL_STS": moto_endpoint,
            "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": moto_endpoint,
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
            "AWS_SAGEMAKER_REMOTE_HOME": str(tmp_path / "home"),
            # moto and the emulator have no CloudWatch lag to wait out (tests/unit/test_watch*
            # cover the pause itself)
            "AWS_SAGEMAKER_REMOTE_LOG_SETTLE": "0",
        }
    )
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
def s3_client(aws_env: dict[str, str]) -> Any:
    """A boto3 S3 client configured only from the environment `aws_env` set."""
    import boto3

    return boto3.session.Session().client("s3")


def _empty_and_delete(client: Any, name: str) -> None:
    paginator = client.get_paginator("list_object_versions")
    for page in paginator.paginate(Bucket=name):
        items = page.get("Versions", []) + page.get("DeleteMarkers", [])
        keys = [{"Key": o["Key"], "VersionId": o["VersionId"]} for o in items]
        if keys:
            client.delete_objects(Bucket=name, Delete={"Objects": keys, "Quiet": True})
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=name):
        keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
        if keys:
            client.delete_objects(Bucket=name, Delete={"Objects": keys, "Quiet": True})
    client.delete_bucket(Bucket=name)


@pytest.fixture
def bucket(s3_client: Any) -> Iterator[str]:
    """A fresh, empty bucket on SeaweedFS, emptied and deleted after the test."""
    name = f"test-{uuid.uuid4().hex[:8]}"
    s3_client.create_bucket(Bucket=name)
    try:
        yield name
    finally:
        _empty_and_delete(s3_client, name)
