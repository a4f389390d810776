"""Staging against a real SeaweedFS, through both senders (awscrt's S3 client and boto3): what is
sent, what is copied server-side, what is reused, and that nothing is ever rolled back."""

from __future__ import annotations

import io
import os

import pytest
from helpers import nested_tree

from aws_sagemaker_remote.errors import TransferError
from aws_sagemaker_remote.s3 import staging
from aws_sagemaker_remote.s3.digest import piece_digest, piece_files, source_digest
from aws_sagemaker_remote.s3.manifest import Manifest, manifest_uri
from aws_sagemaker_remote.s3.staging import stage
from aws_sagemaker_remote.s3.transfer import list_keys
from aws_sagemaker_remote.s3.uploads import Upload
from aws_sagemaker_remote.s3.uri import parse

pytestmark = pytest.mark.usefixtures("mode")  # every test once per sender


@pytest.fixture
def tree(tmp_path):
    root = nested_tree(tmp_path / "data")
    (root / "top.txt").write_bytes(b"top\n")
    return root


@pytest.fixture
def shell(tmp_path):
    path = tmp_path / "conf" / "setup.sh"
    path.parent.mkdir()
    path.write_bytes(b"#!/bin/bash\r\nexport X=1\r\n")
    return path


def piece(bucket: str, path, kind: str, *, lf=False) -> Upload:
    """As the plan makes it: the files as shipped, under a prefix named by their digest."""
    files = piece_files(path, lf=lf, skip_junk=False)
    return Upload(path, f"s3://{bucket}/p/{kind}-{piece_digest(files)}/", files)


def objects(s3_client, bucket, prefix="p/") -> dict:
    return {
        key: s3_client.get_object(Bucket=bucket, Key=key)["Body"].read()
        for key in list_keys(s3_client, bucket, prefix)
    }


def expected_tree(tree, uri) -> dict:
    prefix = parse(uri).key
    return {
        prefix + p.relative_to(tree).as_posix(): p.read_bytes()
        for p in sorted(tree.rglob("*"))
        if p.is_file()
    }


class Spy:
    """Every request staging sends, by operation (whichever sender it uses)."""

    def __init__(self, monkeypatch):
        self.ops = []
        self.batches = 0
        real = staging._Run.send

        def send(run, ops, progress=None):
            self.ops.extend(ops)
            self.batches += bool(ops)
            return real(run, ops, progress)

        monkeypatch.setattr(staging._Run, "send", send)

    def count(self, operation: str, exclude_manifests: bool = True) -> int:
        return len(
            [
                op
                for op in self.ops
                if op.operation == operation
                and not (exclude_manifests and "/manifests/" in f"/{op.key}")
            ]
        )

    def sent_bytes(self) -> int:
        return sum(
            op.body.size if hasattr(op.body, "size") else len(op.body)
            for op in self.ops
            if op.operation == "PutObject" and "/manifests/" not in f"/{op.key}"
        )


def test_every_file_lands_with_its_bytes_and_each_piece_gets_a_manifest(
    s3_client, bucket, tree, shell
):
    data = piece(bucket, tree, "inputs/data")
    conf = piece(bucket, shell, "code/configuration", lf=True)
    generated = Upload(None, f"s3://{bucket}/p/code/job-abc/", [("job.json", b"{}")], "job")
    report = stage(s3_client, [data, conf, generated], out=io.StringIO())

    expected = expected_tree(tree, data.s3_uri)
    expected[parse(conf.s3_uri).key + "setup.sh"] = b"#!/bin/bash\nexport X=1\n"
    expected["p/code/job-abc/job.json"] = b"{}"
    stored = objects(s3_client, bucket)
    manifests = {k: v for k, v in stored.items() if "/manifests/" in k}
    assert {k: v for k, v in stored.items() if k not in manifests} == expected
    assert set(manifests) == {parse(manifest_uri(u.s3_uri)).key for u in (data, conf, generated)}
    listed = Manifest.from_bytes(manifests[parse(manifest_uri(data.s3_uri)).key])
    assert sorted(listed.files) == sorted(rel for rel, _ in data.files)
    assert report.files_uploaded == 31 + 1 + 1
    assert report.bytes_uploaded == sum(len(v) for v in expected.values())


def test_an_unchanged_rerun_sends_nothing_and_reads_one_manifest_per_piece(
    s3_client, bucket, tree, shell, monkeypatch
):
    uploads = [piece(bucket, tree, "inputs/data"), piece(bucket, shell, "code/conf", lf=True)]
    stage(s3_client, uploads, out=io.StringIO())
    spy = Spy(monkeypatch)
    out = io.StringIO()
    report = stage(s3_client, uploads, out=out)
    # One round of requests: each piece's manifest, and the lifecycle marker (absent here).
    assert spy.batches == 1
    assert sorted(op.key.rsplit("/", 1)[-1] for op in spy.ops) == sorted(
        [manifest_uri(u.s3_uri).rsplit("/", 1)[-1] for u in uploads] + ["lifecycle.json"]
    )
    assert report.bytes_uploaded == 0
    assert all(line.startswith("unchanged ") for line in out.getvalue().splitlines())


