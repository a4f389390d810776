"""Helpers shared by tests of several folders (`pythonpath = ["tests"]` in pyproject)."""

from __future__ import annotations

from pathlib import Path

from aws_sagemaker_remote.s3.digest import piece_digest, piece_files


def path_digest(path: Path | str, *, lf: bool | None = None) -> str:
    """Digest of a file or directory as staging would upload it."""
    return piece_digest(piece_files(path, lf=lf))
