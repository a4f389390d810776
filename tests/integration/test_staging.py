"""Staging and S3 transfers against a real SeaweedFS, through each transfer manager."""

from __future__ import annotations

import io
import os

import pytest
from botocore.exceptions import ClientError
from helpers import path_digest

from aws_sagemaker_remote.s3 import transfer as s3io
from aws_sagemaker_remote.s3.staging import stage
from aws_sagemaker_remote.s3.transfer import (
    delete_keys,
    download_prefix,
    list_keys,
    upload_files,
    upload_tree,
)
from aws_sagemaker_remote.s3.uploads import Upload


@pytest.fixture(autouse=True, params=["classic", "crt"])
def transfer(request, monkeypatch):
    """Every test here runs through s3transfer's classic manager and through its CRT one."""
    monkeypatch.setenv(s3io.TRANSFER_ENV, request.param)
    return request.param


def read(s3_client, bucket, key) -> bytes:
    return s3_client.get_object(Bucket=bucket, Key=key)["Body"].read()


def last_modified(s3_client, bucket) -> dict:
    pages = s3_client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return {o["Key"]: o["LastModified"] for page in pages for o in page.get("Contents", ())}


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "data"
    for i in range(30):
        folder = root / f"level1-{i % 3}" / f"level2-{i % 2}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"file-{i:02d}.bin").write_bytes(os.urandom(100 + i * 37))
    (root / "top.txt").write_bytes(b"top\n")
    (root / "__pycache__").mkdir()
    (root / "__pycache__" / "x.pyc").write_bytes(b"junk")
    return root


@pytest.fixture
def script(tmp_path):
    path = tmp_path / "code" / "train.py"
    path.parent.mkdir()
    path.write_text("print('hello')\n")
    return path


@pytest.fixture
def shell(tmp_path):
    path = tmp_path / "conf" / "setup.sh"
    path.parent.mkdir()
    path.write_bytes(b"#!/bin/bash\r\nexport X=1\r\n")
    return path


def uploads_for(bucket, tree, script, shell):
    return [
        Upload(tree, f"s3://{bucket}/p/inputs/data-{path_digest(tree)}/"),
        Upload(script, f"s3://{bucket}/p/code/script-{path_digest(script)}/"),
        Upload(shell, f"s3://{bucket}/p/code/configuration-{path_digest(shell)}/"),
        Upload(None, f"s3://{bucket}/p/code/job-abc/job.json", body=b'{"argv": []}', name="job"),
    ]


def expected_objects(bucket, tree, script, shell) -> dict:
    expected = {}
    data_prefix = f"p/inputs/data-{path_digest(tree)}/"
    for path in tree.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            expected[data_prefix + path.relative_to(tree).as_posix()] = path.read_bytes()
    expected[f"p/code/script-{path_digest(script)}/train.py"] = script.read_bytes()
    expected[f"p/code/configuration-{path_digest(shell)}/setup.sh"] = b"#!/bin/bash\nexport X=1\n"
    expected["p/code/job-abc/job.json"] = b'{"argv": []}'
    return expected


def test_stage_uploads_every_file_with_its_bytes(s3_client, bucket, tree, script, shell):
    out = io.StringIO()
    report = stage(s3_client, uploads_for(bucket, tree, script, shell), out=out)

    expected = expected_objects(bucket, tree, script, shell)
    assert set(list_keys(s3_client, bucket, "")) == set(expected)
    for key, data in expected.items():
        assert read(s3_client, bucket, key) == data, key
    assert report.files_uploaded == len(expected) == 31 + 3
    assert report.bytes_uploaded == sum(len(d) for d in expected.values())
    assert report.files_skipped == 0
    lines = out.getvalue().splitlines()
    assert len(lines) == 4
    assert lines[0] == (
        f"uploaded {tree} -> s3://{bucket}/p/inputs/data-{path_digest(tree)}/ "
        f"(31 files, {report.pieces[0].bytes_uploaded / 1024:.1f} KiB)"
    )
    assert lines[3].startswith(f"uploaded (generated) job -> s3://{bucket}/p/code/job-abc/job.json")


