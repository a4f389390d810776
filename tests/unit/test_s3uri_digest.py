from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest
from helpers import path_digest

from aws_sagemaker_remote.errors import UsageError
from aws_sagemaker_remote.s3 import digest
from aws_sagemaker_remote.s3.digest import bytes_digest, piece_digest, piece_files, to_lf
from aws_sagemaker_remote.s3.progress import TransferProgress
from aws_sagemaker_remote.s3.uri import S3Uri, parse
from aws_sagemaker_remote.s3.walk import walk


@pytest.fixture(autouse=True)
def digest_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_HOME", str(home))
    return home


# -- s3uri ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("uri", "bucket", "key"),
    [
        ("s3://my-bucket", "my-bucket", ""),
        ("s3://my-bucket/", "my-bucket", ""),
        ("s3://my.bucket-1/a/b.txt", "my.bucket-1", "a/b.txt"),
        ("s3://abc/prefix/", "abc", "prefix/"),
    ],
)
def test_parse_valid(uri, bucket, key):
    parsed = parse(uri)
    assert parsed == S3Uri(bucket, key)
    assert S3Uri.parse(uri) == parsed
    assert str(parsed) == f"s3://{bucket}/{key}"


@pytest.mark.parametrize(
    ("uri", "reason"),
    [
        ("/local/path", "must start with s3://"),
        ("S3://bucket/key", "must start with s3://"),
        ("https://bucket/key", "must start with s3://"),
        ("s3://", "bucket name is empty"),
        ("s3:///key", "bucket name is empty"),
        ("s3://My_Bucket/key", "invalid bucket name 'My_Bucket'"),
        ("s3://ab/key", "invalid bucket name 'ab'"),
        ("s3://-abc/key", "invalid bucket name"),
        ("s3://a..b/key", "invalid bucket name 'a..b'"),
        ("s3://192.168.1.1/key", "not an IP address"),
        ("s3://bucket/" + "k" * 1020, "longer than 1024"),
    ],
)
def test_parse_errors_name_the_reason(uri, reason):
    with pytest.raises(ValueError, match=reason.replace(".", r"\.").replace("'", "'")):
        parse(uri)


def test_parse_rejects_non_strings():
    with pytest.raises(ValueError, match="not an S3 URI"):
        parse(None)  # type: ignore[arg-type]


def test_join_and_prefix():
    base = parse("s3://bucket/base")
    assert str(base.join("code", "script-abc/")) == "s3://bucket/base/code/script-abc/"
    assert str(base.join("/a/", "b.txt")) == "s3://bucket/base/a/b.txt"
    assert str(parse("s3://bucket/base/").join("x")) == "s3://bucket/base/x"
    assert str(parse("s3://bucket").join("x/", "y")) == "s3://bucket/x/y"
    assert str(parse("s3://bucket/p").as_prefix()) == "s3://bucket/p/"
    assert parse("s3://bucket/a/b.txt").basename == "b.txt"
    assert parse("s3://bucket/a/dir/").basename == "dir"


# -- tree_files and digests --------------------------------------------------------------------


def make_tree(root):
    (root / "pkg" / "sub").mkdir(parents=True)
    (root / "pkg" / "__pycache__").mkdir()
    (root / ".git").mkdir()
    (root / "top.py").write_text("print('top')\n")
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "sub" / "mod.py").write_text("X = 1\n")
    (root / "pkg" / "__pycache__" / "mod.cpython-311.pyc").write_bytes(b"\0junk")
    (root / "pkg" / "old.pyc").write_bytes(b"\0junk")
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (root / ".DS_Store").write_bytes(b"junk")
    return root


def test_walk_is_sorted_relative_and_skips_junk(tmp_path):
    root = make_tree(tmp_path / "tree")
    files = walk(root)
    assert [rel for rel, _ in files] == ["pkg/__init__.py", "pkg/sub/mod.py", "top.py"]
    assert all(file.path == str(root / rel) for rel, file in files)
    assert all(file.size == (root / rel).stat().st_size for rel, file in files)
    everything = [rel for rel, _ in walk(root, skip_junk=False)]
    assert ".git/HEAD" in everything
    assert "pkg/old.pyc" in everything


def test_walk_of_a_single_file_is_its_basename(tmp_path):
    file = tmp_path / "dir" / "script.py"
    file.parent.mkdir()
    file.write_text("x")
    [(rel, found)] = walk(file)
    assert rel == "script.py"
    assert found.path == str(file)


def test_walk_of_a_missing_path_is_one_line(tmp_path):
    with pytest.raises(UsageError, match="nope: no such file or folder"):
        walk(tmp_path / "nope")


