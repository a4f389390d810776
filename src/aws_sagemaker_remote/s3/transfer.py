"""S3 transfers of files, trees and listings: our CRT client (`crt.py`) wherever it can, boto3's
s3transfer (its classic threaded manager) for the rest.

The CRT does what it does fastest: uploads, and downloads of objects up to the multipart
threshold. The classic manager downloads bigger objects (on loopback it fetched a 256 MiB object
in 0.4-0.5 s against the CRT's 0.7-1.1 s, benchmarks/staging.py) and takes everything the CRT
cannot: a proxy, unsigned requests, a bucket in another region than the client's.
"""

from __future__ import annotations

import io
import os
import posixpath
from pathlib import Path
from typing import Iterable, List, Optional, TextIO, Tuple, Union

from ..aws.errors import aws_error_code, is_not_found
from ..errors import Error
from .clients import MAX_CONCURRENCY, crt_of, crt_reaches
from .ops import expect_owner, get_op, put_op
from .uri import S3Uri, parse
from .walk import LocalFile, walk

MIB = 1024 * 1024
MULTIPART_THRESHOLD = 8 * MIB  # classic manager; boto3's default
MULTIPART_CHUNKSIZE = 8 * MIB
DELETE_BATCH = 1000
Listed = Tuple[str, str, int]  # (S3 key, path relative to the target folder, size)
UploadItem = Tuple[Union[Path, bytes], str, str]
CHECKSUM = {"ChecksumAlgorithm": "CRC64NVME"}  # computed while sending, verified by S3


def transfer_config(max_concurrency: int = MAX_CONCURRENCY):
    """The s3transfer settings of the classic threaded manager."""
    from boto3.s3.transfer import TransferConfig

    return TransferConfig(
        multipart_threshold=MULTIPART_THRESHOLD,
        multipart_chunksize=MULTIPART_CHUNKSIZE,
        max_concurrency=max_concurrency,
        max_io_queue=1000,
        use_threads=True,
        preferred_transfer_client="classic",
    )


def _manager(s3_client, config=None):
    from boto3.s3.transfer import create_transfer_manager

    pool = getattr(s3_client.meta.config, "max_pool_connections", None) or 10
    concurrency = max(1, min(MAX_CONCURRENCY, pool))
    return create_transfer_manager(s3_client, config or transfer_config(concurrency))


def upload_files(s3_client, items: Iterable[UploadItem], progress=None) -> None:
    """Upload every (source, bucket, key); a source is a file path or bytes. The first failure
    cancels the rest and is raised once every transfer has stopped."""
    items = list(items)
    crt = crt_of(s3_client) if items else None
    by_crt = [i for i in items if crt is not None and crt_reaches(s3_client, i[1])]
    rest = [i for i in items if not (crt is not None and crt_reaches(s3_client, i[1]))]
    if by_crt:
        ops = [put_op(_body(source), bucket, key) for source, bucket, key in by_crt]
        crt.run(ops, progress)
    if rest:
        subscribers = [progress] if progress is not None else None
        with _manager(s3_client) as manager:
            futures = [
                manager.upload(
                    _fileobj(source), bucket, key, extra_args=CHECKSUM, subscribers=subscribers
                )
                for source, bucket, key in rest
            ]
            for future in futures:
                future.result()  # raising here makes the manager cancel and join the rest


def _body(source: Union[Path, bytes]):
    if isinstance(source, (bytes, bytearray)):
        return bytes(source)
    path = Path(source)
    return LocalFile.of(path, os.stat(path))


def _fileobj(source: Union[Path, bytes, str]):
    if isinstance(source, (bytes, bytearray)):
        return io.BytesIO(source)
    return str(source)


def upload_tree(s3_client, src: Path | str, uri: str, progress=None) -> List[str]:
    """Upload a file or every file below a directory to the prefix `uri`; returns their URIs."""
    target = parse(uri)
    items = [
        (file.path, target.bucket, target.join(rel).key)
        for rel, file in walk(src, skip_junk=False, strict=False)
    ]
    upload_files(s3_client, items, progress=progress)
    return [str(S3Uri(bucket, key)) for _, bucket, key in items]


def list_keys(
    s3_client, bucket: str, prefix: str = "", owner: Optional[str] = None
) -> dict[str, int]:
    """Every key under `prefix` with its size (all pages)."""
    paginator = s3_client.get_paginator("list_objects_v2")
    keys: dict[str, int] = {}
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix, **_owner(owner)):
        for obj in page.get("Contents", ()):
            keys[obj["Key"]] = obj["Size"]
    return keys


