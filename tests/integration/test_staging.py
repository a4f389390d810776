"""The staging store against a real SeaweedFS, through both senders (awscrt's S3 client and
boto3): what lands where, what one changed file costs (counted at the wire, through a proxy),
invariants (c) reuse by content and (d) every sender checks what S3 stored, and that nothing is
ever rolled back. docs/staging.md states the invariants."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import boto3
import pytest
from helpers import nested_tree
from s3proxy import S3Proxy

from aws_sagemaker_remote.errors import TransferError
from aws_sagemaker_remote.s3 import boto3ops, digest
from aws_sagemaker_remote.s3.clients import client_config
from aws_sagemaker_remote.s3.digest import piece_digest, piece_files, source_digest
from aws_sagemaker_remote.s3.manifest import read_channel_manifest, read_rows
from aws_sagemaker_remote.s3.staging import stage
from aws_sagemaker_remote.s3.transfer import list_keys
from aws_sagemaker_remote.s3.uploads import MANIFEST, PREFIX, Upload

pytestmark = pytest.mark.usefixtures("mode")  # every test once per sender


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    """Each test its own digest cache, as a fresh machine."""
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_HOME", str(tmp_path / "home"))


@pytest.fixture
def tree(tmp_path):
    root = nested_tree(tmp_path / "data")
    (root / "top.txt").write_bytes(b"top\n")
    (root / "copy-of-top.txt").write_bytes(b"top\n")  # one content, two names
    return root


def piece(bucket: str, path, name: str = "data", layout: str = MANIFEST, lf=False) -> Upload:
    """As the plan makes it: the files as shipped, a version named by their digest."""
    files = piece_files(path, lf=lf, skip_junk=False)
    return Upload(path, f"s3://{bucket}/p/", f"inputs/{name}-{piece_digest(files)}", files,
                  name, layout)  # fmt: skip


def body(s3_client, bucket, key) -> bytes:
    return s3_client.get_object(Bucket=bucket, Key=key)["Body"].read()


def delivered(s3_client, bucket, upload: Upload) -> dict:
    """What a job reading the version's channel gets: path -> bytes (through its record and
    objects for a manifest channel, its prefix for a prefix channel)."""
    store = upload.store
    if upload.layout == PREFIX:
        prefix = store.prefix_key(upload.version)
        return {
            k[len(prefix) :]: body(s3_client, bucket, k)
            for k in list_keys(s3_client, bucket, prefix)
        }
    manifest = body(s3_client, bucket, store.channel_key(upload.version))
    root, keys = read_channel_manifest(manifest)
    assert root == f"s3://{bucket}/p/"
    rows = read_rows(body(s3_client, bucket, store.record_key(upload.version)))
    assert f"records/{upload.version}.json" in keys
    assert {f"objects/{r.digest.sha256}" for r in rows} == set(keys) - {keys[0]}
    return {r.rel: body(s3_client, bucket, store.object_key(r.digest.sha256)) for r in rows}


def on_disk(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def counted(s3_client):
    """A client of this library's own settings whose every request passes a counting proxy."""
    proxy = S3Proxy(s3_client.meta.endpoint_url)
    client = boto3.session.Session().client(
        "s3", endpoint_url=proxy.endpoint, config=client_config()
    )
    return proxy, client


def test_every_file_is_delivered_under_its_name_through_either_channel(s3_client, bucket, tree):
    data = piece(bucket, tree)
    copied = piece(bucket, tree, "piped", PREFIX)
    job = [("job.json", b"{}")]
    generated = Upload(None, f"s3://{bucket}/p/", "code/job-0123456789abcdef", job, "job", PREFIX)
    out = io.StringIO()
    report = stage(s3_client, [data, copied, generated], out=out)
    assert delivered(s3_client, bucket, data) == on_disk(tree)
    assert delivered(s3_client, bucket, copied) == on_disk(tree)
    assert delivered(s3_client, bucket, generated) == {"job.json": b"{}"}
    objects = list_keys(s3_client, bucket, "p/objects/")
    assert len(objects) == 31 + 1  # 32 files, two alike; and job.json
    assert report.files_uploaded == 32
    lines = out.getvalue().splitlines()
    assert "(31 files, 18.7 KiB sent; 1 already in S3)" in lines[0]
    assert "(0 files, 0.0 KiB sent; 32 already in S3; 32 copied under their names)" in lines[1]
    assert list_keys(s3_client, bucket, "p/leases/") == {}  # released: no job to hand it to


