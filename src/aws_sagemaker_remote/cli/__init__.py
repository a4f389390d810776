"""The `aws-sagemaker-remote` command."""

from .main import main

__all__ = ["main"]
