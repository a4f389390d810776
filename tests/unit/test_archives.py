"""A training archive from S3 is unpacked only when every member stays a plain file or folder
below the target."""

import io
import tarfile

import pytest

from aws_sagemaker_remote.follow.archives import UnsafeArchiveError, unpack


def make_archive(path, members):
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            if data is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            elif isinstance(data, tuple):
                info.type, info.linkname = data
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return path


def test_files_and_folders_land_below_the_target(tmp_path):
    archive = make_archive(tmp_path / "model.tar.gz", [
        ("./", None), ("./model.pkl", b"weights"), ("sub/", None), ("sub/.hidden", b"h"),
        ("deep/er/x.txt", b"x"),
    ])  # fmt: skip
    dest = tmp_path / "model"
    written = unpack(archive, dest, "output model")
    assert sorted(written) == ["deep/er/x.txt", "model.pkl", "sub/", "sub/.hidden"]
    assert (dest / "model.pkl").read_bytes() == b"weights"
    assert not list(dest.rglob(".*.partial"))


@pytest.fixture(params=["stdlib", "fallback"])
def data_filter(request, monkeypatch):
    """Each test below runs with tarfile's own `data` filter and with ours, which a Python
    without `tarfile.data_filter` (before 3.11.4) uses."""
    if request.param == "fallback":
        monkeypatch.delattr(tarfile, "data_filter", raising=False)
    elif not hasattr(tarfile, "data_filter"):
        pytest.skip("this Python's tarfile has no data filter")
    return request.param


def test_a_link_already_in_the_target_is_never_followed(tmp_path, data_filter):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    dest = tmp_path / "model"
    dest.mkdir()
    (dest / "sub").symlink_to(elsewhere)
    archive = make_archive(tmp_path / "model.tar.gz", [("sub/evil.txt", b"x")])
    with pytest.raises(UnsafeArchiveError, match="outside") as raised:
        unpack(archive, dest, "output model")
    assert str(raised.value).startswith("output model: member 'sub/evil.txt'")
    assert list(elsewhere.iterdir()) == []


def test_modes_are_cleaned_as_the_data_filter_does(tmp_path, data_filter):
    with tarfile.open(tmp_path / "a.tar.gz", "w:gz") as tar:
        for name, mode in [("run.sh", 0o4777), ("data.bin", 0o466)]:
            info = tarfile.TarInfo(name)
            info.mode, info.size = mode, 1
            tar.addfile(info, io.BytesIO(b"x"))
    dest = tmp_path / "out"
    unpack(tmp_path / "a.tar.gz", dest, "output output")
    assert (dest / "run.sh").stat().st_mode & 0o7777 == 0o755  # no set-uid, no group write
    assert (dest / "data.bin").stat().st_mode & 0o7777 == 0o644  # owner may read and write


@pytest.mark.parametrize(
    ("name", "data", "why"),
    [
        ("../escape.txt", b"x", "outside"),
        ("a/../../escape.txt", b"x", "outside"),
        ("/etc/passwd", b"x", "outside"),
        ("link", (tarfile.SYMTYPE, "/etc/passwd"), "not a regular file"),
        ("hard", (tarfile.LNKTYPE, "model.pkl"), "not a regular file"),
        ("fifo", (tarfile.FIFOTYPE, ""), "not a regular file"),
    ],
)
def test_a_hostile_member_refuses_the_whole_archive_before_writing(
    tmp_path, name, data, why, data_filter
):
    archive = make_archive(tmp_path / "model.tar.gz", [("model.pkl", b"w"), (name, data)])
    dest = tmp_path / "out" / "model"
    with pytest.raises(UnsafeArchiveError, match=why) as raised:
        unpack(archive, dest, "output model")
    assert str(raised.value).startswith(f"output model: member {name!r}")
    assert not dest.exists()
    assert not (tmp_path / "escape.txt").exists()
