"""The same S3 requests as `crt.CrtS3` (`ops.Op`), sent through boto3 from a thread pool: for
what the CRT cannot do (a proxy, unsigned requests, another region's bucket), or when
`AWS_SAGEMAKER_REMOTE_TRANSFER=classic` asks for it. Answers are parsed into the same fields
(`ops.Op.answered`), from boto3's parsed responses.

Every upload carries its CRC64NVME and is compared with what S3 stored, at every size: up to
PutObject's 5 GiB limit in the request itself (S3 refuses other bytes with BadDigest); above it
through s3transfer's multipart upload with the full-object checksum (`ChecksumCRC64NVME` in
ExtraArgs: s3transfer sends it with ChecksumType FULL_OBJECT to CompleteMultipartUpload, which
S3 refuses when the parts do not add up to it), then HeadObject reads back what S3 stored.
"""

from __future__ import annotations

from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from itertools import islice
from typing import Any, Callable, Iterable, Optional

from ..aws.errors import aws_error_code, aws_error_message
from .clients import MAX_CONCURRENCY
from .ops import (
    CHECKSUM_HEADER,
    METADATA_DIRECTIVE,
    OWNER_HEADER,
    SOURCE_OWNER_HEADER,
    Op,
    S3RequestError,
)
from .uri import shown

SINGLE_PUT_LIMIT = 5 * 1024**3  # PutObject's maximum; bigger files go multipart through s3transfer
MULTIPART_CHUNK = 64 * 1024**2
WINDOW = 4 * MAX_CONCURRENCY  # requests taken from the caller's iterable at a time


class BotoS3:
    def __init__(self, s3_client: Any):
        self.s3 = s3_client

    def run(
        self, ops: Iterable[Op], progress: Any = None, on_done: Optional[Callable] = None
    ) -> None:
        """ops.Sender.run, a window at a time."""
        found = iter(ops)
        with ThreadPoolExecutor(MAX_CONCURRENCY) as pool:
            while True:
                window = list(islice(found, WINDOW))
                if not window:
                    return
                futures = [pool.submit(self._one, op, progress) for op in window]
                _, pending = wait(futures, return_when=FIRST_EXCEPTION)
                for future in pending:
                    future.cancel()
                for future, op in zip(futures, window):
                    if future.cancelled():
                        continue
                    future.result()
                    if on_done is not None:
                        on_done(op)

    def _one(self, op: Op, progress) -> None:
        from botocore.exceptions import ClientError

        try:
            response = self._send(op)
        except ClientError as exc:
            metadata = exc.response.get("ResponseMetadata", {})
            op.status = metadata.get("HTTPStatusCode")
            op.answered({k.lower(): v for k, v in metadata.get("HTTPHeaders", {}).items()})
            if op.missing_ok and op.status == 404:
                return
            code = aws_error_code(exc)
            where = shown(f"s3://{op.bucket}/{op.key}")
            message = f"{op.operation} {where} ({op.status} {code}): {aws_error_message(exc)}"
            op.error = S3RequestError(message, code, op.status, op)
            raise op.error from None
        metadata = response.get("ResponseMetadata", {})
        op.status = metadata.get("HTTPStatusCode", 200)
        body = _body(response, op.recv_path)
        op.answered({k.lower(): v for k, v in metadata.get("HTTPHeaders", {}).items()}, body)
        copied = response.get("CopyObjectResult")
        if copied:
            op.checksum = copied.get("ChecksumCRC64NVME", "") or op.checksum
            modified = copied.get("LastModified")
            op.last_modified = modified.isoformat() if modified else op.last_modified
        if progress is not None and not op.quiet:
            if op.operation == "PutObject":
                progress.bytes_sent(op.size)
            progress.op_done(op)

    def _send(self, op: Op) -> dict:
        kwargs = {"Bucket": op.bucket, "Key": op.key}
        headers = dict(op.headers)
        if OWNER_HEADER in headers:
            kwargs["ExpectedBucketOwner"] = headers[OWNER_HEADER]
        if op.operation == "HeadObject":
            return self.s3.head_object(ChecksumMode="ENABLED", **kwargs)
        if op.operation == "GetObject":
            return self.s3.get_object(ChecksumMode="ENABLED", **kwargs)
        if op.operation == "CopyObject":
            from urllib.parse import unquote

            bucket, _, key = headers["x-amz-copy-source"].lstrip("/").partition("/")
            extra = {}
            if SOURCE_OWNER_HEADER in headers:
                extra["ExpectedSourceBucketOwner"] = headers[SOURCE_OWNER_HEADER]
            if METADATA_DIRECTIVE in headers:
                extra["MetadataDirective"] = headers[METADATA_DIRECTIVE]
            source = {"Bucket": bucket, "Key": unquote(key)}
            return self.s3.copy_object(CopySource=source, **extra, **kwargs)
        return self._put(op, kwargs, headers.get(CHECKSUM_HEADER))

    def _put(self, op: Op, kwargs: dict, crc64: Optional[str]) -> dict:
        body = op.body
        if isinstance(body, (bytes, bytearray)):
            return self.s3.put_object(Body=bytes(body), **_checksum(crc64), **kwargs)
        if body.size <= SINGLE_PUT_LIMIT:
            with open(body.path, "rb") as stream:
                return self.s3.put_object(Body=stream, **_checksum(crc64), **kwargs)
        return self._multipart(body.path, kwargs, crc64)

    def _multipart(self, path: str, kwargs: dict, crc64: Optional[str]) -> dict:
        from boto3.exceptions import S3UploadFailedError
        from boto3.s3.transfer import TransferConfig
        from botocore.exceptions import ClientError

        config = TransferConfig(
            multipart_threshold=SINGLE_PUT_LIMIT,
            multipart_chunksize=MULTIPART_CHUNK,  # s3transfer raises it to stay in 10,000 parts
            max_concurrency=MAX_CONCURRENCY // 4,
        )
        extra = {k: v for k, v in kwargs.items() if k == "ExpectedBucketOwner"}
        extra.update({"ChecksumCRC64NVME": crc64} if crc64 else {"ChecksumAlgorithm": "CRC64NVME"})
        try:
            self.s3.upload_file(
                path, kwargs["Bucket"], kwargs["Key"], ExtraArgs=extra, Config=config
            )
        except S3UploadFailedError as exc:
            cause = exc.__cause__ or exc.__context__
            if isinstance(cause, ClientError):
                raise cause from None  # e.g. BadDigest from CompleteMultipartUpload
            raise
        return self.s3.head_object(ChecksumMode="ENABLED", **kwargs)


def _body(response: dict, recv_path: Optional[str]) -> bytes:
    """The answer's body, or b"" once written to `recv_path`."""
    if "Body" not in response:
        return b""
    if recv_path is None:
        return response["Body"].read()
    import shutil

    with open(recv_path, "wb") as handle:
        shutil.copyfileobj(response["Body"], handle, 1024 * 1024)
    return b""


def _checksum(crc64: Optional[str]) -> dict:
    return {"ChecksumCRC64NVME": crc64} if crc64 else {"ChecksumAlgorithm": "CRC64NVME"}
