"""Every kind of entry in an input folder, through the real entry point and the emulator: what
cannot be shipped is refused before anything is uploaded (one line, exit 2, the file named);
a symlinked folder is shipped as the folder it points to."""

from __future__ import annotations

import json
import os
import socket
import textwrap

import boto3
import pytest
from e2e_support import run_script

SCRIPT = textwrap.dedent(
    """
    import json, os
    from aws_sagemaker_remote import sagemaker_processing_main

    def main(args):
        seen = sorted(
            os.path.relpath(os.path.join(folder, name), args.data)
            for folder, _, names in os.walk(args.data) for name in names
        )
        os.makedirs(args.out, exist_ok=True)
        json.dump(seen, open(os.path.join(args.out, "seen.json"), "w"))

    sagemaker_processing_main(main=main, inputs={"data": "data"}, outputs={"out": "out"})
    """
)


@pytest.fixture
def project(tmp_path):
    (tmp_path / "job.py").write_text(SCRIPT)
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.txt").write_text("a")
    return tmp_path


def staged_objects(prefix: str) -> int:
    s3 = boto3.client("s3")
    try:
        listed = s3.list_objects_v2(Bucket="sagemaker-us-east-1-000000000000", Prefix=prefix)
    except s3.exceptions.NoSuchBucket:
        return 0
    return listed.get("KeyCount", 0)


def submit(project, *extra):
    prefix = f"kinds-{project.name}"
    result = run_script(
        project / "job.py", "--sagemaker-run", "yes", "--sagemaker-download", "yes",
        "--data", project / "data", "--out", project / "out", "--sagemaker-prefix", prefix, *extra,
    )  # fmt: skip
    return result, prefix


def make_fifo(path):
    os.mkfifo(path)


def make_socket(path):
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    return sock


def make_dangling(path):
    os.symlink(path.parent / "nowhere", path)


def make_loop(path):
    path.mkdir()
    os.symlink(path.parent, path / "back")


@pytest.mark.parametrize(
    ("make", "what"),
    [
        (make_fifo, "a FIFO"),
        (make_socket, "a socket"),
        (make_dangling, "a dangling symlink"),
        (make_loop, "a symlink loop"),
    ],
)
def test_unshippable_entries_are_refused_before_any_upload(emulator_env, project, make, what):
    entry = project / "data" / "odd"
    keep = make(entry)
    result, prefix = submit(project)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert what in lines[0]
    assert str(project / "data") in lines[0]
    assert "Traceback" not in result.stderr
    assert staged_objects(prefix) == 0
    del keep


def test_a_symlinked_folder_is_shipped_as_its_target(emulator_env, project, tmp_path_factory):
    shared = tmp_path_factory.mktemp("shared")
    (shared / "deep").mkdir()
    (shared / "deep" / "b.txt").write_text("b")
    os.symlink(shared, project / "data" / "linked")
    result, _ = submit(project)
    assert result.returncode == 0, result.stderr
    assert json.loads((project / "out" / "seen.json").read_text()) == ["a.txt", "linked/deep/b.txt"]
