"""S3 requests as plain data, and their parsed answers: what `staging` and `prune` ask of a sender
(`senders.sender_for`: awscrt's S3 client, or boto3 where the CRT cannot go).

Whichever sender ran it, an ended `Op` says the same things the same way: `status`, `missing`
(a 404 on a request that allowed one), `checksum` (the CRC64NVME S3 reports for the object: the
response header of PutObject/HeadObject/GetObject, or CopyObjectResult's), `last_modified` and
`server_time` (S3's own clock: the `Date` of the answer), `error` when it failed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Callable, Dict, Iterable, List, Optional, Protocol, Tuple, Union
from urllib.parse import quote

from ..errors import Error
from .walk import LocalFile

CHECKSUM_HEADER = "x-amz-checksum-crc64nvme"
OWNER_HEADER = "x-amz-expected-bucket-owner"
SOURCE_OWNER_HEADER = "x-amz-source-expected-bucket-owner"
METADATA_DIRECTIVE = "x-amz-metadata-directive"
_XML_FIELD = re.compile(r"<(Code|Message|ChecksumCRC64NVME|LastModified)>([^<]*)</")

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
    """One request and, once it has ended, its parsed answer."""

    method: str
    bucket: str
    key: str
    body: Optional[Body] = None
    headers: List[Tuple[str, str]] = field(default_factory=list)
    operation: str = ""
    recv_path: Optional[str] = None
    missing_ok: bool = False  # a 404 is an answer (HEAD/GET of what may not be there)
    checksum_trailer: bool = False  # let the sender compute a CRC64NVME while it sends
    tag: object = None  # the caller's own reference (what this request is for)
    quiet: bool = False  # not one of the files a progress line counts
    status: Optional[int] = None
    checksum: str = ""
    last_modified: str = ""
    server_time: str = ""
    response_body: bytes = b""
    error: Optional[S3RequestError] = None
    cancelled: bool = False

    @property
    def missing(self) -> bool:
        return self.status == 404

    @property
    def size(self) -> int:
        body = self.body
        if body is None:
            return 0
        return body.size if isinstance(body, LocalFile) else len(body)

    def answered(self, headers: Dict[str, str], body: bytes = b"") -> None:
        """Parse an answer (lower-case header names, the XML body of a CopyObject or error)."""
        self.response_body = body
        self.server_time = headers.get("date", self.server_time)
        self.last_modified = headers.get("last-modified", self.last_modified)
        self.checksum = headers.get(CHECKSUM_HEADER, self.checksum)
        if body and self.operation == "CopyObject":
            self.checksum = self.checksum or self.field("ChecksumCRC64NVME")
            self.last_modified = self.field("LastModified") or self.last_modified

    def field(self, name: str) -> str:
        """A field of the XML answer (CopyObjectResult, Error)."""
        for tag, value in _XML_FIELD.findall(self.response_body.decode("utf-8", "replace")):
            if tag == name:
                return value
        return ""


def s3_time(text: str) -> Optional[datetime]:
    """A `Date`/`Last-Modified` header (RFC 1123) or an XML timestamp (ISO 8601), aware UTC."""
    if not text:
        return None
    try:
        if "," in text:
            return parsedate_to_datetime(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return None


class Sender(Protocol):
    """Runs many requests at once; chosen once per client (senders.sender_for)."""

    def run(
        self,
        ops: Iterable[Op],
        progress: object = None,
        on_done: Optional[Callable[[Op], None]] = None,
    ) -> None:
        """Run every op (taken from `ops` as room frees up: nothing is kept once it has
        ended), call `on_done(op)` for each that ended well (a 404 included where allowed);
        raise the first failure once every started request has ended."""


def put_op(body: Body, bucket: str, key: str, crc64: Optional[str] = None) -> Op:
    """PutObject (multipart above the sender's part size). With `crc64`, S3 refuses bytes whose
    CRC64NVME differs (BadDigest): a file changed since it was hashed never lands under its key."""
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


def renew_op(bucket: str, key: str) -> Op:
    """CopyObject onto itself (REPLACE: S3 refuses a self-copy that changes nothing): a new
    creation time for a lifecycle rule to count from, no byte sent."""
    op = copy_op(bucket, key, bucket, key)
    op.headers.append((METADATA_DIRECTIVE, "REPLACE"))
    return op


def head_op(bucket: str, key: str) -> Op:
    headers = [("x-amz-checksum-mode", "ENABLED")]
    return Op("HEAD", bucket, key, None, headers, "HeadObject", missing_ok=True)


def get_op(bucket: str, key: str, recv_path: Optional[str] = None) -> Op:
    headers = [("x-amz-checksum-mode", "ENABLED")]
    return Op("GET", bucket, key, None, headers, "GetObject", recv_path, missing_ok=True)


def expect_owner(op: Op, owners: Dict[str, str], source_bucket: str = "") -> Op:
    """Add ExpectedBucketOwner for a bucket whose owner we know (the default bucket: someone else
    may have created a bucket of that name), so that S3 refuses a bucket of another account."""
    if op.bucket in owners:
        op.headers.append((OWNER_HEADER, owners[op.bucket]))
    if source_bucket in owners:
        op.headers.append((SOURCE_OWNER_HEADER, owners[source_bucket]))
    return op
