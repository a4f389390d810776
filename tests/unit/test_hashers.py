"""Digests of many files by child processes (s3/hashers.py): the same digests as in process, and
nothing vouched for that the parent would not accept itself."""

from __future__ import annotations

import os

import pytest

from aws_sagemaker_remote.errors import FileChanged
from aws_sagemaker_remote.s3 import digest, hashers
from aws_sagemaker_remote.s3.digest import piece_files


@pytest.fixture(autouse=True)
def digest_home(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(hashers, "PARALLEL_MIN", 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    digest._RootCache._instances.clear()


def tree(root, count=12):
    for n in range(count):
        folder = root / f"d{n % 3}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"f{n}.bin").write_bytes(os.urandom(n * 997))  # 0 bytes to ~11 KiB
    (root / "name with\nnewline and é").write_bytes(b"odd name")
    return root


def test_children_give_the_digests_the_parent_would(tmp_path):
    files = [f for _, f in piece_files(tree(tmp_path / "t"), lf=False)]
    found = hashers.hash_in_children(files)
    assert len(found) == len(files)
    assert [tuple(digest._hash_file(f)) for f in files] == found


def test_a_file_changed_after_the_walk_is_not_vouched_for(tmp_path):
    files = [f for _, f in piece_files(tree(tmp_path / "t"), lf=False)]
    grown, gone = files[3], files[5]
    with open(grown.path, "ab") as handle:
        handle.write(b"more")
    os.unlink(gone.path)
    found = hashers.hash_in_children(files)
    assert found[3] is None
    assert found[5] is None
    assert sum(f is None for f in found) == 2
    with pytest.raises(FileChanged):
        digest.digest_many(files)  # the parent's own read says so, in its own words


def test_a_child_that_cannot_start_leaves_everything_to_the_parent(tmp_path, monkeypatch):
    files = [f for _, f in piece_files(tree(tmp_path / "t"), lf=False)]
    monkeypatch.setattr(hashers.sys, "executable", str(tmp_path / "no-python"))
    assert hashers.hash_in_children(files) == [None] * len(files)
    digest.digest_many(files)
    assert [f.digest for f in files] == [digest._hash_file(f) for f in files]


def test_too_few_files_or_one_core_hash_in_process(tmp_path, monkeypatch):
    files = [f for _, f in piece_files(tree(tmp_path / "t"), lf=False)]
    monkeypatch.setattr(hashers, "PARALLEL_MIN", len(files) + 1)
    assert hashers.hash_in_children(files) == []
    monkeypatch.setattr(hashers, "PARALLEL_MIN", 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert hashers.hash_in_children(files) == []
