"""S3 transfers through boto3's transfer manager (s3transfer), many files in flight at once.

boto3, botocore and s3transfer are imported inside the functions: importing this module costs
nothing on the local path.
"""

from __future__ import annotations

import io
import posixpath
from pathlib import Path
from typing import Iterable, List, Optional, Tuple, Union

from .digest import tree_files
from .s3uri import S3Uri, parse

MIB = 1024 * 1024
# Chosen with benchmarks/staging.py against SeaweedFS on loopback (2 cores shared with the server
# and with other test runs): 10, 16 and 32 requests in flight and 8 or 16 MiB parts differed by less
# than the run-to-run noise (4.7-6.7 s for 2,000 x 8 KiB, 1.7-3.6 s for 256 MiB), because on
# loopback the client's CPU, not latency, is the limit. Against real S3 every request waits tens of
# milliseconds, so many small files need many requests in flight: 32. Parts: boto3's 8 MiB.
MAX_CONCURRENCY = 32
MULTIPART_THRESHOLD = 8 * MIB
MULTIPART_CHUNKSIZE = 8 * MIB
DELETE_BATCH = 1000

UploadItem = Tuple[Union[Path, bytes], str, str]


def transfer_config(max_concurrency: int = MAX_CONCURRENCY):
    """The s3transfer settings used for every upload and download (classic threaded manager)."""
    from boto3.s3.transfer import TransferConfig

    return TransferConfig(
        multipart_threshold=MULTIPART_THRESHOLD,
        multipart_chunksize=MULTIPART_CHUNKSIZE,
        max_concurrency=max_concurrency,
        max_io_queue=1000,
        use_threads=True,
        preferred_transfer_client="classic",
    )


def client_config(**overrides):
    """botocore client Config whose connection pool matches the transfer concurrency.

    botocore's default pool holds 10 connections; with more threads than that it keeps opening
    and discarding connections (and logs "Connection pool is full"). Create S3 clients with
    `session.client("s3", config=client_config())` to give every thread a connection.
    """
    from botocore.config import Config

    return Config(max_pool_connections=MAX_CONCURRENCY, **overrides)


def _concurrency_for(s3_client) -> int:
    pool = getattr(s3_client.meta.config, "max_pool_connections", None) or 10
    return max(1, min(MAX_CONCURRENCY, pool))


def _manager(s3_client, config=None):
    from boto3.s3.transfer import create_transfer_manager

    return create_transfer_manager(
        s3_client, config or transfer_config(_concurrency_for(s3_client))
    )


def upload_files(s3_client, items: Iterable[UploadItem], progress=None, config=None) -> None:
    """Upload every (source, bucket, key); a source is a file path or bytes.

    All transfers are submitted to one TransferManager at once. The first failure cancels the
    rest and is re-raised once every worker has stopped, so that nothing is still in flight when
    the caller cleans up.
    """
    subscribers = [progress] if progress is not None else None
    with _manager(s3_client, config) as manager:
        futures = [
            manager.upload(_fileobj(source), bucket, key, subscribers=subscribers)
            for source, bucket, key in items
        ]
        for future in futures:
            future.result()  # raising here makes the manager cancel and join everything


def _fileobj(source: Union[Path, bytes, str]):
    if isinstance(source, (bytes, bytearray)):
        return io.BytesIO(source)
    return str(source)


def upload_tree(s3_client, src: Path | str, uri: str, progress=None) -> List[str]:
    """Upload a file or every file below a directory to the prefix `uri`; returns their URIs."""
    target = parse(uri)
    items = [
        (file, target.bucket, target.join(rel).key)
        for rel, file in tree_files(src, skip_junk=False)
    ]
    upload_files(s3_client, items, progress=progress)
    return [str(S3Uri(bucket, key)) for _, bucket, key in items]


def list_keys(s3_client, bucket: str, prefix: str = "") -> dict[str, int]:
    """Every key under `prefix` with its size (all pages)."""
    paginator = s3_client.get_paginator("list_objects_v2")
    keys: dict[str, int] = {}
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", ()):
            keys[obj["Key"]] = obj["Size"]
    return keys


def delete_keys(s3_client, bucket: str, keys: Iterable[str]) -> None:
    """Delete keys in batches of 1000; raise RuntimeError naming the first key S3 refused."""
    keys = list(keys)
    for start in range(0, len(keys), DELETE_BATCH):
        batch = [{"Key": key} for key in keys[start : start + DELETE_BATCH]]
        response = s3_client.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})
        errors = response.get("Errors") or []
        if errors:
            first = errors[0]
            raise RuntimeError(
                f"could not delete {len(errors)} object(s) from s3://{bucket}, first "
                f"{first.get('Key')}: {first.get('Code')} {first.get('Message')}"
            )


def download_prefix(s3_client, uri: str, dest: Path | str) -> List[Path]:
    """Download one object (to dest/<basename>) or every object below a prefix (keeping paths).

    Each file is written under a temporary name and renamed when complete (s3transfer does this
    for filename targets), so a failure never leaves a half-written file under its real name.
    """
    location = parse(uri)
    pairs = download_pairs(s3_client, location, uri)
    dest = Path(dest)
    targets = [dest.joinpath(*rel.split("/")) for _, rel in pairs]
    for target in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
    with _manager(s3_client) as manager:
        futures = [
            manager.download(location.bucket, key, str(target))
            for (key, _), target in zip(pairs, targets)
        ]
        for future in futures:
            future.result()
    return targets


def download_pairs(s3_client, location: S3Uri, uri: str) -> List[Tuple[str, str]]:
    """(key, relative path) of everything `uri` names; FileNotFoundError when that is nothing."""
    key = location.key
    if key and not key.endswith("/") and _object_exists(s3_client, location.bucket, key):
        return [(key, posixpath.basename(key))]
    prefix = location.as_prefix().key
    try:
        listing = list_keys(s3_client, location.bucket, prefix)
    except Exception as exc:
        if _error_code(exc) == "NoSuchBucket":
            raise FileNotFoundError(f"no such bucket: {uri}") from exc
        raise
    pairs = [(k, _safe_relpath(k[len(prefix) :], uri)) for k in sorted(listing)]
    pairs = [(k, rel) for k, rel in pairs if rel is not None]
    if not pairs:
        raise FileNotFoundError(f"no objects at {uri}")
    return pairs


def _safe_relpath(rel: str, uri: str) -> Optional[str]:
    """The relative path of a key, None for folder markers; refuses keys that climb out."""
    if not rel or rel.endswith("/"):
        return None
    parts = [p for p in rel.split("/") if p]
    if any(p in (".", "..") for p in parts):
        raise ValueError(f"refusing to download key with '.' or '..' components under {uri}: {rel}")
    return "/".join(parts)


def _object_exists(s3_client, bucket: str, key: str) -> bool:
    try:
        s3_client.head_object(Bucket=bucket, Key=key)
    except Exception as exc:
        if _error_code(exc) in ("404", "NoSuchKey", "NotFound", "NoSuchBucket"):
            return False
        raise
    return True


def _error_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))
