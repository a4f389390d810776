"""Uploads, downloads and listings of trees against a real SeaweedFS, through both senders
(awscrt's S3 client and boto3's s3transfer), and the choice between them."""

from __future__ import annotations

import io
import os

import pytest
from helpers import nested_tree

from aws_sagemaker_remote.errors import UsageError
from aws_sagemaker_remote.s3 import clients
from aws_sagemaker_remote.s3 import progress as progress_module
from aws_sagemaker_remote.s3 import transfer as s3io
from aws_sagemaker_remote.s3.transfer import (
    delete_keys,
    download_prefix,
    list_keys,
    upload_files,
    upload_tree,
)

MIB = 1024 * 1024


@pytest.fixture
def tree(tmp_path):
    return nested_tree(tmp_path / "data")


def read(s3_client, bucket, key) -> bytes:
    return s3_client.get_object(Bucket=bucket, Key=key)["Body"].read()


class Counter:
    def __init__(self):
        self.bytes = 0
        self.files = 0

    def bytes_sent(self, amount):
        self.bytes += amount

    def op_done(self, op=None):
        self.files += 1

    def on_progress(self, bytes_transferred=0, **kwargs):
        self.bytes_sent(bytes_transferred)

    def on_done(self, **kwargs):
        self.op_done()


def test_upload_files_bytes_and_multipart_file(s3_client, bucket, tmp_path, mode, monkeypatch):
    monkeypatch.setattr(s3io, "MULTIPART_THRESHOLD", 5 * MIB)
    monkeypatch.setattr(s3io, "MULTIPART_CHUNKSIZE", 5 * MIB)
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(20 * MIB + 123))  # above the CRT's 16 MiB parts too
    counter = Counter()
    upload_files(
        s3_client,
        [(big, bucket, "a/big.bin"), (b"generated", bucket, "a/gen.txt")],
        progress=counter,
    )
    assert read(s3_client, bucket, "a/big.bin") == big.read_bytes()
    assert read(s3_client, bucket, "a/gen.txt") == b"generated"
    assert counter.bytes >= big.stat().st_size
    assert s3_client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_uploads_carry_a_checksum_s3_verified(s3_client, bucket, mode):
    upload_files(s3_client, [(b"checked", bucket, "c/x")])
    head = s3_client.head_object(Bucket=bucket, Key="c/x", ChecksumMode="ENABLED")
    from aws_sagemaker_remote.s3.digest import bytes_digest

    assert head["ChecksumCRC64NVME"] == bytes_digest(b"checked").crc64


def test_download_single_object(s3_client, bucket, tmp_path, mode):
    s3_client.put_object(Bucket=bucket, Key="dir/model.bin", Body=b"weights")
    s3_client.put_object(Bucket=bucket, Key="dir/model.bin.extra", Body=b"other")
    paths = download_prefix(s3_client, f"s3://{bucket}/dir/model.bin", tmp_path / "out")
    assert paths == [tmp_path / "out" / "model.bin"]
    assert paths[0].read_bytes() == b"weights"
    assert sorted(os.listdir(tmp_path / "out")) == ["model.bin"]


@pytest.mark.parametrize("suffix", ["", "/"])
def test_download_prefix_keeps_relative_paths(s3_client, bucket, tree, tmp_path, suffix, mode):
    upload_tree(s3_client, tree, f"s3://{bucket}/in/data/")
    s3_client.put_object(Bucket=bucket, Key="in/data-other/x.txt", Body=b"not below data/")
    dest = tmp_path / "out"
    paths = download_prefix(s3_client, f"s3://{bucket}/in/data{suffix}", dest)
    local = {p.relative_to(tree).as_posix(): p for p in tree.rglob("*") if p.is_file()}
    assert sorted(p.relative_to(dest).as_posix() for p in paths) == sorted(local)
    for rel, path in local.items():
        assert (dest / rel).read_bytes() == path.read_bytes(), rel
    on_disk = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file())
    assert on_disk == sorted(local)  # nothing else: no temporary files left behind


def test_download_prefix_of_small_and_multipart_objects(
    s3_client, bucket, tmp_path, monkeypatch, mode
):
    monkeypatch.setattr(s3io, "MULTIPART_THRESHOLD", 5 * MIB)
    monkeypatch.setattr(s3io, "MULTIPART_CHUNKSIZE", 5 * MIB)
    big = os.urandom(11 * MIB + 7)
    upload_files(s3_client, [(big, bucket, "m/big.bin"), (b"small", bucket, "m/s/small.txt")])
    dest = tmp_path / "out"
    paths = download_prefix(s3_client, f"s3://{bucket}/m", dest)
    got = {p.relative_to(dest).as_posix(): p.read_bytes() for p in paths}
    assert got == {"big.bin": big, "s/small.txt": b"small"}
    assert sorted(p.name for p in dest.rglob("*") if p.is_file()) == ["big.bin", "small.txt"]