def test_an_unchanged_rerun_sends_nothing_and_reads_one_head_per_piece(s3_client, bucket, tree):
    uploads = [piece(bucket, tree), piece(bucket, tree, "piped", PREFIX)]
    stage(s3_client, uploads, out=io.StringIO())
    proxy, client = counted(s3_client)
    out = io.StringIO()
    with proxy:
        report = stage(client, uploads, out=out)
    assert report.bytes_uploaded == 0
    assert all(line.startswith("unchanged ") for line in out.getvalue().splitlines())
    heads = [s.target for s in proxy.requests("HEAD") if "/p/" in s.target]
    assert len(heads) == 3  # each record, the prefix marker of the piped one
    puts = [s.target for s in proxy.requests("PUT")]
    assert all("/p/leases/" in t for t in puts)  # only the lease


def test_one_changed_file_among_many_costs_its_bytes_and_a_few_requests(
    s3_client, bucket, tmp_path
):
    """O(changed + N/1000) requests, not one per unchanged file: the counting proxy sees every
    request the rerun makes."""
    root = tmp_path / "many"
    root.mkdir()
    for i in range(1500):
        (root / f"f{i:04d}.bin").write_bytes(os.urandom(512))
    stage(s3_client, [piece(bucket, root)], out=io.StringIO())
    (root / "f0007.bin").write_bytes(os.urandom(700))
    second = piece(bucket, root)
    proxy, client = counted(s3_client)
    with proxy:
        report = stage(client, [second], out=io.StringIO())
    objects = [s for s in proxy.requests("PUT") if "/p/objects/" in s.target]
    assert len(objects) == 1
    assert objects[0].body_bytes >= 700
    assert report.pieces[0].files_uploaded == 1
    assert len(proxy.seen) <= 20, [(s.method, s.target[:60]) for s in proxy.seen]
    assert delivered(s3_client, bucket, second) == on_disk(root)


def test_contents_of_other_pieces_are_reused_not_sent(s3_client, bucket, tree, tmp_path):
    stage(s3_client, [piece(bucket, tree)], out=io.StringIO())
    other = tmp_path / "other"
    other.mkdir()
    (other / "same-as-top.txt").write_bytes(b"top\n")
    (other / "new.txt").write_bytes(b"new\n")
    # another piece's record is not read (only earlier versions of the same piece are), so
    # the same content is sent again: to the same key, with the same bytes
    report = stage(s3_client, [piece(bucket, other, "other")], out=io.StringIO())
    assert report.files_uploaded == 2
    (other / "new.txt").write_bytes(b"newer\n")
    report = stage(s3_client, [piece(bucket, other, "other")], out=io.StringIO())
    assert report.files_uploaded == 1  # the earlier version of "other" knows same-as-top


def test_a_same_size_rewrite_that_keeps_its_mtime_is_sent(s3_client, bucket, tree, monkeypatch):
    """Invariant (c): reuse is judged by content. `cp -p` keeps the mtime; the ctime moves, so
    the digest cache reads the file again and the new bytes are staged."""
    monkeypatch.setattr(digest, "RACY_SECONDS", -1.0)
    first = piece(bucket, tree)
    stage(s3_client, [first], out=io.StringIO())
    digest.save_digest_cache()
    target = tree / "top.txt"
    before = target.stat()
    target.write_bytes(b"TOP\n")
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    digest._RootCache._instances.clear()  # a new process
    second = piece(bucket, tree)
    assert second.version != first.version
    report = stage(s3_client, [second], out=io.StringIO())
    assert report.files_uploaded == 1
    assert delivered(s3_client, bucket, second)["top.txt"] == b"TOP\n"


