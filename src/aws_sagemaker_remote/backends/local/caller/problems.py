"""The parts every kind's request checks are made of (caller/<kind>.py `request_problems`)."""

from __future__ import annotations

from typing import Any, Dict, Iterable, List

from ....s3.uri import parse as parse_s3_uri


def entrypoint_problems(field: str, spec: Dict[str, Any]) -> Iterable[str]:
    if not spec.get("ContainerEntrypoint"):
        yield (
            f"{field}.ContainerEntrypoint is required "
            "(an image's default entrypoint cannot run without Docker)"
        )


def duplicate_names(field: str, names: List[str]) -> Iterable[str]:
    seen = set()
    for name in names:
        if name in seen:
            yield f"{field}: name {name!r} is used more than once"
        seen.add(name)


def uri_problems(where: str, uri: str) -> Iterable[str]:
    try:
        parse_s3_uri(uri)
    except ValueError as error:
        yield f"{where}: {error}"


def data_type_problems(where: str, data_type: str) -> Iterable[str]:
    """S3Prefix and ManifestFile are served as SageMaker serves them; AugmentedManifestFile
    "can only be used if the Channel's input mode is Pipe" (API reference, S3DataSource), which
    the emulator does not give."""
    if data_type not in ("S3Prefix", "ManifestFile"):
        yield f"{where}: S3DataType {data_type} is not supported (use S3Prefix or ManifestFile)"
