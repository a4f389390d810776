"""S3 transfers through s3transfer, many files in flight at once.

Two transfer managers: s3transfer's classic threaded one, and its CRT one (`s3transfer.crt`, on
the `awscrt` package), which spends far less CPU per file. `AWS_SAGEMAKER_REMOTE_TRANSFER` picks:
`auto` (the default: CRT when awscrt is installed), `crt` (an error without awscrt) or `classic`.
Whatever the CRT path cannot do (a source that is not a regular file, a bucket in another region
than the client's, a proxy, unsigned clients) or does slower (downloading an object above the
multipart threshold) goes through the classic manager.

boto3, botocore, s3transfer and awscrt are imported inside the functions: importing this module
costs nothing on the local path.
"""

from __future__ import annotations

import io
import os
import posixpath
import weakref
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Iterable, List, Optional, Tuple, Union

from ..errors import Error, UsageError, aws_error_code, is_not_found
from .digest import tree_files
from .uri import S3Uri, parse

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
TRANSFER_ENV = "AWS_SAGEMAKER_REMOTE_TRANSFER"
Listed = Tuple[str, str, int]  # (S3 key, path relative to the target folder, size)
TRANSFER_MODES = ("auto", "crt", "classic")
CRT_MIN_ITEMS = 100

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

    All transfers are submitted at once (to the CRT manager, the classic one or both, see the
    module docstring; an explicit classic `config` sends everything through the classic one). The
    first failure cancels the rest and is re-raised once every transfer has stopped, so that
    nothing is still in flight when the caller cleans up.
    """
    items = list(items)
    subscribers = [progress] if progress is not None else None

    def submit(manager, item: UploadItem):
        source, bucket, key = item
        return manager.upload(_fileobj(source), bucket, key, subscribers=subscribers)

    routes = _routes(
        s3_client, items, lambda item: item[1], _crt_can_send, config is None, _upload_size
    )
    _transfer(s3_client, routes, submit, config)


def _upload_size(item: UploadItem) -> int:
    source = item[0]
    if isinstance(source, (bytes, bytearray)):
        return len(source)
    try:
        return Path(source).stat().st_size
    except OSError:
        return 0


def _transfer(s3_client, routes, submit, config=None) -> None:
    """Submit each manager's items; the first failing future cancels and joins both managers."""
    crt_parts, crt_items, classic_items = routes
    with ExitStack() as stack:
        futures = []
        if crt_items:
            manager = stack.enter_context(_crt_manager(crt_parts))
            futures += [submit(manager, item) for item in crt_items]
        if classic_items:
            manager = stack.enter_context(_manager(s3_client, config))
            futures += [submit(manager, item) for item in classic_items]
        for future in futures:
            future.result()  # raising here makes the managers cancel and join everything


def _crt_can_send(item: UploadItem) -> bool:
    """Bytes and regular files; anything else fails in the classic manager with a plain OSError."""
    source = item[0]
    return isinstance(source, (bytes, bytearray)) or Path(source).is_file()


def transfer_mode() -> str:
    """The transfer manager to use, crt or classic: what TRANSFER_ENV asks and awscrt allows."""
    wanted = _requested_mode()
    if wanted == "classic":
        return "classic"
    if crt_available():
        return "crt"
    if wanted == "crt":
        raise UsageError(
            f"{TRANSFER_ENV}=crt needs the awscrt package: pip install 'aws-sagemaker-remote[crt]'"
        )
    return "classic"


def _requested_mode() -> str:
    wanted = os.environ.get(TRANSFER_ENV, "").strip().lower() or "auto"
    if wanted not in TRANSFER_MODES:
        raise UsageError(
            f"{TRANSFER_ENV} must be one of {', '.join(TRANSFER_MODES)}, not {wanted!r}"
        )
    return wanted


def crt_available() -> bool:
    """awscrt is installed and s3transfer's CRT manager takes a TransferConfig (>= 0.16)."""
    try:
        import s3transfer.crt
        from s3transfer.manager import TransferConfig
    except ImportError:
        return False
    return hasattr(TransferConfig, "UNSET_DEFAULT") and hasattr(
        s3transfer.crt, "CRTTransferManager"
    )