def test_a_file_changed_after_it_was_hashed_never_lands(s3_client, bucket, tree):
    data = piece(bucket, tree)
    changed = tree / "level1-0" / "level2-0" / "file-00.bin"
    hashed = changed.read_bytes()
    changed.write_bytes(bytes(255 - b for b in hashed))  # same size, new bytes, after hashing
    with pytest.raises(TransferError, match="file-00.bin: changed while it was being staged"):
        stage(s3_client, [data], out=io.StringIO())
    old = data.store.object_key(digest.bytes_digest(hashed).sha256)
    assert old not in list_keys(s3_client, bucket, "p/objects/")
    assert list_keys(s3_client, bucket, "p/records/inputs/") == {}  # (a journal may remain)
    assert list_keys(s3_client, bucket, "p/leases/") == {}


@pytest.fixture
def answers(monkeypatch, mode):
    """Every request a sender started, and whether S3 had answered it when it ended."""
    from aws_sagemaker_remote.s3 import crt, ops

    started: list = []
    if mode == "classic":
        real_one = boto3ops.BotoS3._one

        def one(self, op, progress):
            started.append(op)
            return real_one(self, op, progress)

        monkeypatch.setattr(boto3ops.BotoS3, "_one", one)
    else:
        real_start = crt.CrtS3.start

        def start(self, op, on_done, progress):
            started.append(op)
            return real_start(self, op, on_done, progress)

        monkeypatch.setattr(crt.CrtS3, "start", start)
    answered = set()
    real_answered = ops.Op.answered

    def answer(self, headers, body=b""):
        if self.status is not None:
            answered.add(id(self))
        return real_answered(self, headers, body)

    monkeypatch.setattr(ops.Op, "answered", answer)
    return started, answered


def test_a_failed_run_leaves_no_request_in_flight(s3_client, bucket, tree, answers):
    """When one upload fails, stage() raises only once every request it started has its answer
    from S3: a request cancelled on the wire could still be written by the server after the
    caller went on (seen in CI: an object appearing under a later test). So what is in the
    bucket when it raises is exactly what S3 said it stored, and stays so."""
    started, answered = answers
    for i in range(700):
        (tree / "many" / f"f{i:03d}").parent.mkdir(exist_ok=True)
        (tree / "many" / f"f{i:03d}").write_bytes(os.urandom(4096))
    data = piece(bucket, tree)
    changed = tree / "level1-0" / "level2-0" / "file-00.bin"
    changed.write_bytes(bytes(255 - b for b in changed.read_bytes()))
    with pytest.raises(TransferError, match="file-00.bin: changed while it was being staged"):
        stage(s3_client, [data], out=io.StringIO())
    right_after = set(list_keys(s3_client, bucket, "p/objects/"))
    puts = [op for op in started if op.operation == "PutObject" and "/objects/" in op.key]
    assert puts, "no upload started"
    unanswered = [op.key for op in puts if id(op) not in answered or op.cancelled]
    assert unanswered == []
    stored = {op.key for op in puts if op.status == 200}
    assert right_after == stored
    for key in stored:  # one more round trip to S3 for each: nothing else appears
        s3_client.head_object(Bucket=bucket, Key=key)
    assert set(list_keys(s3_client, bucket, "p/objects/")) == right_after


def test_a_failing_run_deletes_nothing(s3_client, bucket, tree):
    """A run that fails half way leaves every object where it is: each holds the right bytes
    under its content-addressed key, and another run may rely on it."""
    stage(s3_client, [piece(bucket, tree)], out=io.StringIO())
    before = {k: body(s3_client, bucket, k) for k in list_keys(s3_client, bucket, "p/")}
    (tree / "added.bin").write_bytes(b"added")
    changing = piece(bucket, tree)
    (tree / "added.bin").write_bytes(b"ADDED")
    with pytest.raises(TransferError):
        stage(s3_client, [changing], out=io.StringIO())
    after = {k: body(s3_client, bucket, k) for k in list_keys(s3_client, bucket, "p/")}
    assert before.items() <= after.items()


@pytest.fixture
def small_multipart(monkeypatch):
    """The boto3 sender's path for files over PutObject's 5 GiB, at 6 MiB: s3transfer's
    multipart upload with the full-object CRC64NVME, then the stored checksum read back."""
    monkeypatch.setattr(boto3ops, "SINGLE_PUT_LIMIT", 6 * 1024 * 1024)
    monkeypatch.setattr(boto3ops, "MULTIPART_CHUNK", 5 * 1024 * 1024)


