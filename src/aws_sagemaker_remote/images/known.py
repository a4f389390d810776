"""Which image of the table an image URI names, if any: the reverse of ``resolve``.

A URI names a table image when its registry is the account the table gives for that repository
in that region, and its tag starts with one of the version's tag forms (the full version, an
alias, the tag prefix; huggingface: ``<base>-transformers<version>``), as the tags ``resolve``
builds do and as the longer tags AWS also publishes (``2.5.1-gpu-py311-cu124-ubuntu22.04-
sagemaker``). Anything else, a user's own image included, is not a table image.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, Optional, Tuple

from .table import Framework, Variant, table

_URI_RE = re.compile(
    r"(?P<account>\d{12})\.dkr\.(?P<host>[^/]+)/(?P<repository>[^:@]+):(?P<tag>[^@]+)"
)
_TRANSFORMERS_RE = re.compile(r"-transformers(?P<version>[0-9][0-9A-Za-z.]*)-")


@dataclass(frozen=True)
class KnownImage:
    framework: str
    version: str  # the full version
    processor: Optional[str]  # from the tag: "cpu", "gpu" or None (no processor in the tag)
    base: Optional[str]  # huggingface: the base framework entry (e.g. "pytorch2.5.1")


def known_image(uri: str) -> Optional[KnownImage]:
    match = _URI_RE.fullmatch(uri.strip())
    if not match:
        return None
    region = _region(match.group("host"))
    if region is None:
        return None
    account, repository, tag = match.group("account", "repository", "tag")
    found = [
        (length, image)
        for length, image, variant in _candidates(repository, tag)
        if variant.registries.get(region) == account
    ]
    return max(found, key=lambda item: item[0])[1] if found else None


def _region(host: str) -> Optional[str]:
    return next((r for r, h in table().ecr_hosts.items() if h == host), None)


def _candidates(repository: str, tag: str) -> Iterator[Tuple[int, KnownImage, Variant]]:
    """Each table version whose repository and tag forms match, with the length of the
    matched form (the longest is the most specific: 1.4-2-py312 over 1.4-2)."""
    processor = _processor(tag)
    for framework in table().frameworks.values():
        for version, entry in framework.versions.items():
            if entry.variant is not None:
                if entry.variant.repository != repository:
                    continue
                for form in _tag_forms(framework, version, entry.variant):
                    if tag == form or tag.startswith(form + "-"):
                        known = KnownImage(framework.name, version, processor, None)
                        yield len(form), known, entry.variant
                continue
            transformers = _TRANSFORMERS_RE.search(tag)
            if not transformers or transformers.group("version") != version:
                continue
            named = tag[: transformers.start()]
            for base, variant in entry.bases.items():
                forms = [base] + [a for a, full in entry.base_aliases.items() if full == base]
                if variant.repository == repository and named in map(_version_part, forms):
                    known = KnownImage(framework.name, version, processor, base)
                    yield len(version), known, variant


def _tag_forms(framework: Framework, version: str, variant: Variant) -> Iterator[str]:
    if variant.tag_prefix:
        yield variant.tag_prefix
        return
    yield version
    yield from framework.aliases_of(version)


def _version_part(base: str) -> str:
    """``pytorch2.5.1`` -> ``2.5.1``."""
    return re.sub(r"^[a-z]+", "", base)


def _processor(tag: str) -> Optional[str]:
    words = tag.split("-")
    return next((word for word in words if word in ("cpu", "gpu")), None)