def delete_keys(
    s3_client, bucket: str, keys: List[str], before_each=None, owner: Optional[str] = None
) -> List[str]:
    """Delete in batches of 1000 (DeleteObjects); a key XML 1.0 cannot carry (a control
    character: S3 answers MalformedXML) goes alone, in the URL (DeleteObject). Returns one
    line per key S3 refused (control characters escaped); `before_each()` runs before each
    request (a prune renews its marker there)."""
    from .uri import shown

    problems: List[str] = []
    plain = [k for k in keys if _xml_safe(k)]
    for start in range(0, len(plain), DELETE_BATCH):
        if before_each is not None:
            before_each()
        batch = [{"Key": key} for key in plain[start : start + DELETE_BATCH]]
        response = s3_client.delete_objects(
            Bucket=bucket, Delete={"Objects": batch, "Quiet": True}, **_owner(owner)
        )
        for error in response.get("Errors") or []:
            problems.append(
                f"{shown(error.get('Key', ''))}: {error.get('Code')} {error.get('Message')}"
            )
    for key in (k for k in keys if not _xml_safe(k)):
        if before_each is not None:
            before_each()
        s3_client.delete_object(Bucket=bucket, Key=key, **_owner(owner))
    return problems


def _xml_safe(key: str) -> bool:
    """Whether XML 1.0 carries the key unchanged (no control character but tab and newline; a
    carriage return would be normalised to a newline)."""
    return all(
        ch in "\t\n" or 0x20 <= ord(ch) < 0xD800 or 0xE000 <= ord(ch) < 0xFFFE or ord(ch) > 0xFFFF
        for ch in key
    )


def download_prefix(
    s3_client,
    uri: str,
    dest: Path | str,
    owner: Optional[str] = None,
    *,
    shown: Optional[Tuple[TextIO, str]] = None,
) -> List[Path]:
    """Download one object (to dest/<basename>) or every object below a prefix (keeping
    paths). `shown`: (a terminal, a label) on which the download's progress is drawn as an
    upload's is (files, bytes, rate, time left; nothing when it is not a terminal)."""
    from .progress import TransferProgress

    location = parse(uri)
    found = listing(s3_client, uri, owner)
    if shown is None:
        return download_listing(s3_client, location.bucket, found, dest, owner)
    out, label = shown
    progress = TransferProgress(sum(size for _, _, size in found), len(found), out, label=label)
    try:
        return download_listing(s3_client, location.bucket, found, dest, owner, progress)
    finally:
        progress.finish()


def download_listing(
    s3_client,
    bucket: str,
    items: List[Listed],
    dest: Path | str,
    owner: Optional[str] = None,
    progress=None,
) -> List[Path]:
    """Download (key, relative path, size) items of `bucket` below `dest`; their paths.
    `progress` (or None) counts bytes and files (progress.TransferProgress).

    Each file is written under a temporary name and renamed when complete, so a failure never
    leaves a half-written file under its real name.
    """
    dest = Path(dest)
    targets = [dest.joinpath(*rel.split("/")) for _, rel, _ in items]
    for target in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
    fetches = [(key, target, size) for (key, _, size), target in zip(items, targets)]
    crt = crt_of(s3_client) if fetches else None
    small = crt is not None and crt_reaches(s3_client, bucket)
    by_crt = [f for f in fetches if small and f[2] <= MULTIPART_THRESHOLD]
    rest = [f for f in fetches if not (small and f[2] <= MULTIPART_THRESHOLD)]
    if by_crt:
        _crt_download(crt, bucket, by_crt, owner, progress)
    if rest:
        _classic_download(s3_client, bucket, rest, owner, progress)
    return targets


# Rounds of the classic download: the files whose connection failed are fetched again, after a
# pause. botocore's standard retry mode gives each client a retry quota of 500 tokens and takes
# 14 for each retry of a connection error or a 5xx (5 for throttling), returning them only
# as calls succeed (botocore/retries/standard.py RetryQuotaChecker, quota.py RetryQuota): many
# concurrent transfers on a flaky network run it dry, and from then on a dropped connection
# (ConnectionClosedError) is raised at once, and s3transfer does not retry it either (only
# errors of reading the body, s3transfer/utils.py S3_RETRYABLE_DOWNLOAD_ERRORS). A big
# download must not fail for that while the network still answers.
DOWNLOAD_ROUNDS = 5
ROUND_PAUSE = 1.0  # seconds before the second round; doubled for each next one
_TRANSIENT = frozenset(
    {"RetriesExceededError", "ReadTimeoutError", "ResponseStreamingError", "IncompleteReadError"}
)