def test_download_missing_prefix_names_the_uri(s3_client, bucket, tmp_path, mode):
    s3_client.put_object(Bucket=bucket, Key="present/x", Body=b"x")
    uri = f"s3://{bucket}/absent/prefix"
    with pytest.raises(FileNotFoundError, match=uri):
        download_prefix(s3_client, uri, tmp_path / "out")
    with pytest.raises(FileNotFoundError, match="s3://no-such-bucket-dl/x"):
        download_prefix(s3_client, "s3://no-such-bucket-dl/x", tmp_path / "out")


def test_list_and_delete_keys_in_batches(s3_client, bucket, monkeypatch, mode):
    monkeypatch.setattr(s3io, "DELETE_BATCH", 3)
    upload_files(s3_client, [(f"{i}".encode(), bucket, f"k/{i:02d}") for i in range(8)])
    upload_files(s3_client, [(b"keep", bucket, "other/keep")])
    assert list_keys(s3_client, bucket, "k/") == {f"k/{i:02d}": len(str(i)) for i in range(8)}
    delete_keys(s3_client, bucket, list(list_keys(s3_client, bucket, "k/")))
    assert list_keys(s3_client, bucket, "") == {"other/keep": 4}


# ---------------------------------------------------------------------- which sender


@pytest.fixture
def crt_requests(monkeypatch):
    """Records every request the CRT sender starts (it still sends them)."""
    from aws_sagemaker_remote.s3.crt import CrtS3

    seen = []
    real = CrtS3.start

    def start(self, op, on_done, progress):
        seen.append(op.operation)
        return real(self, op, on_done, progress)

    monkeypatch.setattr(CrtS3, "start", start)
    return seen


@pytest.mark.parametrize(("mode", "by_crt"), [("", 1), ("auto", 1), ("crt", 1), ("classic", 0)])
def test_the_mode_decides_the_sender(s3_client, bucket, monkeypatch, crt_requests, mode, by_crt):
    monkeypatch.setenv(clients.TRANSFER_ENV, mode)
    upload_files(s3_client, [(b"x", bucket, "m/x")])
    assert len(crt_requests) == by_crt
    assert read(s3_client, bucket, "m/x") == b"x"


def test_an_unknown_mode_is_one_line_before_anything_is_sent(s3_client, bucket, monkeypatch):
    monkeypatch.setenv(clients.TRANSFER_ENV, "fast")
    with pytest.raises(UsageError, match="AWS_SAGEMAKER_REMOTE_TRANSFER: 'fast' is not"):
        upload_files(s3_client, [(b"x", bucket, "m/x")])
    assert list_keys(s3_client, bucket, "") == {}


def test_a_proxy_leaves_everything_to_boto3(s3_client, bucket, monkeypatch, crt_requests):
    monkeypatch.setenv(clients.TRANSFER_ENV, "auto")
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")  # boto3 itself goes direct to the test server
    import boto3

    client = boto3.session.Session().client("s3", config=clients.client_config())
    monkeypatch.delenv("NO_PROXY")
    assert clients.crt_of(client) is None
    assert crt_requests == []


class Terminal(io.StringIO):
    """What a download's progress draws on a terminal."""

    def isatty(self):
        return True


def test_a_download_shows_its_progress_as_an_upload_does(s3_client, bucket, tmp_path, mode,
                                                          monkeypatch):  # fmt: skip
    """Files, bytes, rate and time left on a terminal (issue 21, point 10): small objects
    through the CRT, one past the multipart threshold through s3transfer, counted alike."""
    monkeypatch.setattr(progress_module, "REFRESH_SECONDS", 0)  # every callback draws
    big = os.urandom(9 * MIB)
    s3_client.put_object(Bucket=bucket, Key="out/big.bin", Body=big)
    for i in range(3):
        s3_client.put_object(Bucket=bucket, Key=f"out/small-{i}.txt", Body=b"x" * 1000)
    terminal = Terminal()
    paths = download_prefix(s3_client, f"s3://{bucket}/out/", tmp_path / "d",
                            shown=(terminal, "downloading output out"))  # fmt: skip
    assert len(paths) == 4
    assert (tmp_path / "d" / "big.bin").read_bytes() == big
    drawn = terminal.getvalue()
    assert "\rdownloading output out 0/4 files, 0.0 KiB / 9.0 MiB" in drawn
    assert "downloading output out 4/4 files, 9.0 MiB / 9.0 MiB, " in drawn
    assert "/s, 0s left" in drawn
    assert drawn.endswith("\r")  # erased at the end: the caller prints its own line
    quiet = io.StringIO()  # not a terminal: nothing drawn
    download_prefix(s3_client, f"s3://{bucket}/out/", tmp_path / "e", shown=(quiet, "x"))
    assert quiet.getvalue() == ""


