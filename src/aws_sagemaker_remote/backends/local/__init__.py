"""The dockerless emulator of SageMaker Processing: `LocalBackend`."""

from .backend import LocalBackend

__all__ = ["LocalBackend"]
