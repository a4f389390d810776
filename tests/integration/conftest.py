"""Fixtures of the integration tests."""

import pytest
from helpers import stop_leftovers

from aws_sagemaker_remote.backends.local import LocalBackend
from aws_sagemaker_remote.s3 import clients


@pytest.fixture
def backend(aws_env, bucket, monkeypatch):
    """Depends on `bucket` so that leftover jobs are stopped before the bucket is deleted."""
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_STOP_GRACE", "5")
    backend = LocalBackend()
    yield backend
    stop_leftovers(backend)


@pytest.fixture(params=["crt", "classic"])
def mode(request, monkeypatch):
    """Each test that asks for it runs once per sender: awscrt's S3 client and boto3's."""
    monkeypatch.setenv(clients.TRANSFER_ENV, request.param)
    return request.param
