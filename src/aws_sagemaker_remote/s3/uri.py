"""`s3://bucket/key` URIs: parsing with one-line reasons, joining (standard library only)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..contract import MAX_S3_URI, S3_SCHEME

SCHEME = S3_SCHEME

# Current S3 naming rules: 3-63 chars of lowercase letters, digits, dots and hyphens, starting and
# ending with a letter or digit, no "..", not shaped like an IPv4 address.
_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]*[a-z0-9]$")
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
_IPV4_RE = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")


@dataclass(frozen=True)
class S3Uri:
    bucket: str
    key: str = ""

    @classmethod
    def parse(cls, uri: str) -> S3Uri:
        return parse(uri)

    def __str__(self) -> str:
        return f"{SCHEME}{self.bucket}/{self.key}"

    @property
    def basename(self) -> str:
        return self.key.rstrip("/").rsplit("/", 1)[-1]

    def join(self, *parts: str) -> S3Uri:
        """Append path parts with single slashes; a trailing "/" on the last part is kept."""
        pieces = [self.key.rstrip("/")] if self.key.strip("/") else []
        pieces += [p.strip("/") for p in parts if p.strip("/")]
        key = "/".join(pieces)
        last = parts[-1] if parts else self.key
        if key and last.endswith("/"):
            key += "/"
        return S3Uri(self.bucket, key)

    def as_prefix(self) -> S3Uri:
        """The same location with a trailing slash (the whole bucket stays as is)."""
        if not self.key or self.key.endswith("/"):
            return self
        return S3Uri(self.bucket, self.key + "/")


def bucket_rule_broken(name: str) -> str:
    """Which of S3's bucket-naming rules `name` breaks (a phrase after "it"), or ""."""
    if not 3 <= len(name) <= 63:
        return "must be 3-63 characters long"
    if not _BUCKET_RE.match(name):
        return (
            "may only hold lowercase letters, digits, dots and hyphens, and must begin and "
            "end with a letter or digit"
        )
    if ".." in name or ".-" in name or "-." in name:
        return "may not have a dot next to another dot or a hyphen"
    if _IPV4_RE.match(name):
        return "must be a name, not an IP address"
    if name.startswith(_RESERVED_PREFIXES):
        return "may not start with " + ", ".join(_RESERVED_PREFIXES)
    if name.endswith(_RESERVED_SUFFIXES):
        return "may not end with " + ", ".join(_RESERVED_SUFFIXES)
    return ""


def bucket_name_problem(bucket: str) -> str | None:
    """Why `bucket` is not a valid bucket name, or None when it is."""
    if not bucket:
        return "the bucket name is empty"
    broken = bucket_rule_broken(bucket)
    return f"invalid bucket name {bucket!r}: it {broken}" if broken else None


def parse(uri: str) -> S3Uri:
    """Parse `s3://bucket[/key]`; raise ValueError with a one-line reason when it is not valid."""
    if not isinstance(uri, str) or not uri.startswith(SCHEME):
        raise ValueError(f"not an S3 URI (must start with {SCHEME}): {uri!r}")
    if len(uri) > MAX_S3_URI:
        raise ValueError(f"S3 URI longer than {MAX_S3_URI} characters: {uri[:60]}...")
    bucket, _, key = uri[len(SCHEME) :].partition("/")
    problem = bucket_name_problem(bucket)
    if problem:
        raise ValueError(f"{problem}: {uri!r}")
    return S3Uri(bucket, key)


def shown(text: str) -> str:
    """`text` safe to print on one line: control characters (C0, DEL, C1), backslashes and
    undecodable bytes (lone surrogates of a key that was not UTF-8) as escapes; an S3 key may
    hold any of them, and printed raw they would move the cursor or fake other output."""
    out = []
    for char in text:
        code = ord(char)
        if char == "\\":
            out.append("\\\\")
        elif code < 0x20 or 0x7F <= code < 0xA0:
            out.append(f"\\x{code:02x}")
        elif 0xD800 <= code < 0xE000:
            out.append(f"\\x{code & 0xFF:02x}")
        else:
            out.append(char)
    return "".join(out)