def test_piece_digest_follows_the_documented_definition(tmp_path):
    root = make_tree(tmp_path / "tree")
    pairs = sorted(
        (rel, hashlib.sha256(Path(file.path).read_bytes()).hexdigest()) for rel, file in walk(root)
    )
    outer = hashlib.sha256()
    for rel, inner in pairs:
        outer.update(f"{rel}\0{inner}\n".encode())
    value = piece_digest(walk(root))
    assert value == outer.hexdigest()[:16]
    assert len(value) == 16
    assert int(value, 16) >= 0


def test_digest_is_stable_and_ignores_junk_and_location(tmp_path):
    one = make_tree(tmp_path / "one")
    two = make_tree(tmp_path / "two")
    (two / "pkg" / "__pycache__" / "other.pyc").write_bytes(b"different junk")
    assert path_digest(one) == path_digest(one) == path_digest(two)


def test_digest_changes_with_content_and_with_path(tmp_path):
    root = make_tree(tmp_path / "tree")
    before = path_digest(root)
    (root / "pkg" / "sub" / "mod.py").write_text("X = 2\n")
    changed = path_digest(root)
    assert changed != before
    (root / "pkg" / "sub" / "mod.py").rename(root / "pkg" / "sub" / "renamed.py")
    assert path_digest(root) not in (before, changed)


def test_digest_accepts_bytes_sources(tmp_path):
    file = tmp_path / "job.json"
    file.write_bytes(b'{"argv": []}')
    [(_, local)] = walk(file)
    assert piece_digest([("job.json", b'{"argv": []}')]) == piece_digest([("job.json", local)])


def test_file_digest_has_the_crc64nvme_s3_reports(tmp_path):
    """The base64 big-endian CRC64NVME, as S3's x-amz-checksum-crc64nvme (checked against
    SeaweedFS's answer in the staging tests); a known vector: crc64nvme(b"123456789")."""
    assert bytes_digest(b"123456789").crc64 == "rosUhgp5mIg="
    file = tmp_path / "f.bin"
    file.write_bytes(b"123456789")
    [(_, local)] = walk(file)
    assert digest.source_digest(local) == bytes_digest(b"123456789")


# -- the on-disk cache ---------------------------------------------------------------------


def new_process():
    """What a new process knows: nothing but the cache files on disk."""
    digest._RootCache._instances.clear()


def digests_of(root):
    return {rel: digest.source_digest(file) for rel, file in piece_files(root, lf=False)}


@pytest.fixture
def hashed(monkeypatch):
    """Every file read for its digest, by path."""
    reads = []
    real = digest._hash_file
    monkeypatch.setattr(digest, "_hash_file", lambda f: reads.append(f.path) or real(f))
    return reads


@pytest.fixture
def settled(monkeypatch):
    """Files written by the test count as settled (not racy): the cache keeps their digests."""
    monkeypatch.setattr(digest, "RACY_SECONDS", -1.0)


def test_an_unchanged_rerun_reads_no_file(tmp_path, hashed, settled):
    root = make_tree(tmp_path / "tree")
    first = digests_of(root)
    digest.save_digest_cache()
    new_process()
    hashed.clear()
    assert digests_of(root) == first
    assert hashed == []


def test_a_same_size_rewrite_that_restores_the_mtime_is_read_again(tmp_path, hashed, settled):
    """`cp -p`, rsync and unpacked archives keep the old mtime; the ctime still moves."""
    root = make_tree(tmp_path / "tree")
    target = root / "top.py"
    first = digests_of(root)
    digest.save_digest_cache()
    before = target.stat()
    target.write_bytes(b"y" * before.st_size)  # same size, other bytes
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))  # the mtime put back
    assert target.stat().st_mtime_ns == before.st_mtime_ns
    new_process()
    hashed.clear()
    second = digests_of(root)
    assert hashed == [str(target)]
    assert second["top.py"] != first["top.py"]
    assert second["top.py"] == digest.bytes_digest(b"y" * before.st_size)


def test_a_file_modified_as_it_is_hashed_is_not_cached(tmp_path, hashed):
    """Within RACY_SECONDS of its last change a file may change again in the same timestamp
    tick: its digest is used for this run, never kept."""
    root = make_tree(tmp_path / "tree")
    digests_of(root)  # the files were just written
    digest.save_digest_cache()
    new_process()
    hashed.clear()
    digests_of(root)
    assert len(hashed) == 3


def test_cache_failures_are_ignored(tmp_path, monkeypatch, settled):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache directory should be")
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_HOME", str(blocker))
    file = tmp_path / "f.bin"
    file.write_bytes(b"z" * 10)
    assert len(path_digest(file)) == 16
    digest.save_digest_cache()  # nothing raised


