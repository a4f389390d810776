"""Digests of a big folder by child processes walking it (s3/hashers.py): the same digests as in
process, and nothing vouched for that the parent would not accept itself."""

from __future__ import annotations

import os

import pytest

from aws_sagemaker_remote.errors import FileChanged
from aws_sagemaker_remote.s3 import digest, hashers
from aws_sagemaker_remote.s3.digest import piece_files


@pytest.fixture(autouse=True)
def digest_home(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(hashers, "WORTH", 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    digest._RootCache._instances.clear()


def tree(root, count=12):
    for n in range(count):
        folder = root / f"d{n % 3}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"f{n}.bin").write_bytes(os.urandom(n * 997))  # 0 bytes to ~11 KiB
    (root / "name with\nnewline and é").write_bytes(b"odd name")
    (root / "linked").symlink_to(root / "d1", target_is_directory=True)
    return root


def walked(root):
    return [f for _, f in piece_files(root, lf=False, skip_junk=False)]


def answers(walkers, files):
    return {f.path: found for f, found in walkers.answers({f.path: f for f in files})}


def test_children_give_the_digests_the_parent_would(tmp_path, monkeypatch):
    monkeypatch.setattr(hashers, "CHUNK", 7)  # answers read across many chunk boundaries
    root = tree(tmp_path / "t")
    walkers = digest.start_hashing(root)
    files = walked(root)
    found = answers(walkers, files)
    mine = [f for f in files if "linked" not in f.path]  # behind a symlinked folder: the parent's
    assert found == {f.path: tuple(digest._hash_file(f)) for f in mine}


def test_a_file_changed_after_the_walk_is_not_vouched_for(tmp_path):
    root = tree(tmp_path / "t")
    files = walked(root)
    grown = next(f for f in files if f.size > 0)
    with open(grown.path, "ab") as handle:
        handle.write(b"more")
    found = answers(digest.start_hashing(root), files)
    assert grown.path not in found
    assert len(found) == len(files) - 1 - 4  # the grown file and the four behind the link
    with pytest.raises(FileChanged):
        digest.digest_many(files)  # the parent's own read says so, in its own words


def test_digest_many_takes_the_childrens_answers_and_hashes_the_rest(tmp_path, monkeypatch):
    root = tree(tmp_path / "t")
    walkers = digest.start_hashing(root)
    files = walked(root)
    reads = []
    real = digest._hash_file
    monkeypatch.setattr(digest, "_hash_file", lambda f: reads.append(f.path) or real(f))
    digest.digest_many(files, walkers)
    assert sorted(reads) == sorted(f.path for f in files if "linked" in f.path)
    assert [f.digest for f in files] == [real(f) for f in files]


def test_no_children_where_they_would_not_pay(tmp_path, monkeypatch):
    root = tree(tmp_path / "t")
    monkeypatch.setattr(hashers, "WORTH", 100)
    assert digest.start_hashing(root) is None  # a small folder
    monkeypatch.setattr(hashers, "WORTH", 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert digest.start_hashing(root) is None  # one core
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(digest, "RACY_SECONDS", -1.0)
    digest.digest_many(walked(root))
    digest.save_digest_cache()
    assert digest.start_hashing(root) is None  # its files are in the digest cache


def test_children_that_cannot_start_leave_everything_to_the_parent(tmp_path, monkeypatch):
    root = tree(tmp_path / "t")
    monkeypatch.setattr(hashers.sys, "executable", str(tmp_path / "no-python"))
    walkers = digest.start_hashing(root)
    files = walked(root)
    assert answers(walkers, files) == {}
    digest.digest_many(files, walkers)
    assert [f.digest for f in files] == [digest._hash_file(f) for f in files]


class Child:
    """Stands for a child process: running until `end()`."""

    def __init__(self):
        self.code = None

    def poll(self):
        return self.code

    def end(self, code=0):
        self.code = code


def test_answers_are_taken_as_a_child_writes_them_and_never_half(tmp_path):
    written, read = hashers._answer_file()
    child = Child()
    reader = hashers._Reader(child, read)
    with written:
        written.write(b"/a\x00line a\x00/b\x00li")
        written.flush()
        assert reader.records() == [(b"/a", b"line a")]
        assert reader.records() == []
        assert not reader.done  # it may still write
        written.write(b"ne b\x00/c\x00cut sh")  # the child dies in the middle of a record
        written.flush()
        child.end(-9)
    assert reader.records() == [(b"/b", b"line b")]
    assert not reader.done
    assert reader.records() == []
    assert reader.done  # ended, and all it wrote was read: "/c" is never taken
    read.close()
