"""Readiness means a real S3 round trip works: the S3 port answers before the filer does."""

from __future__ import annotations

import secrets
from typing import Any

from .settings import S3ServerInfo


def server_session(info: S3ServerInfo) -> Any:
    """A boto3 session with the server's keys and region and nothing of the caller's: no
    profile, no credentials of theirs."""
    import boto3
    import botocore.session

    core = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
    return boto3.session.Session(
        botocore_session=core,
        aws_access_key_id=info.access_key,
        aws_secret_access_key=info.secret_key,
        region_name=info.region,
    )


def s3_client(info: S3ServerInfo, *, timeout: float = 10.0) -> Any:
    """A boto3 S3 client for `info` that ignores the caller's profile and config files."""
    from botocore.config import Config

    session = server_session(info)
    config = Config(
        connect_timeout=min(timeout, 5.0),
        read_timeout=timeout,
        retries={"max_attempts": 1},
        s3={"addressing_style": "path"},
    )
    return session.client("s3", endpoint_url=info.endpoint, config=config)


def probe_ready(info: S3ServerInfo, client: Any = None) -> None:
    """One real round trip: create a bucket, write and delete an object, delete the bucket.

    SeaweedFS answers on its S3 port before the filer and volumes can take writes, so only a real
    write proves readiness. Raises on any failure. Pass `client` when probing repeatedly.
    """
    client = client or s3_client(info)
    bucket = f"aws-sagemaker-remote-ready-{secrets.token_hex(4)}"
    client.create_bucket(Bucket=bucket)
    try:
        client.put_object(Bucket=bucket, Key="probe", Body=b"ready")
        client.delete_object(Bucket=bucket, Key="probe")
    finally:
        client.delete_bucket(Bucket=bucket)


def answers(info: S3ServerInfo, timeout: float = 5.0) -> bool:
    """True when the endpoint accepts these credentials (a quick ListBuckets)."""
    try:
        s3_client(info, timeout=timeout).list_buckets()
    except Exception:  # noqa: BLE001 - any failure means: not this server, or not ready
        return False
    return True
