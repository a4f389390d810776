"""The same S3 requests as `crt.CrtS3` (`ops.Op`), sent through boto3 from a thread pool: for
what the CRT cannot do (a proxy, unsigned requests, another region's bucket), or when
`AWS_SAGEMAKER_REMOTE_TRANSFER=classic` asks for it.
"""

from __future__ import annotations

from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from typing import Any, List, Optional, Sequence

from ..errors import aws_error_code, aws_error_message
from .clients import MAX_CONCURRENCY
from .ops import CHECKSUM_HEADER, OWNER_HEADER, SOURCE_OWNER_HEADER, Op, S3RequestError
from .walk import LocalFile

SINGLE_PUT_LIMIT = 5 * 1024**3  # PutObject's maximum; bigger files go multipart through s3transfer


class BotoS3:
    def __init__(self, s3_client: Any):
        self.s3 = s3_client

    def run_all(self, ops: Sequence[Op], progress: Any = None) -> List[Op]:
        ops = list(ops)
        with ThreadPoolExecutor(MAX_CONCURRENCY) as pool:
            futures = [pool.submit(self._one, op, progress) for op in ops]
            done, pending = wait(futures, return_when=FIRST_EXCEPTION)
            for future in pending:
                future.cancel()
            for future in futures:
                if not future.cancelled():
                    future.result()
        return ops

    def _one(self, op: Op, progress) -> None:
        from botocore.exceptions import ClientError

        try:
            response = self._send(op)
        except ClientError as exc:
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            op.status = status
            if op.missing_ok and status == 404:
                return
            code = aws_error_code(exc)
            where = f"s3://{op.bucket}/{op.key}"
            message = f"{op.operation} {where} ({status} {code}): {aws_error_message(exc)}"
            op.error = S3RequestError(message, code, status, op)
            raise op.error from None
        metadata = response.get("ResponseMetadata", {})
        op.status = metadata.get("HTTPStatusCode", 200)
        op.response_headers = {k.lower(): v for k, v in metadata.get("HTTPHeaders", {}).items()}
        if "Body" in response:
            op.response_body = response["Body"].read()
        if progress is not None:
            body = op.body
            if op.operation == "PutObject" and body is not None:
                progress.bytes_sent(body.size if isinstance(body, LocalFile) else len(body))
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
            bucket, _, key = headers["x-amz-copy-source"].lstrip("/").partition("/")
            from urllib.parse import unquote

            source = {"Bucket": bucket, "Key": unquote(key)}
            extra = {}
            if SOURCE_OWNER_HEADER in headers:
                extra["ExpectedSourceBucketOwner"] = headers[SOURCE_OWNER_HEADER]
            response = self.s3.copy_object(CopySource=source, **extra, **kwargs)
            result = response.get("CopyObjectResult", {})
            crc = result.get("ChecksumCRC64NVME", "")
            response["Body"] = _Bytes(f"<ChecksumCRC64NVME>{crc}</ChecksumCRC64NVME>".encode())
            return response
        return self._put(op, kwargs, headers.get(CHECKSUM_HEADER))

    def _put(self, op: Op, kwargs: dict, crc64: Optional[str]) -> dict:
        body = op.body
        if isinstance(body, (bytes, bytearray)):
            return self.s3.put_object(Body=bytes(body), **_checksum(crc64), **kwargs)
        if body.size <= SINGLE_PUT_LIMIT:
            with open(body.path, "rb") as stream:
                return self.s3.put_object(Body=stream, **_checksum(crc64), **kwargs)
        self.s3.upload_file(str(body.path), ExtraArgs={"ChecksumAlgorithm": "CRC64NVME"}, **kwargs)
        return self.s3.head_object(ChecksumMode="ENABLED", **kwargs)


def _checksum(crc64: Optional[str]) -> dict:
    return {"ChecksumCRC64NVME": crc64} if crc64 else {"ChecksumAlgorithm": "CRC64NVME"}


class _Bytes:
    def __init__(self, data: bytes):
        self.data = data

    def read(self) -> bytes:
        return self.data