def test_second_stage_skips_everything(s3_client, bucket, tree, script, shell, monkeypatch):
    first = stage(s3_client, uploads_for(bucket, tree, script, shell), out=io.StringIO())
    before = last_modified(s3_client, bucket)
    sent = []
    real_upload = s3io.upload_files
    monkeypatch.setattr(
        s3io,
        "upload_files",
        lambda client, items, **kw: real_upload(client, sent.extend(items) or items, **kw),
    )

    out = io.StringIO()
    again = stage(s3_client, uploads_for(bucket, tree, script, shell), out=out)
    assert sent == []

    assert again.files_uploaded == 0
    assert again.bytes_uploaded == 0
    assert again.files_skipped == first.files_uploaded
    assert again.bytes_skipped == first.bytes_uploaded
    assert last_modified(s3_client, bucket) == before
    assert all(line.startswith("skipped (unchanged) ") for line in out.getvalue().splitlines())


def test_object_with_other_size_is_sent_again(s3_client, bucket, tree):
    prefix = f"p/inputs/data-{path_digest(tree)}/"
    s3_client.put_object(Bucket=bucket, Key=prefix + "top.txt", Body=b"truncat")
    report = stage(s3_client, [Upload(tree, f"s3://{bucket}/{prefix}")], out=io.StringIO())
    assert report.files_uploaded == 31
    assert read(s3_client, bucket, prefix + "top.txt") == b"top\n"


def test_failure_half_way_removes_what_this_call_uploaded(
    s3_client, bucket, tree, script, tmp_path
):
    kept = Upload(script, f"s3://{bucket}/p/code/script-{path_digest(script)}/")
    stage(s3_client, [kept], out=io.StringIO())
    before = last_modified(s3_client, bucket)

    unreadable = tmp_path / "a-directory-not-a-file"
    unreadable.mkdir()
    good = tree / "top.txt"
    files = [(f"f{i:03d}.txt", good) for i in range(40)] + [("broken.txt", unreadable)]
    uploads = [
        kept,  # already there: skipped, and must survive the rollback
        Upload(tree, f"s3://{bucket}/p/inputs/data-{path_digest(tree)}/"),
        Upload(None, f"s3://{bucket}/p/inputs/broken-x/", files=files),
    ]
    with pytest.raises(IsADirectoryError):
        stage(s3_client, uploads, out=io.StringIO())
    assert last_modified(s3_client, bucket) == before


def test_refused_upload_half_way_removes_what_this_call_uploaded(s3_client, bucket, tree):
    good = tree / "top.txt"
    files = [(f"f{i:03d}.txt", good) for i in range(60)] + [("k" * 1100, good)]  # key too long
    uploads = [
        Upload(tree, f"s3://{bucket}/p/inputs/data-{path_digest(tree)}/"),
        Upload(None, f"s3://{bucket}/p/inputs/long-x/", files=files),
        Upload(None, f"s3://{bucket}/p/code/job-abc/job.json", body=b"{}", name="job"),
    ]
    with pytest.raises(ClientError) as raised:
        stage(s3_client, uploads, out=io.StringIO())
    assert raised.value.response["Error"]["Code"] == "KeyTooLongError"
    assert list_keys(s3_client, bucket, "") == {}


def test_missing_bucket_for_second_piece_leaves_nothing(s3_client, bucket, tree, script):
    uploads = [
        Upload(tree, f"s3://{bucket}/p/inputs/data-{path_digest(tree)}/"),
        Upload(script, "s3://no-such-bucket-for-staging/p/code/script-x/"),
    ]
    with pytest.raises(Exception, match="NoSuchBucket|does not exist"):
        stage(s3_client, uploads, out=io.StringIO())
    assert list_keys(s3_client, bucket, "") == {}


