"""How this library talks to S3: boto3 client settings (connection pool, retries), the transfer
mode, and the CRT client built once per boto3 client.

`AWS_SAGEMAKER_REMOTE_TRANSFER` picks `auto` (the default: the CRT wherever it can be used),
`crt` (an error where it cannot) or `classic` (boto3's s3transfer for everything).
boto3, botocore and awscrt are imported inside the functions: importing this costs nothing.
"""

from __future__ import annotations

import weakref
from typing import Any

from ..errors import UsageError
from ..settings import TRANSFER_ENV, crt_required, transfer_mode

MAX_CONCURRENCY = 32  # boto3 side: threads of the classic manager, connections of the pool
# botocore retries for every S3 call of boto3: "standard" mode (exponential backoff with jitter,
# throttling and dropped connections retried) with 10 attempts instead of 3 rides out 30 % faults
# (tests/integration/test_s3_faults.py). "adaptive" also survived but took 5-10x longer there:
# its client-side rate limiter keeps slowing down after each 503.
RETRIES = {"mode": "standard", "max_attempts": 10}


def client_config(**overrides: Any):
    """botocore Config for S3 clients: a connection per transfer thread, deliberate retries."""
    from botocore.config import Config

    overrides.setdefault("retries", dict(RETRIES))
    return Config(max_pool_connections=MAX_CONCURRENCY, **overrides)


_CRT: Any = weakref.WeakKeyDictionary()  # boto3 client -> CrtS3 or None


def crt_of(s3_client: Any):
    """The CRT client for this boto3 client (built once), or None where it cannot be used."""
    if transfer_mode() == "classic":
        return None
    if s3_client not in _CRT:
        from .crt import crt_for

        _CRT[s3_client] = crt_for(s3_client)
    found = _CRT[s3_client]
    if found is None and crt_required():
        raise UsageError(
            f"{TRANSFER_ENV}=crt: this S3 client needs boto3 (a proxy, no credentials)"
        )
    return found


_REGIONS: Any = weakref.WeakKeyDictionary()  # boto3 client -> {bucket: reachable by the CRT}


def crt_reaches(s3_client: Any, bucket: str) -> bool:
    """Whether requests signed for the client's region reach `bucket` (the CRT follows no
    redirect). Any error leaves the bucket to boto3, which reports it as usual."""
    known = _REGIONS.setdefault(s3_client, {})
    if bucket not in known:
        try:
            response = s3_client.head_bucket(Bucket=bucket)
        except Exception:  # noqa: BLE001 - boto3 then reports whatever is wrong
            known[bucket] = False
        else:
            region = response["ResponseMetadata"]["HTTPHeaders"].get("x-amz-bucket-region")
            known[bucket] = region is None or region == s3_client.meta.region_name
    return known[bucket]
