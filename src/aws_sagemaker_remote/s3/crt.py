"""Many S3 requests at once through awscrt's own S3 client, which signs, splits, retries and
parallelises in C: no Python per request beyond building it and reading its answer.

`crt_for(s3_client)` builds one from a boto3 client (its credentials, region, endpoint and TLS
settings), or returns None where only boto3 knows how: a proxy or unsigned requests. `run`
keeps a bounded number of requests in flight, starts no more at the first failure or at Ctrl-C,
and always waits until every request it started has ended before the caller goes on.

What it cancels then is reads and multipart uploads: cancelling an upload makes the CRT abort it
(AbortMultipartUpload), after which no object can appear. A write of one request (a PutObject
below the part size, a CopyObject) is left to finish:
once its bytes are on the wire, closing the connection does not stop the server from storing
them, which it may do after the caller has gone on and judged the bucket (an object appearing
after the run failed). Waiting for its answer instead makes what the caller sees final.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import io
import threading
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple
from urllib.parse import quote, urlsplit

from .ops import Op, S3RequestError
from .walk import LocalFile

PART_SIZE = 16 * 1024 * 1024  # 16 MiB parts measured a little better than 8 on loopback
# Requests in flight: 128 left the CPUs less idle than 256 or 1,024 (20,000 small uploads to
# SeaweedFS on two cores: benchmarks/staging.py), and keeps ~4,000 PUTs a second going at 30 ms
# a request, above the 3,500 PUTs a second S3 sustains per partitioned prefix (AWS, "Best
# practices design patterns: optimizing Amazon S3 performance").
IN_FLIGHT = 128
# The window is refilled once this many requests have ended, not after each: one wake-up of the
# caller's thread per REFILL answers instead of one per answer, which the CRT's threads would
# otherwise wait on for the GIL (20,000 small uploads: measured in benchmarks/staging.py).
REFILL = 16
# Retries: each request up to 10 more times with exponential backoff (capped at 20 s), and a token
# bucket large enough that a burst of throttling (503 SlowDown) on thousands of small files does
# not exhaust it: with the CRT's default (500 tokens, 5 retries) 30 % faults on 2,000 requests fail.
MAX_RETRIES = 10
RETRY_TOKENS = 100_000
CANCELED = "AWS_ERROR_S3_CANCELED"


class CrtS3:
    def __init__(self, client: Any, region: str, endpoint: Optional[str]):
        self.client = client
        self.region = region
        self.endpoint = urlsplit(endpoint) if endpoint else None

    # ------------------------------------------------------------------ running

    def run(self, ops: Iterable[Op], progress: Any = None, on_done=None) -> None:
        """ops.Sender.run: a bounded window of requests in flight, taken from `ops` as room
        frees up; the first failure (or Ctrl-C) starts no more and ends those in flight."""
        with _COLLECTOR.eased():
            _Batch(self, progress, on_done).run(ops)

    def start(self, op: Op, on_done: Callable[[Op], None], progress) -> Any:
        HttpHeaders, HttpRequest, S3RequestType, checksums = _awscrt()  # noqa: N806

        host, path = self._address(op.bucket, op.key)
        headers = HttpHeaders([("Host", host), *op.headers])
        body = op.body
        stream = io.BytesIO(body) if isinstance(body, (bytes, bytearray)) else None
        send_path = body.path if isinstance(body, LocalFile) else None
        kind = S3RequestType.DEFAULT
        if op.operation == "PutObject":
            kind = S3RequestType.PUT_OBJECT
        elif op.operation == "GetObject" and op.recv_path:
            kind = S3RequestType.GET_OBJECT
        chunks: List[bytes] = []
        answer: Dict[str, str] = {}

        def on_headers(status_code: int, headers, **_kw) -> None:
            op.status = status_code
            answer.update((k.lower(), v) for k, v in headers)

        def on_body(chunk: bytes, **_kw) -> None:
            chunks.append(bytes(chunk))

        def done(error=None, status_code=None, error_body=None, error_headers=None, **_kw):
            if status_code is not None:
                op.status = status_code
            if error_headers:
                answer.update((k.lower(), v) for k, v in error_headers)
            op.answered(answer, b"".join(chunks) or (error_body or b""))
            _settle(op, error)
            on_done(op)

        return self.client.make_request(
            type=kind,
            operation_name=None if kind != S3RequestType.DEFAULT else op.operation,
            request=HttpRequest(op.method, path, headers, body_stream=stream),
            send_filepath=send_path,
            recv_filepath=op.recv_path,
            on_headers=on_headers,
            on_body=None if op.recv_path else on_body,
            on_done=done,
            on_progress=progress,
            checksum_config=_checksum_config(op, checksums),
        )

    def _address(self, bucket: str, key: str) -> Tuple[str, str]:
        """Host header and path. The CRT connects to the Host it is given: path style for a
        custom endpoint (and for bucket names with dots under TLS), virtual host on AWS."""
        quoted = quote(key, safe="/~")
        if self.endpoint is not None:
            prefix = self.endpoint.path.rstrip("/")
            return self.endpoint.netloc, f"{prefix}/{bucket}/{quoted}"
        from ..aws.partition import dns_suffix

        host = f"s3.{self.region}.{dns_suffix(self.region)}"
        if "." in bucket:
            return host, f"/{bucket}/{quoted}"
        return f"{bucket}.{host}", f"/{quoted}"


@functools.lru_cache(maxsize=1)
def _awscrt() -> tuple:
    """awscrt's request types and the two checksum settings, imported once (on the first
    request: importing this module must not import awscrt) instead of on every request."""
    from awscrt.http import HttpHeaders, HttpRequest
    from awscrt.s3 import S3ChecksumAlgorithm, S3ChecksumConfig, S3ChecksumLocation, S3RequestType

    validate = S3ChecksumConfig(validate_response=True)
    trailer = S3ChecksumConfig(
        algorithm=S3ChecksumAlgorithm.CRC64NVME, location=S3ChecksumLocation.TRAILER
    )
    return HttpHeaders, HttpRequest, S3RequestType, (validate, trailer)


def _checksum_config(op: Op, checksums: tuple):
    """A download is checked against the object's checksum when S3 has one; an upload without
    a known CRC64NVME gets one computed while it is sent, which S3 checks."""
    validate, trailer = checksums
    if op.operation == "GetObject" and op.recv_path:
        return validate
    if op.checksum_trailer:
        return trailer
    return None


class _Collector:
    """Python's cyclic garbage collector runs rarely, and over new objects only, while requests
    are in flight. A collection holds the GIL, and every answer the CRT's threads bring waits
    for it meanwhile: a full one over a submit's heap (boto3's models, 20,000 digests) took
    60-80 ms, each stalling every connection. Requests make no reference cycles (after 20,000
    uploads `gc.collect()` finds none: tests/integration/test_transfer.py), so no memory
    waits for a collection. The thresholds are restored, and the heap unfrozen, when the last
    batch running (in any thread) ends."""

    THRESHOLD = 50_000  # allocations between the youngest generation's collections (700)

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.batches = 0
        self.saved: Tuple[int, ...] = ()

    @contextlib.contextmanager
    def eased(self) -> Iterator[None]:
        with self.lock:
            self.batches += 1
            if self.batches == 1:
                self.saved = gc.get_threshold()
                gc.freeze()
                if self.saved[0]:  # 0: automatic collection is off, and stays off
                    gc.set_threshold(max(self.THRESHOLD, self.saved[0]), *self.saved[1:])
        try:
            yield
        finally:
            with self.lock:
                self.batches -= 1
                if self.batches == 0:
                    gc.set_threshold(*self.saved)
                    gc.unfreeze()


_COLLECTOR = _Collector()


def _settle(op: Op, error: Any) -> None:
    if error is None:
        return
    if getattr(error, "name", "") == CANCELED:
        op.cancelled = True
        return
    if op.missing_ok and op.status == 404:
        return
    code = op.field("Code")
    message = op.field("Message") or str(getattr(error, "message", "") or error)
    where = f"s3://{op.bucket}/{op.key}"
    status = f" ({op.status} {code})" if op.status else f" ({getattr(error, 'name', '')})"
    op.error = S3RequestError(f"{op.operation} {where}{status}: {message}", code, op.status, op)


class _Batch:
    """A bounded window of requests in flight; the first failure (or Ctrl-C) starts no more.
    Only the requests in flight are held: a batch of 100,000 costs as little as one of 256."""

    def __init__(self, s3: CrtS3, progress, on_done):
        self.s3 = s3
        self.progress = progress
        self.on_done = on_done
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.live: Dict[int, Tuple[Op, Any]] = {}
        self.failed: Optional[Op] = None
        self.callback_error: Optional[BaseException] = None

    def run(self, ops: Iterable[Op]) -> None:
        try:
            for index, op in enumerate(ops):
                with self.changed:
                    if len(self.live) >= IN_FLIGHT:
                        while len(self.live) > IN_FLIGHT - REFILL and self.failed is None:
                            self.changed.wait(0.1)
                    if self.failed is not None:
                        break
                    self.live[index] = (op, None)
                progress = None if op.quiet or _one_put(op) else self._progress()
                request = self.s3.start(op, lambda op, i=index: self._done(i, op), progress)
                with self.lock:
                    if index in self.live:
                        self.live[index] = (op, request)
                        if self.failed is not None:
                            _cancel(op, request)
            self._wait_all()
        except BaseException:
            with self.lock:
                self._cancel_locked()
                for index in [i for i, (_, request) in self.live.items() if request is None]:
                    del self.live[index]  # interrupted before it was started
            self._wait_all()
            raise
        if self.callback_error is not None:
            raise self.callback_error
        if self.failed is not None:
            raise self.failed.error

    def _progress(self):
        if self.progress is None:
            return None
        return lambda amount: self.progress.bytes_sent(int(amount))

    def _done(self, index: int, op: Op) -> None:
        if op.error is None and not op.cancelled:
            try:
                if self.progress is not None and not op.quiet:
                    if _one_put(op):
                        self.progress.bytes_sent(op.size)
                    self.progress.op_done(op)
                if self.on_done is not None:
                    self.on_done(op)
            except BaseException as exc:  # noqa: BLE001 - raised in the caller's thread
                self.callback_error = self.callback_error or exc
                op.error = S3RequestError(str(exc), op=op)
        with self.changed:
            self.live.pop(index, None)
            if op.error is not None and self.failed is None:
                self.failed = op
                self._cancel_locked()
            if len(self.live) in (IN_FLIGHT - REFILL, 0) or self.failed is not None:
                self.changed.notify_all()

    def _wait_all(self) -> None:
        with self.changed:
            while self.live:
                self.changed.wait(0.1)

    def _cancel_locked(self) -> None:
        for op, request in self.live.values():
            _cancel(op, request)


def _cancel(op: Op, request: Any) -> None:
    """Cancel a request unless it is a write of one request, left to end with its answer
    (module docstring)."""
    if request is not None and not (op.operation == "CopyObject" or _one_put(op)):
        request.cancel()


def _one_put(op: Op) -> bool:
    """A PutObject of one request (below the part size). Its bytes are counted when it ends,
    not through a progress callback: one call into Python fewer per small file."""
    return op.operation == "PutObject" and op.size <= PART_SIZE


# ---------------------------------------------------------------------- building one


def crt_for(s3_client: Any) -> Optional[CrtS3]:
    """A CrtS3 with the boto3 client's credentials, region, endpoint and TLS settings, or None
    where only boto3 knows how (a proxy, no credentials)."""
    from .clientsettings import custom_endpoint, uses_proxy, verify_setting

    credentials = s3_client._get_credentials()
    endpoint = custom_endpoint(s3_client)
    url = urlsplit(endpoint or s3_client.meta.endpoint_url)
    if credentials is None or uses_proxy(s3_client, url.scheme, url.hostname or ""):
        return None
    region = s3_client.meta.region_name or "us-east-1"
    client = _crt_client(credentials, region, url.scheme != "http", verify_setting(s3_client))
    return CrtS3(client, region, endpoint)


def _credentials_provider(credentials: Any) -> Any:
    """Credentials that never change are handed to the CRT once. Only those botocore refreshes
    (an assumed role, SSO, instance metadata) are asked for through botocore at each signing,
    which costs every request a call into Python from the CRT's threads (waiting for the GIL)."""
    from awscrt.auth import AwsCredentialsProvider
    from botocore.credentials import RefreshableCredentials

    if isinstance(credentials, RefreshableCredentials):
        from s3transfer.crt import BotocoreCRTCredentialsWrapper

        return BotocoreCRTCredentialsWrapper(credentials).to_crt_credentials_provider()
    frozen = credentials.get_frozen_credentials()
    return AwsCredentialsProvider.new_static(frozen.access_key, frozen.secret_key, frozen.token)