def test_upload_files_bytes_and_multipart_file(s3_client, bucket, tmp_path, monkeypatch):
    monkeypatch.setattr(s3io, "MULTIPART_THRESHOLD", 5 * s3io.MIB)
    monkeypatch.setattr(s3io, "MULTIPART_CHUNKSIZE", 5 * s3io.MIB)
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(11 * s3io.MIB + 123))
    seen = []

    class Subscriber:
        def on_progress(self, bytes_transferred=0, **kwargs):
            seen.append(bytes_transferred)

    upload_files(
        s3_client,
        [(big, bucket, "a/big.bin"), (b"generated", bucket, "a/gen.txt")],
        progress=Subscriber(),
    )
    assert read(s3_client, bucket, "a/big.bin") == big.read_bytes()
    assert read(s3_client, bucket, "a/gen.txt") == b"generated"
    assert sum(seen) == big.stat().st_size + len(b"generated")


def test_download_single_object(s3_client, bucket, tmp_path):
    s3_client.put_object(Bucket=bucket, Key="dir/model.bin", Body=b"weights")
    s3_client.put_object(Bucket=bucket, Key="dir/model.bin.extra", Body=b"other")
    paths = download_prefix(s3_client, f"s3://{bucket}/dir/model.bin", tmp_path / "out")
    assert paths == [tmp_path / "out" / "model.bin"]
    assert paths[0].read_bytes() == b"weights"
    assert sorted(os.listdir(tmp_path / "out")) == ["model.bin"]


@pytest.mark.parametrize("suffix", ["", "/"])
def test_download_prefix_keeps_relative_paths(s3_client, bucket, tree, tmp_path, suffix):
    upload_tree(s3_client, tree, f"s3://{bucket}/in/data/")
    s3_client.put_object(Bucket=bucket, Key="in/data-other/x.txt", Body=b"not below data/")
    dest = tmp_path / "out"
    paths = download_prefix(s3_client, f"s3://{bucket}/in/data{suffix}", dest)

    local = {p.relative_to(tree).as_posix(): p for p in tree.rglob("*") if p.is_file()}
    assert sorted(p.relative_to(dest).as_posix() for p in paths) == sorted(local)
    for rel, path in local.items():
        assert (dest / rel).read_bytes() == path.read_bytes(), rel
    assert sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()) == sorted(
        local
    )  # nothing else: no temporary files left behind


def test_download_prefix_of_small_and_multipart_objects(s3_client, bucket, tmp_path, monkeypatch):
    monkeypatch.setattr(s3io, "MULTIPART_THRESHOLD", 5 * s3io.MIB)
    monkeypatch.setattr(s3io, "MULTIPART_CHUNKSIZE", 5 * s3io.MIB)
    big = os.urandom(11 * s3io.MIB + 7)
    upload_files(s3_client, [(big, bucket, "m/big.bin"), (b"small", bucket, "m/s/small.txt")])
    dest = tmp_path / "out"
    paths = download_prefix(s3_client, f"s3://{bucket}/m", dest)
    got = {p.relative_to(dest).as_posix(): p.read_bytes() for p in paths}
    assert got == {"big.bin": big, "s/small.txt": b"small"}
    assert sorted(p.name for p in dest.rglob("*") if p.is_file()) == ["big.bin", "small.txt"]


def test_download_missing_prefix_names_the_uri(s3_client, bucket, tmp_path):
    s3_client.put_object(Bucket=bucket, Key="present/x", Body=b"x")
    uri = f"s3://{bucket}/absent/prefix"
    with pytest.raises(FileNotFoundError, match=uri):
        download_prefix(s3_client, uri, tmp_path / "out")
    with pytest.raises(FileNotFoundError, match="s3://no-such-bucket-dl/x"):
        download_prefix(s3_client, "s3://no-such-bucket-dl/x", tmp_path / "out")


def test_list_and_delete_keys_in_batches(s3_client, bucket, monkeypatch):
    monkeypatch.setattr(s3io, "DELETE_BATCH", 3)
    upload_files(s3_client, [(f"{i}".encode(), bucket, f"k/{i:02d}") for i in range(8)])
    upload_files(s3_client, [(b"keep", bucket, "other/keep")])
    assert list_keys(s3_client, bucket, "k/") == {f"k/{i:02d}": len(str(i)) for i in range(8)}
    delete_keys(s3_client, bucket, list(list_keys(s3_client, bucket, "k/")))
    assert list_keys(s3_client, bucket, "") == {"other/keep": 4}