def _routes(s3_client, items: list, bucket_of, crt_can_do, crt_allowed=True, size_of=None):
    """(CRT parts or None, items for the CRT manager, items for the classic manager)."""
    worth = items and crt_allowed and _worth_crt(items, size_of)
    parts = _crt_parts(s3_client) if worth else None
    if parts is None:
        return None, [], items
    near = {b for b in {bucket_of(i) for i in items} if _bucket_in_client_region(s3_client, b)}
    crt_items, classic_items = [], []
    for item in items:
        fits = bucket_of(item) in near and crt_can_do(item)
        (crt_items if fits else classic_items).append(item)
    return parts, crt_items, classic_items


def _worth_crt(items: list, size_of) -> bool:
    """In `auto` mode, a few small files go faster through the classic manager: setting up the
    CRT client and importing awscrt (~0.15 s) cost more than it saves (~2 ms a file) below
    about a hundred files (benchmarks/emulator.py, benchmarks/staging.py)."""
    if _requested_mode() == "crt" or len(items) >= CRT_MIN_ITEMS:
        return True
    return size_of is not None and any(size_of(i) > MULTIPART_THRESHOLD for i in items)


_CRT_PARTS: Any = weakref.WeakKeyDictionary()  # boto3 client -> (CRT S3 client, serializer)


def _crt_parts(s3_client):
    """The CRT S3 client and request serializer for this boto3 client, None when not to use one.

    Built once per boto3 client (the serializer's own botocore client takes ~70 ms to create).
    In `auto` mode a CRT that cannot be set up leaves everything to the classic manager.
    """
    if transfer_mode() == "classic":
        return None
    if s3_client not in _CRT_PARTS:
        try:
            _CRT_PARTS[s3_client] = _new_crt_parts(s3_client)
        except Exception:
            if _requested_mode() == "crt":
                raise
            _CRT_PARTS[s3_client] = None
    return _CRT_PARTS[s3_client]


def _new_crt_parts(s3_client):
    from urllib.parse import urlsplit

    import botocore.session
    from s3transfer.crt import (
        BotocoreCRTCredentialsWrapper,
        BotocoreCRTRequestSerializer,
        create_s3_crt_client,
    )

    credentials = s3_client._get_credentials()
    endpoint = _custom_endpoint(s3_client)
    url = urlsplit(endpoint or s3_client.meta.endpoint_url)
    if credentials is None or _uses_proxy(s3_client, url.scheme, url.hostname or ""):
        return None  # unsigned requests and proxies: the classic manager knows how
    region = s3_client.meta.region_name
    use_ssl = url.scheme != "http"
    crt_client = create_s3_crt_client(
        region,
        BotocoreCRTCredentialsWrapper(credentials).to_crt_credentials_provider(),
        part_size=MULTIPART_CHUNKSIZE,
        use_ssl=use_ssl,
        verify=_verify(s3_client) if use_ssl else None,
    )
    client_kwargs = {
        "region_name": region,
        "endpoint_url": endpoint,
        "config": s3_client.meta.config,
    }
    serializer = BotocoreCRTRequestSerializer(botocore.session.Session(), client_kwargs)
    return crt_client, serializer


def _crt_manager(parts):
    from boto3.s3.transfer import TransferConfig
    from s3transfer.crt import CRTTransferManager

    config = TransferConfig(
        multipart_threshold=MULTIPART_THRESHOLD, multipart_chunksize=MULTIPART_CHUNKSIZE
    )
    crt_client, serializer = parts
    return CRTTransferManager(crt_client, serializer, config=config)


def _custom_endpoint(s3_client) -> Optional[str]:
    """The endpoint the client was given (argument, AWS_ENDPOINT_URL_S3, config); None for AWS.

    Passing AWS's own resolved endpoint on would turn off the client's endpoint rules (virtual
    hosts, FIPS, dual-stack), so only a custom one is handed to the serializer.
    """
    builtins = getattr(getattr(s3_client, "_ruleset_resolver", None), "_builtins", None)
    if builtins is None:
        return s3_client.meta.endpoint_url
    return builtins.get("SDK::Endpoint")


def _uses_proxy(s3_client, scheme: str, host: str) -> bool:
    import urllib.request

    if s3_client.meta.config.proxies:
        return True
    proxies = urllib.request.getproxies_environment()
    return scheme in proxies and not urllib.request.proxy_bypass_environment(host, proxies)


