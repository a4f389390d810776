"""Dockerless emulator of SageMaker Processing (SPEC §6): `LocalBackend`."""

from .backend import LocalBackend

__all__ = ["LocalBackend"]