@pytest.fixture
def big(tmp_path):
    root = tmp_path / "big"
    root.mkdir()
    (root / "big.bin").write_bytes(os.urandom(17 * 1024 * 1024))
    return root


def test_big_files_are_checked_at_every_size_by_every_sender(
    s3_client, bucket, big, small_multipart
):
    """Invariant (d), the multipart path included (the CRT sends 16 MiB parts; boto3, with its
    single-put limit lowered, s3transfer's parts): S3 stores the checksum that was sent."""
    upload = piece(bucket, big)
    stage(s3_client, [upload], out=io.StringIO())
    key = upload.store.object_key(source_digest(upload.files[0][1]).sha256)
    head = s3_client.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
    assert head["ChecksumCRC64NVME"] == source_digest(upload.files[0][1]).crc64
    assert delivered(s3_client, bucket, upload) == on_disk(big)


def test_a_big_file_changed_after_hashing_is_refused_by_every_sender(
    s3_client, bucket, big, small_multipart
):
    upload = piece(bucket, big)
    with open(big / "big.bin", "r+b") as handle:  # same size, one byte changed
        handle.seek(12 * 1024 * 1024)
        handle.write(b"\xff" if handle.read(1) != b"\xff" else b"\x00")
    with pytest.raises(TransferError, match="big.bin: changed while it was being staged"):
        stage(s3_client, [upload], out=io.StringIO())
    assert list_keys(s3_client, bucket, "p/objects/") == {}
    assert s3_client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_an_expected_bucket_owner_is_passed_by_every_sender(
    s3_client, bucket, big, small_multipart
):
    """The boto3 sender's multipart path once crashed on ExpectedBucketOwner (a keyword
    upload_file does not take); it now travels in ExtraArgs, as s3transfer allows."""
    owner = boto3.client("sts").get_caller_identity()["Account"]
    upload = piece(bucket, big)
    stage(s3_client, [upload], out=io.StringIO(), owners={bucket: owner})
    assert delivered(s3_client, bucket, upload) == on_disk(big)


def test_an_open_upload_of_a_killed_run_is_aborted_by_the_next(s3_client, bucket, tree):
    """A multipart upload begun by a run killed before it could finish or abort it: the next
    run aborts it (it began before every live lease)."""
    left = s3_client.create_multipart_upload(Bucket=bucket, Key="p/objects/" + "a" * 64)
    import time

    time.sleep(3)  # S3's clock has 1 s steps; the next lease begins clearly later
    stage(s3_client, [piece(bucket, tree)], out=io.StringIO())
    uploads = s3_client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    assert left["UploadId"] not in [u["UploadId"] for u in uploads]


def test_under_a_lifecycle_rule_old_contents_are_renewed_before_reuse(s3_client, bucket, tree):
    """Under `prune --lifecycle N` what a submit relies on must outlive it: a record older than
    N/4 days is not trusted as complete, and objects written longer ago than that are copied
    onto themselves (which restarts S3's count) instead of being sent again. A marker of 0
    days makes everything old without waiting days."""
    first = piece(bucket, tree)
    stage(s3_client, [first], out=io.StringIO())
    s3_client.put_object(
        Bucket=bucket, Key="p/lifecycle.json", Body=json.dumps({"days": 0}).encode()
    )
    proxy, client = counted(s3_client)
    with proxy:
        report = stage(client, [first], out=io.StringIO())
    assert report.files_uploaded == 0
    renewals = [s for s in proxy.requests("PUT") if "/p/objects/" in s.target]
    assert len(renewals) == 31  # each distinct content copied onto itself, no byte sent
    assert all(s.body_bytes == 0 for s in renewals)
    assert [s for s in proxy.requests("PUT") if "/p/records/" in s.target]  # record rewritten
    rows = read_rows(body(s3_client, bucket, first.store.record_key(first.version)))
    assert all(row.written > 0 for row in rows)
    assert delivered(s3_client, bucket, first) == on_disk(tree)
