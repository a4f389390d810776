"""Which sender runs a boto3 client's requests: decided once per client and bucket, the same
`ops.Sender` interface either way (awscrt's S3 client where it can go, boto3 otherwise)."""

from __future__ import annotations

import weakref
from typing import Any, Iterable, List

from .clients import crt_of, crt_reaches
from .ops import Op, Sender

_BOTO: Any = weakref.WeakKeyDictionary()  # boto3 client -> BotoS3


def sender_for(s3_client: Any, *buckets: str) -> Sender:
    """The CRT when this client may use it for every bucket named, boto3 otherwise."""
    crt = crt_of(s3_client)
    if crt is not None and all(crt_reaches(s3_client, bucket) for bucket in buckets):
        return crt
    if s3_client not in _BOTO:
        from .boto3ops import BotoS3

        _BOTO[s3_client] = BotoS3(s3_client)
    return _BOTO[s3_client]


def run_all(sender: Sender, ops: Iterable[Op], progress: Any = None) -> List[Op]:
    """Run a (small) list of requests and return it, each with its answer."""
    ops = list(ops)
    if ops:
        sender.run(ops, progress)
    return ops
