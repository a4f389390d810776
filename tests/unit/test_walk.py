"""Every kind of entry an input or code folder may hold: what is shipped, what is refused with
one line naming it (never opened), and symlinked folders (followed, loops detected)."""

from __future__ import annotations

import os
import socket
import threading

import pytest

from aws_sagemaker_remote.s3.digest import piece_files
from aws_sagemaker_remote.s3.walk import UnstageableFile, walk


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "data"
    root.mkdir()
    (root / "a.txt").write_text("a")
    return root


def refused(root, fragment):
    with pytest.raises(UnstageableFile) as caught:
        walk(root)
    message = str(caught.value)
    assert "\n" not in message
    assert fragment in message
    return message


def test_a_fifo_is_refused_and_never_opened(folder):
    os.mkfifo(folder / "pipe")
    opened = []
    reader = threading.Thread(target=lambda: opened.append(open(folder / "pipe", "wb")))  # noqa: SIM115
    message = refused(folder, "a FIFO")
    assert str(folder / "pipe") in message
    # Nothing opened the FIFO's read end: a writer would still block (we unblock it ourselves).
    reader.daemon = True
    reader.start()
    reader.join(0.2)
    assert reader.is_alive()
    with open(folder / "pipe", "rb"):
        reader.join(5)
    assert opened


def test_a_socket_is_refused(folder):
    path = folder / "sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        refused(folder, "a socket")


def test_a_device_is_refused(folder):
    os.symlink("/dev/null", folder / "null")
    refused(folder, "a character device")


def test_a_dangling_symlink_is_refused(folder):
    os.symlink(folder / "missing", folder / "dangling")
    refused(folder, "a dangling symlink")


def test_a_symlink_to_itself_is_refused(folder):
    os.symlink(folder / "self", folder / "self")
    refused(folder, "a symlink that cannot be followed")


def test_a_symlinked_folder_is_followed(folder, tmp_path):
    outside = tmp_path / "shared"
    (outside / "deep").mkdir(parents=True)
    (outside / "deep" / "b.txt").write_text("b")
    os.symlink(outside, folder / "linked")
    assert [rel for rel, _ in walk(folder)] == ["a.txt", "linked/deep/b.txt"]


def test_a_symlink_loop_is_refused(folder):
    (folder / "sub").mkdir()
    os.symlink(folder, folder / "sub" / "back")
    refused(folder, "a symlink loop")


def test_output_walks_skip_what_cannot_be_shipped(folder):
    os.mkfifo(folder / "pipe")
    os.symlink(folder / "missing", folder / "dangling")
    assert [rel for rel, _ in walk(folder, strict=False)] == ["a.txt"]


def test_an_unreadable_file_is_refused(folder, monkeypatch):
    """chmod 0 refuses the file to everyone but root; as root (CI), the permission check itself
    answers "no" for that one file, as it would for any other user."""
    secret = folder / "secret.txt"
    secret.write_text("s")
    secret.chmod(0)
    if os.geteuid() == 0:
        real_access = os.access
        monkeypatch.setattr(
            os, "access", lambda path, mode: str(path) != str(secret) and real_access(path, mode)
        )
    message = refused(folder, "not readable (permission denied)")
    assert message.startswith(str(secret))


def test_piece_files_refuse_the_same_entries(folder):
    os.mkfifo(folder / "pipe")
    with pytest.raises(UnstageableFile, match="a FIFO"):
        piece_files(folder)


def test_a_name_that_is_not_utf8_is_refused_naming_it(tmp_path):
    """Issue 23 point 4: S3 keys are UTF-8; the CRT sender would crash on such a name."""
    os.close(os.open(os.fsencode(tmp_path) + b"/caf\xe9.txt", os.O_CREAT | os.O_WRONLY, 0o644))
    with pytest.raises(UnstageableFile, match=r"caf\\xe9.txt: its name is not UTF-8"):
        walk(tmp_path)


def test_a_download_work_folder_is_never_shipped(tmp_path):
    """Issue 23 point 3: a killed download's work folder (follow/place.py) is not an input."""
    (tmp_path / "kept.txt").write_text("k")
    work = tmp_path / "sub" / ".aws-sagemaker-remote-4242-abc_12.partial"
    work.mkdir(parents=True)
    (work / "0").write_text("half")
    assert [rel for rel, _ in walk(tmp_path)] == ["kept.txt"]
