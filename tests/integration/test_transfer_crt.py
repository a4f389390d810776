"""Which transfer manager s3io picks (AWS_SAGEMAKER_REMOTE_TRANSFER), against a real SeaweedFS."""

from __future__ import annotations

import io
import sys

import pytest

from aws_sagemaker_remote.errors import UsageError
from aws_sagemaker_remote.s3 import transfer as s3io
from aws_sagemaker_remote.s3.staging import stage
from aws_sagemaker_remote.s3.uploads import Upload


@pytest.fixture
def crt_managers(monkeypatch):
    """Records every CRT transfer manager s3io creates (they still do the transfers)."""
    made = []
    real = s3io._crt_manager

    def recording(parts):
        made.append(parts)
        return real(parts)

    monkeypatch.setattr(s3io, "_crt_manager", recording)
    return made


@pytest.fixture
def no_awscrt(monkeypatch):
    monkeypatch.setitem(sys.modules, "s3transfer.crt", None)  # makes the import fail


def tree_of(tmp_path, count=5):
    root = tmp_path / "data"
    root.mkdir()
    for i in range(count):
        (root / f"f{i}.txt").write_bytes(b"x" * (i + 1))
    return root


MANY = s3io.CRT_MIN_ITEMS


@pytest.mark.parametrize(
    ("mode", "count", "expected"),
    [
        ("crt", 5, 1),
        ("auto", MANY, 1),
        ("", MANY, 1),
        ("auto", 5, 0),  # a few small files: the classic manager is quicker to start
        ("classic", MANY, 0),
    ],
)
def test_mode_decides_whether_the_crt_manager_sends(
    s3_client, bucket, tmp_path, monkeypatch, crt_managers, mode, count, expected
):
    monkeypatch.setenv(s3io.TRANSFER_ENV, mode)
    root = tree_of(tmp_path, count)
    report = stage(s3_client, [Upload(root, f"s3://{bucket}/p/data-x/")], out=io.StringIO())
    assert report.files_uploaded == count
    assert len(crt_managers) == expected
    assert s3io.list_keys(s3_client, bucket, "p/") == {
        f"p/data-x/f{i}.txt": i + 1 for i in range(count)
    }


def test_crt_downloads_through_the_crt_manager(
    s3_client, bucket, tmp_path, monkeypatch, crt_managers
):
    monkeypatch.setenv(s3io.TRANSFER_ENV, "crt")
    s3_client.put_object(Bucket=bucket, Key="out/a/b.bin", Body=b"payload")
    paths = s3io.download_prefix(s3_client, f"s3://{bucket}/out/", tmp_path / "dl")
    assert [p.read_bytes() for p in paths] == [b"payload"]
    assert len(crt_managers) == 1


def test_bad_mode_is_a_usage_error(s3_client, bucket, monkeypatch):
    monkeypatch.setenv(s3io.TRANSFER_ENV, "fast")
    with pytest.raises(UsageError, match="AWS_SAGEMAKER_REMOTE_TRANSFER must be one of auto, crt"):
        s3io.upload_files(s3_client, [(b"x", bucket, "k")])
    assert s3io.list_keys(s3_client, bucket) == {}


def test_crt_without_awscrt_is_a_usage_error(s3_client, bucket, monkeypatch, no_awscrt):
    monkeypatch.setenv(s3io.TRANSFER_ENV, "crt")
    with pytest.raises(UsageError, match=r"needs the awscrt package.*\[crt\]"):
        s3io.upload_files(s3_client, [(b"x", bucket, "k")])


def test_auto_without_awscrt_uses_the_classic_manager(
    s3_client, bucket, monkeypatch, no_awscrt, crt_managers
):
    monkeypatch.setenv(s3io.TRANSFER_ENV, "auto")
    s3io.upload_files(s3_client, [(b"x", bucket, "k")])
    assert s3io.list_keys(s3_client, bucket) == {"k": 1}
    assert crt_managers == []


def test_explicit_classic_config_keeps_the_classic_manager(
    s3_client, bucket, monkeypatch, crt_managers
):
    monkeypatch.setenv(s3io.TRANSFER_ENV, "crt")
    s3io.upload_files(s3_client, [(b"x", bucket, "k")], config=s3io.transfer_config(4))
    assert s3io.list_keys(s3_client, bucket) == {"k": 1}
    assert crt_managers == []


def test_items_the_crt_cannot_send_go_to_the_classic_manager(
    s3_client, bucket, tmp_path, monkeypatch, crt_managers
):
    monkeypatch.setenv(s3io.TRANSFER_ENV, "crt")
    a_dir = tmp_path / "dir"
    a_dir.mkdir()
    with pytest.raises(IsADirectoryError):
        s3io.upload_files(s3_client, [(b"x", bucket, "k"), (a_dir, bucket, "d")])
    assert len(crt_managers) == 1