def _crt_client(credentials: Any, region: str, tls: bool, verify: Any) -> Any:
    from awscrt.auth import AwsSigningAlgorithm, AwsSigningConfig
    from awscrt.io import ClientTlsContext, TlsConnectionOptions, TlsContextOptions
    from awscrt.s3 import S3Client, S3FileIoOptions, S3RequestTlsMode, S3RetryConfig

    signing = AwsSigningConfig(
        algorithm=AwsSigningAlgorithm.V4,
        region=region,
        service="s3",
        credentials_provider=_credentials_provider(credentials),
    )
    tls_options = None
    if tls and verify is not None:
        options = TlsContextOptions()
        if verify is False:
            options.verify_peer = False
        else:
            options.override_default_trust_store_from_path(ca_filepath=str(verify))
        tls_options = TlsConnectionOptions(ClientTlsContext(options))
    return S3Client(
        region=region,
        signing_config=signing,
        tls_mode=S3RequestTlsMode.ENABLED if tls else S3RequestTlsMode.DISABLED,
        tls_connection_options=tls_options,
        part_size=PART_SIZE,
        multipart_upload_threshold=PART_SIZE,
        retry_config=S3RetryConfig(max_retries=MAX_RETRIES, initial_bucket_capacity=RETRY_TOKENS),
        # Parts of a big file are read from disk as they are sent, not buffered first: a 256 MiB
        # upload peaks at ~90 MiB instead of ~310 MiB, as fast (benchmarks/staging.py). A file
        # that changes meanwhile still fails its CRC64NVME check.
        fio_options=S3FileIoOptions(should_stream=True),
    )