def crt_uploads(s3_client, bucket, tmp_path, count, prefix="g"):
    """`count` small uploads (files and bytes) and a HEAD of a missing key through the CRT."""
    from aws_sagemaker_remote.s3.ops import head_op, put_op
    from aws_sagemaker_remote.s3.walk import LocalFile

    ops = []
    for n in range(count):
        path = tmp_path / f"{prefix}{n}.bin"
        path.write_bytes(os.urandom(100 + n))
        body = LocalFile.of(str(path), path.stat()) if n % 2 else path.read_bytes()
        ops.append(put_op(body, bucket, f"{prefix}/{n}"))
    ops.append(head_op(bucket, f"{prefix}/missing"))
    return ops


def test_crt_requests_leave_no_reference_cycles(s3_client, bucket, tmp_path, monkeypatch):
    """What lets the CRT sender ease the cyclic collector while requests are in flight
    (crt._Collector): a batch leaves nothing only a collection would free."""
    import gc

    monkeypatch.setenv(clients.TRANSFER_ENV, "crt")
    crt = clients.crt_of(s3_client)
    crt.run(crt_uploads(s3_client, bucket, tmp_path, 4, "warm"))  # the CRT's own first-use state
    ops = crt_uploads(s3_client, bucket, tmp_path, 300)
    gc.collect()
    gc.disable()
    try:
        crt.run(ops)
        del ops
        assert gc.collect() == 0
    finally:
        gc.enable()
    assert len(list_keys(s3_client, bucket, "g/")) == 300


def test_the_collector_is_as_it_was_after_a_batch_even_a_failed_one(s3_client, bucket, tmp_path,
                                                                   monkeypatch):  # fmt: skip
    import gc

    def refuse(op):
        raise RuntimeError("refused")

    monkeypatch.setenv(clients.TRANSFER_ENV, "crt")
    crt = clients.crt_of(s3_client)
    before = gc.get_threshold()
    seen = []

    def during(op):
        seen.append((gc.get_threshold()[0] > before[0], gc.get_freeze_count() > 0))

    crt.run(crt_uploads(s3_client, bucket, tmp_path, 3), on_done=during)
    assert seen == [(True, True)] * 4
    assert (gc.get_threshold(), gc.get_freeze_count()) == (before, 0)
    with pytest.raises(RuntimeError, match="refused"):
        crt.run(crt_uploads(s3_client, bucket, tmp_path, 3, "failed"), on_done=refuse)
    assert (gc.get_threshold(), gc.get_freeze_count()) == (before, 0)
    gc.set_threshold(0)  # automatic collection off: a batch does not turn it on
    try:
        crt.run(crt_uploads(s3_client, bucket, tmp_path, 1, "off"), on_done=lambda op: seen.append(
            gc.get_threshold()[0]))  # fmt: skip
        assert seen[-1] == 0
    finally:
        gc.set_threshold(*before)


def test_credentials_that_never_change_are_read_once_per_client(s3_client, bucket, tmp_path,
                                                                monkeypatch):  # fmt: skip
    """The CRT signs each request without asking botocore (a call into Python per request from
    the CRT's threads); refreshable credentials are still asked for at each signing."""
    from datetime import datetime, timezone

    from botocore.credentials import Credentials, RefreshableCredentials

    from aws_sagemaker_remote.s3.crt import crt_for

    FAR = datetime(2999, 1, 1, tzinfo=timezone.utc)  # noqa: N806

    reads = []
    for kind in (Credentials, RefreshableCredentials):

        def counted(self, real=kind.get_frozen_credentials):
            reads.append(type(self))
            return real(self)

        monkeypatch.setattr(kind, "get_frozen_credentials", counted)
    crt = crt_for(s3_client)
    crt.run(crt_uploads(s3_client, bucket, tmp_path, 20))
    assert reads == [Credentials]
    static = s3_client._get_credentials()
    refreshable = RefreshableCredentials(static.access_key, static.secret_key, static.token,
                                         FAR, lambda: {}, "test")  # fmt: skip
    monkeypatch.setattr(s3_client, "_get_credentials", lambda: refreshable)
    reads.clear()
    crt_for(s3_client).run(crt_uploads(s3_client, bucket, tmp_path, 20, "r"))
    assert reads.count(RefreshableCredentials) >= 20
    assert len(list_keys(s3_client, bucket, "r/")) == 20
