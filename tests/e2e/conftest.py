"""End to end: scripts run with ``--sagemaker-run yes`` through the local emulator on SeaweedFS."""

from __future__ import annotations

import os
from typing import Iterator

import pytest
from helpers import stop_leftovers

from aws_sagemaker_remote.backends.local import LocalBackend


@pytest.fixture
def emulator_env(aws_env, tmp_path, monkeypatch) -> Iterator[dict]:
    """The caller's environment for an emulated run: no AWS account, pip kept offline."""
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_BACKEND", "local")
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_STOP_GRACE", "3")
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for name in ("AWS_ENDPOINT_URL_SAGEMAKER", "AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL_STS"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    yield dict(os.environ)
    stop_leftovers(LocalBackend())  # a detached job must not write into later tests' S3