def test_corrupt_cache_is_ignored(tmp_path, digest_home, settled):
    root = make_tree(tmp_path / "tree")
    first = digests_of(root)
    digest.save_digest_cache()
    for cache_file in (digest_home / "cache" / "digests").glob("*.json"):
        cache_file.write_text("{not json")
    new_process()
    assert digests_of(root) == first


def test_concurrent_runs_merge_their_cache_entries(tmp_path, digest_home, hashed, settled):
    """Two runs that hashed different files of one root both keep theirs, whichever saves
    last."""
    root = make_tree(tmp_path / "tree")
    files = dict(piece_files(root, lf=False))
    path = digest_home / "cache" / "digests" / "one.json"
    first = digest._RootCache(str(root), path)
    second = digest._RootCache(str(root), path)
    for cache, rel in ((first, "top.py"), (second, "pkg/sub/mod.py")):
        file = files[rel]
        file.digest = None
        file.cache = cache
        digest.source_digest(file)
    first.save()
    second.save()
    new_process()
    hashed.clear()
    both = digest._RootCache(str(root), path)
    assert both.lookup(files["top.py"]) is not None
    assert both.lookup(files["pkg/sub/mod.py"]) is not None


def test_a_walk_done_ahead_is_taken_once(tmp_path, hashed):
    """warm.py walks and reads the inputs while resolve waits on AWS; the plan takes that
    walk instead of walking again."""
    root = make_tree(tmp_path / "tree")
    with digest.walking_ahead():
        ahead = piece_files(root, lf=False, skip_junk=False)
        for _rel, file in ahead:
            digest.source_digest(file)
    taken = piece_files(root, lf=False, skip_junk=False)
    assert [f for _, f in taken] == [f for _, f in ahead]
    assert all(f.digest is not None for _, f in taken)
    assert piece_files(root, lf=False, skip_junk=False)[0][1] is not ahead[0][1]


# -- line endings ------------------------------------------------------------------------------


def test_to_lf_converts_crlf_and_cr():
    assert to_lf(b"echo a\r\necho b\recho c\n\r\n") == b"echo a\necho b\necho c\n\n"


def test_shell_files_are_digested_with_lf_endings(tmp_path):
    crlf = tmp_path / "crlf" / "setup.sh"
    lf = tmp_path / "lf" / "setup.sh"
    crlf.parent.mkdir()
    lf.parent.mkdir()
    crlf.write_bytes(b"export X=1\r\n")
    lf.write_bytes(b"export X=1\n")
    assert path_digest(crlf) == path_digest(lf)
    assert piece_files(crlf) == [("setup.sh", b"export X=1\n")]
    assert path_digest(crlf, lf=False) != path_digest(lf, lf=False)
    data = tmp_path / "data.txt"
    data.write_bytes(b"a\r\n")
    assert [(rel, f.path) for rel, f in piece_files(data)] == [("data.txt", str(data))]
    assert piece_files(data, lf=True) == [("data.txt", b"a\n")]


# -- progress ----------------------------------------------------------------------------------


class FakeTTY(io.StringIO):
    def isatty(self):
        return True


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_progress_line_on_a_terminal_is_drawn_at_once_and_throttled():
    out, clock = FakeTTY(), Clock()
    progress = TransferProgress(100 * 1024 * 1024, 4, out, clock=clock)
    assert out.getvalue().count("\r") == 1  # drawn at the start: a slow start never looks hung
    clock.now = 0.5
    for _ in range(50):  # 50 updates within the same instant: one draw
        progress.bytes_sent(1024 * 1024)
    progress.op_done()
    assert out.getvalue().count("\r") == 2
    clock.now = 1.0
    progress.bytes_sent(0)
    text = out.getvalue().rsplit("\r", 1)[-1]
    assert "uploading 1/4 files, 50.0 MiB / 100.0 MiB" in text
    assert "50.0 MiB/s" in text
    assert "1s left" in text
    progress.finish()
    assert out.getvalue().endswith("\r")


def test_progress_is_silent_off_a_terminal():
    out = io.StringIO()
    progress = TransferProgress(10, 1, out)
    progress.bytes_sent(10)
    progress.op_done()
    progress.finish()
    assert out.getvalue() == ""


def test_progress_shows_what_it_checks_then_what_it_sends():
    out, clock = FakeTTY(), Clock()
    progress = TransferProgress(0, 0, out, label="checking 3 piece(s)", clock=clock)
    assert out.getvalue() == "\rchecking 3 piece(s) ..."
    clock.now = 0.2
    progress.restart(2048, 2, "uploading")
    assert out.getvalue().rsplit("\r", 1)[-1].startswith("uploading 0/2 files, 0.0 KiB / 2.0 KiB")