def test_one_changed_file_is_the_only_one_sent(s3_client, bucket, tree, monkeypatch):
    first = piece(bucket, tree, "inputs/data")
    stage(s3_client, [first], out=io.StringIO())
    changed = tree / "level1-0" / "level2-0" / "file-00.bin"
    changed.write_bytes(os.urandom(64 * 1024))
    second = piece(bucket, tree, "inputs/data")
    assert second.s3_uri != first.s3_uri
    spy = Spy(monkeypatch)
    out = io.StringIO()
    report = stage(s3_client, [second], out=out)
    assert spy.count("PutObject") == 1
    assert spy.sent_bytes() == 64 * 1024
    assert report.pieces[0].files_copied == 30
    assert "1 file, 64.0 KiB sent; 30 copied in S3" in out.getvalue()
    assert objects(s3_client, bucket, parse(second.s3_uri).key) == expected_tree(
        tree, second.s3_uri
    )


def test_one_added_file_is_the_only_one_sent(s3_client, bucket, tree, monkeypatch):
    stage(s3_client, [piece(bucket, tree, "inputs/data")], out=io.StringIO())
    (tree / "new.txt").write_bytes(b"6bytes")
    second = piece(bucket, tree, "inputs/data")
    spy = Spy(monkeypatch)
    stage(s3_client, [second], out=io.StringIO())
    assert spy.count("PutObject") == 1
    assert spy.sent_bytes() == 6
    assert objects(s3_client, bucket, parse(second.s3_uri).key) == expected_tree(
        tree, second.s3_uri
    )


def test_an_object_of_the_same_size_but_other_bytes_is_not_reused(s3_client, bucket, tree):
    data = piece(bucket, tree, "inputs/data")
    key = parse(data.s3_uri).key + "top.txt"
    s3_client.put_object(Bucket=bucket, Key=key, Body=b"TOP\n")  # same size, other content
    report = stage(s3_client, [data], out=io.StringIO())
    assert s3_client.get_object(Bucket=bucket, Key=key)["Body"].read() == b"top\n"
    assert report.files_uploaded == 31


def test_an_interrupted_piece_is_resumed(s3_client, bucket, tree, monkeypatch):
    """Objects of a run that stopped before its manifest are verified, not sent again."""
    data = piece(bucket, tree, "inputs/data")
    first_ten = Upload(data.source, data.s3_uri, data.files[:10])
    stage(s3_client, [first_ten], out=io.StringIO())
    s3_client.delete_object(Bucket=bucket, Key=parse(manifest_uri(data.s3_uri)).key)
    spy = Spy(monkeypatch)
    report = stage(s3_client, [data], out=io.StringIO())
    assert spy.count("PutObject") == 21
    assert spy.count("HeadObject") == 10
    assert report.pieces[0].files_skipped == 10


def test_a_manifest_listing_other_files_is_not_trusted(s3_client, bucket, tree):
    data = piece(bucket, tree, "inputs/data")
    wrong = Manifest(data.s3_uri, {"top.txt": source_digest(piece_files(tree / "top.txt")[0][1])})
    key = parse(manifest_uri(data.s3_uri)).key
    s3_client.put_object(Bucket=bucket, Key=key, Body=wrong.to_bytes().replace(b'"top', b'"x'))
    report = stage(s3_client, [data], out=io.StringIO())
    assert report.files_uploaded == 31


def test_a_pruned_copy_source_is_sent_instead(s3_client, bucket, tree):
    first = piece(bucket, tree, "inputs/data")
    stage(s3_client, [first], out=io.StringIO())
    for key in list_keys(s3_client, bucket, parse(first.s3_uri).key):
        s3_client.delete_object(Bucket=bucket, Key=key)  # objects gone, manifest left behind
    (tree / "new.txt").write_bytes(b"x")
    second = piece(bucket, tree, "inputs/data")
    report = stage(s3_client, [second], out=io.StringIO())
    assert report.files_uploaded == 32
    assert objects(s3_client, bucket, parse(second.s3_uri).key) == expected_tree(
        tree, second.s3_uri
    )


def test_a_failing_run_deletes_nothing(s3_client, bucket, tree, shell):
    """A run that fails half way leaves every object where it is: each holds the right bytes
    under its content-addressed key, and another run may rely on it."""
    shared = piece(bucket, tree, "inputs/data")
    stage(s3_client, [shared], out=io.StringIO())
    before = objects(s3_client, bucket)
    s3_client.delete_object(Bucket=bucket, Key=parse(manifest_uri(shared.s3_uri)).key)
    conf = piece(bucket, shell, "code/conf", lf=False)
    shell.write_bytes(b"#!/bin/bash\r\nexport Y=1\r\n")  # changed after hashing: refused
    with pytest.raises(TransferError):
        stage(s3_client, [shared, conf], out=io.StringIO())
    after = objects(s3_client, bucket)
    manifest = parse(manifest_uri(shared.s3_uri)).key
    assert {k: v for k, v in before.items() if k != manifest}.items() <= after.items()


def test_a_file_changed_after_it_was_hashed_never_lands(s3_client, bucket, tree):
    data = piece(bucket, tree, "inputs/data")
    changed = tree / "top.txt"
    changed.write_bytes(b"TOP\n")  # same size, new bytes, after the plan hashed it
    with pytest.raises(TransferError, match="top.txt: changed while it was being staged"):
        stage(s3_client, [data], out=io.StringIO())
    key = parse(data.s3_uri).key + "top.txt"
    assert key not in list_keys(s3_client, bucket, parse(data.s3_uri).key)
    assert parse(manifest_uri(data.s3_uri)).key not in list_keys(s3_client, bucket, "p/")
