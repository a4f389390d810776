"""S3 requests as plain data, and their answers: what `staging` asks of either sender
(`crt.CrtS3`, or `boto3ops.BotoS3` where the CRT cannot go)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple, Union
from urllib.parse import quote

from ..errors import Error
from .walk import LocalFile

CHECKSUM_HEADER = "x-amz-checksum-crc64nvme"
_XML_FIELD = re.compile(r"<(Code|Message|ChecksumCRC64NVME)>([^<]*)</")

Body = Union[LocalFile, bytes]


class S3RequestError(Error):
    """An S3 request failed after its retries; `code` is S3's error code (e.g. BadDigest)."""

    def __init__(self, message: str, code: str = "", status: Optional[int] = None, op=None):
        super().__init__(message)
        self.code = code
        self.status = status
        self.op = op


@dataclass
class Op:
    """One request and, once it has ended, its answer."""

    method: str
    bucket: str
    key: str
    body: Optional[Body] = None
    headers: List[Tuple[str, str]] = field(default_factory=list)
    operation: str = ""
    recv_path: Optional[str] = None
    missing_ok: bool = False  # a 404 is an answer (HEAD/GET of what may not be there)
    checksum_trailer: bool = False  # let the CRT compute a CRC64NVME while it sends
    status: Optional[int] = None
    response_headers: Dict[str, str] = field(default_factory=dict)
    response_body: bytes = b""
    error: Optional[S3RequestError] = None
    cancelled: bool = False

    @property
    def missing(self) -> bool:
        return self.status == 404

    def field(self, name: str) -> str:
        """A field of the XML answer (CopyObjectResult, Error)."""
        for tag, value in _XML_FIELD.findall(self.response_body.decode("utf-8", "replace")):
            if tag == name:
                return value
        return ""


def put_op(body: Body, bucket: str, key: str, crc64: Optional[str] = None) -> Op:
    """PutObject (multipart above PART_SIZE). With `crc64`, S3 refuses bytes whose CRC64NVME
    differs (BadDigest): a file changed since it was hashed never lands under its key."""
    size = body.size if isinstance(body, LocalFile) else len(body)
    headers = [("Content-Length", str(size)), ("Content-Type", "application/octet-stream")]
    if crc64:
        headers.append((CHECKSUM_HEADER, crc64))
    op = Op("PUT", bucket, key, body, headers, "PutObject")
    op.checksum_trailer = not crc64
    return op


def copy_op(source_bucket: str, source_key: str, bucket: str, key: str) -> Op:
    source = f"/{source_bucket}/{quote(source_key, safe='/~')}"
    headers = [("Content-Length", "0"), ("x-amz-copy-source", source)]
    return Op("PUT", bucket, key, None, headers, "CopyObject")


def head_op(bucket: str, key: str) -> Op:
    headers = [("x-amz-checksum-mode", "ENABLED")]
    return Op("HEAD", bucket, key, None, headers, "HeadObject", missing_ok=True)


def get_op(bucket: str, key: str, recv_path: Optional[str] = None) -> Op:
    headers = [("x-amz-checksum-mode", "ENABLED")]
    return Op("GET", bucket, key, None, headers, "GetObject", recv_path, missing_ok=True)


OWNER_HEADER = "x-amz-expected-bucket-owner"
SOURCE_OWNER_HEADER = "x-amz-source-expected-bucket-owner"


def expect_owner(op: Op, owners: Dict[str, str], source_bucket: str = "") -> Op:
    """Add ExpectedBucketOwner for a bucket whose owner we know (the default bucket: someone else
    may have created a bucket of that name), so that S3 refuses a bucket of another account."""
    if op.bucket in owners:
        op.headers.append((OWNER_HEADER, owners[op.bucket]))
    if source_bucket in owners:
        op.headers.append((SOURCE_OWNER_HEADER, owners[source_bucket]))
    return op