def _classic_download(s3_client, bucket: str, fetches, owner: Optional[str], progress) -> None:
    import time

    from ..aws.errors import is_connection_error

    subscribers = [progress] if progress is not None else None
    extra = _owner(owner)
    pending = list(fetches)
    for round_ in range(DOWNLOAD_ROUNDS):
        if round_:
            time.sleep(ROUND_PAUSE * 2 ** (round_ - 1))
        failed = []
        with _manager(s3_client) as manager:
            futures = [
                (fetch, manager.download(bucket, fetch[0], str(fetch[1]), extra, subscribers))
                for fetch in pending
            ]
            for fetch, future in futures:
                try:
                    future.result()
                except Exception as error:
                    transient = is_connection_error(error) or _TRANSIENT & {
                        c.__name__ for c in type(error).__mro__
                    }
                    if not transient or round_ == DOWNLOAD_ROUNDS - 1:
                        raise
                    failed.append(fetch)
        if not failed:
            return
        pending = failed


def _crt_download(crt, bucket: str, fetches, owner: Optional[str], progress=None) -> None:
    partial = [
        target.with_name(f".{target.name}.{os.getpid()}.partial") for _, target, _ in fetches
    ]
    owners = {bucket: owner} if owner else {}
    ops = [
        expect_owner(get_op(bucket, key, str(tmp)), owners)
        for (key, _, _), tmp in zip(fetches, partial)
    ]
    try:
        crt.run(ops, progress)
        for op, tmp, (key, target, _) in zip(ops, partial, fetches):
            if op.missing:
                raise FileNotFoundError(f"s3://{bucket}/{key} is gone")
            os.replace(tmp, target)
    finally:
        for tmp in partial:
            if tmp.exists():
                tmp.unlink()


def listing(s3_client, uri: str, owner: Optional[str] = None) -> List[Listed]:
    """(key, relative path, size) of everything `uri` names: one object (its basename) or every
    object below a prefix; FileNotFoundError when that is nothing."""
    location = parse(uri)
    key = location.key
    if key and not key.endswith("/"):
        size = _object_size(s3_client, location.bucket, key, owner)
        if size is not None:
            return [(key, safe_relpath(posixpath.basename(key), uri), size)]
    prefix = location.as_prefix().key
    try:
        keys = list_keys(s3_client, location.bucket, prefix, owner)
    except Exception as exc:
        if aws_error_code(exc) == "NoSuchBucket":
            raise FileNotFoundError(f"no such bucket: {uri}") from exc
        raise
    found = [(k, safe_relpath(k[len(prefix) :], uri), size) for k, size in sorted(keys.items())]
    found = [(k, rel, size) for k, rel, size in found if rel is not None]
    if not found:
        raise FileNotFoundError(f"no objects at {uri}")
    return found


def safe_relpath(rel: str, uri: str) -> Optional[str]:
    """The relative path of a key, None for folder markers; refuses keys that would be written
    outside the download folder: `.`/`..` components, a leading `/`, and `\\` where it
    separates folders (Windows).

    A backslash is otherwise an ordinary character, as in S3: a key may hold any UTF-8
    character, the backslash being only among those the S3 User Guide says to avoid
    (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html, "Characters to
    avoid"), and a Linux job container, as the emulator's, writes `back\\slash.txt` as one
    file of that name. (SeaweedFS, the tests' S3, stores it as `back/slash.txt`.)"""
    if not rel or rel.endswith("/"):
        return None
    parts = [p for p in rel.split("/") if p]
    separators = "\\" in (os.sep, os.altsep)
    if rel.startswith("/") or (separators and "\\" in rel) or any(p in (".", "..") for p in parts):
        raise UnsafeKeyError(
            f"refusing to download a key with '.', '..', '\\' or absolute components "
            f"under {uri}: {rel}"
        )
    return "/".join(parts)


class UnsafeKeyError(Error):
    """An object key that would be written outside the download folder."""


def _object_size(s3_client, bucket: str, key: str, owner: Optional[str] = None) -> Optional[int]:
    """The object's size, None when there is no such object."""
    try:
        response = s3_client.head_object(Bucket=bucket, Key=key, **_owner(owner))
    except Exception as exc:
        if is_not_found(exc):
            return None
        raise
    return int(response["ContentLength"])


def _owner(owner: Optional[str]) -> dict:
    """ExpectedBucketOwner for a bucket whose owner is known (the default bucket)."""
    return {"ExpectedBucketOwner": owner} if owner else {}
