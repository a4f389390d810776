"""S3 faults survived: 15 % `503 SlowDown` and 15 % dropped connections between us and SeaweedFS
(tests/s3proxy.py), for staging and for the transfers of jobs, through both senders; past the
retry budget, one error and no multipart upload left open."""

from __future__ import annotations

import io
import os
from pathlib import Path

import boto3
import pytest
from s3proxy import Faults, S3Proxy

from aws_sagemaker_remote.s3 import clients
from aws_sagemaker_remote.s3.digest import piece_digest, piece_files, source_digest
from aws_sagemaker_remote.s3.staging import stage
from aws_sagemaker_remote.s3.transfer import download_prefix, list_keys
from aws_sagemaker_remote.s3.uploads import MANIFEST, PREFIX, Upload

MIB = 1024 * 1024


@pytest.fixture
def data(tmp_path):
    root = tmp_path / "data"
    root.mkdir()
    for i in range(150):
        (root / f"f{i:03d}.bin").write_bytes(os.urandom(2048 + i))
    (root / "big.bin").write_bytes(os.urandom(20 * MIB + 5))  # multipart on both senders
    return root


def flaky_client(endpoint: str):
    """An S3 client of this library's own settings, pointed at the proxy."""
    return boto3.session.Session().client(
        "s3", endpoint_url=endpoint, config=clients.client_config()
    )


def as_staged(bucket: str, root, layout: str = MANIFEST) -> Upload:
    files = piece_files(root, lf=False, skip_junk=False)
    return Upload(root, f"s3://{bucket}/p/", f"inputs/data-{piece_digest(files)}", files,
                  "data", layout)  # fmt: skip


def test_staging_survives_thirty_percent_faults(aws_env, s3_client, bucket, data, mode):
    faults = Faults(slow_down=0.15, drop=0.15, max_faults=4)
    with S3Proxy(aws_env["AWS_ENDPOINT_URL_S3"], faults) as proxy:
        piece = as_staged(bucket, data)
        report = stage(flaky_client(proxy.endpoint), [piece], out=io.StringIO())
    assert report.files_uploaded == 151
    assert sum(1 for s in proxy.seen if s.status in (0, 503)) > 20  # faults really happened
    for rel, source in piece.files:
        key = piece.store.object_key(source_digest(source).sha256)
        body = s3_client.get_object(Bucket=bucket, Key=key)["Body"].read()
        assert body == Path(source.path).read_bytes(), rel
    # An open multipart upload may remain: a CreateMultipartUpload whose reply the network lost
    # leaves one no client can know of. `processing prune` aborts such uploads once they are old.


def test_downloads_survive_thirty_percent_faults(aws_env, s3_client, bucket, data, mode, tmp_path):
    stage(s3_client, [as_staged(bucket, data, PREFIX)], out=io.StringIO())
    prefix = next(iter(list_keys(s3_client, bucket, "p/inputs/"))).rsplit("/", 1)[0]
    faults = Faults(slow_down=0.15, drop=0.15, max_faults=4)
    with S3Proxy(aws_env["AWS_ENDPOINT_URL_S3"], faults) as proxy:
        paths = download_prefix(
            flaky_client(proxy.endpoint), f"s3://{bucket}/{prefix}/", tmp_path / "o"
        )
    assert len(paths) == 151
    for path in paths:
        assert path.read_bytes() == (data / path.name).read_bytes(), path.name
    assert sum(1 for s in proxy.seen if s.status in (0, 503)) > 20


def test_past_the_retry_budget_one_error_and_no_open_upload(
    aws_env, s3_client, bucket, tmp_path, mode, monkeypatch
):
    """Every part of the big file is refused: the run stops with one error naming the object,
    and the multipart upload it began is aborted."""
    from aws_sagemaker_remote.errors import Error, classify
    from aws_sagemaker_remote.s3 import crt

    monkeypatch.setattr(crt, "MAX_RETRIES", 1)
    big = tmp_path / "big"
    big.mkdir()
    (big / "big.bin").write_bytes(os.urandom(40 * MIB))
    # The CRT sends it in parts (its upload must be aborted), boto3 in one PutObject.
    piece = as_staged(bucket, big)
    sha = source_digest(piece.files[0][1]).sha256
    only = "partNumber=" if mode == "crt" else sha
    parts = Faults(slow_down=1.0, max_faults=10_000, only=only)
    with S3Proxy(aws_env["AWS_ENDPOINT_URL_S3"], parts) as proxy:
        client = boto3.session.Session().client(
            "s3",
            endpoint_url=proxy.endpoint,
            config=clients.client_config(retries={"max_attempts": 2}),
        )
        with pytest.raises(Error) as caught:
            stage(client, [piece], out=io.StringIO())
    code, line = classify(caught.value)
    assert code == 1
    assert "big.bin" in line
    assert "slow" in line.lower()
    assert s3_client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_a_classic_download_survives_botocore_running_out_of_retries(
    aws_env, s3_client, bucket, data, tmp_path, monkeypatch
):
    """botocore's retry quota run dry (here from the first retry on: each costs more than the
    500 tokens a client has) makes each dropped connection an error at once: the download
    fetches those files again, and every file arrives."""
    from botocore.retries import standard

    from aws_sagemaker_remote.s3 import transfer

    monkeypatch.setenv(clients.TRANSFER_ENV, "classic")
    monkeypatch.setattr(standard.RetryQuotaChecker, "_RETRY_COST", 10_000)
    monkeypatch.setattr(transfer, "ROUND_PAUSE", 0.05)
    stage(s3_client, [as_staged(bucket, data, PREFIX)], out=io.StringIO())
    prefix = next(iter(list_keys(s3_client, bucket, "p/inputs/"))).rsplit("/", 1)[0]
    faults = Faults(drop=0.1, max_faults=2)
    with S3Proxy(aws_env["AWS_ENDPOINT_URL_S3"], faults) as proxy:
        paths = download_prefix(
            flaky_client(proxy.endpoint), f"s3://{bucket}/{prefix}/", tmp_path / "o"
        )
    assert len(paths) == 151
    for path in paths:
        assert path.read_bytes() == (data / path.name).read_bytes(), path.name
    assert sum(1 for s in proxy.seen if s.status == 0) > 5  # connections really dropped