def _verify(s3_client):
    """The client's certificate check for the CRT: None (default trust), False or a CA bundle."""
    session = getattr(getattr(s3_client, "_endpoint", None), "http_session", None)
    verify = getattr(session, "_verify", True)
    return None if verify is True else verify


def _bucket_in_client_region(s3_client, bucket: str) -> bool:
    """Whether requests signed for the client's region reach `bucket`: the CRT follows no redirect.

    Any error sends the bucket's items to the classic manager, which reports it as usual.
    """
    try:
        response = s3_client.head_bucket(Bucket=bucket)
    except Exception:  # noqa: BLE001 - the classic manager then reports whatever is wrong
        return False
    region = response["ResponseMetadata"]["HTTPHeaders"].get("x-amz-bucket-region")
    return region is None or region == s3_client.meta.region_name


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
    """Download one object (to dest/<basename>) or every object below a prefix (keeping paths)."""
    location = parse(uri)
    return download_listing(s3_client, location.bucket, listing(s3_client, uri), dest)


def download_listing(s3_client, bucket: str, items: List[Listed], dest: Path | str) -> List[Path]:
    """Download (key, relative path, size) items of `bucket` below `dest`; their paths.

    Each file is written under a temporary name and renamed when complete (s3transfer does this
    for filename targets), so a failure never leaves a half-written file under its real name.
    Objects above the multipart threshold go through the classic manager: on loopback the CRT
    fetched a 256 MiB object in 0.7-1.1 s against 0.4-0.5 s (benchmarks/staging.py).
    """
    dest = Path(dest)
    targets = [dest.joinpath(*rel.split("/")) for _, rel, _ in items]
    for target in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
    fetches = [(bucket, key, str(target), size) for (key, _, size), target in zip(items, targets)]
    routes = _routes(s3_client, fetches, lambda item: item[0], _crt_should_fetch)
    _transfer(s3_client, routes, lambda manager, item: manager.download(*item[:3]))
    return targets


def _crt_should_fetch(item: Tuple[str, str, str, int]) -> bool:
    return item[3] <= MULTIPART_THRESHOLD


def listing(s3_client, uri: str) -> List[Listed]:
    """(key, relative path, size) of everything `uri` names: one object (its basename) or every
    object below a prefix; FileNotFoundError when that is nothing."""
    location = parse(uri)
    key = location.key
    if key and not key.endswith("/"):
        size = _object_size(s3_client, location.bucket, key)
        if size is not None:
            return [(key, _safe_relpath(posixpath.basename(key), uri), size)]
    prefix = location.as_prefix().key
    try:
        keys = list_keys(s3_client, location.bucket, prefix)
    except Exception as exc:
        if aws_error_code(exc) == "NoSuchBucket":
            raise FileNotFoundError(f"no such bucket: {uri}") from exc
        raise
    found = [(k, _safe_relpath(k[len(prefix) :], uri), size) for k, size in sorted(keys.items())]
    found = [(k, rel, size) for k, rel, size in found if rel is not None]
    if not found:
        raise FileNotFoundError(f"no objects at {uri}")
    return found


def _safe_relpath(rel: str, uri: str) -> Optional[str]:
    """The relative path of a key, None for folder markers; refuses keys that would be written
    outside the download folder here or on Windows: `.`/`..` components, a leading `/`, `\\`."""
    if not rel or rel.endswith("/"):
        return None
    parts = [p for p in rel.split("/") if p]
    if rel.startswith("/") or "\\" in rel or any(p in (".", "..") for p in parts):
        raise UnsafeKeyError(
            f"refusing to download a key with '.', '..', '\\' or absolute components "
            f"under {uri}: {rel}"
        )
    return "/".join(parts)


class UnsafeKeyError(Error):
    """An object key that would be written outside the download folder."""


def _object_size(s3_client, bucket: str, key: str) -> Optional[int]:
    """The object's size, None when there is no such object."""
    try:
        response = s3_client.head_object(Bucket=bucket, Key=key)
    except Exception as exc:
        if is_not_found(exc):
            return None
        raise
    return int(response["ContentLength"])
