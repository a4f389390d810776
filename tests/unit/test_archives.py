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
    assert sorted(p.relative_to(dest).as_posix() for p in written) == [
        "deep/er/x.txt", "model.pkl", "sub/.hidden",
    ]  # fmt: skip
    assert (dest / "model.pkl").read_bytes() == b"weights"
    assert not list(dest.rglob(".*.partial"))


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
def test_a_hostile_member_refuses_the_whole_archive_before_writing(tmp_path, name, data, why):
    archive = make_archive(tmp_path / "model.tar.gz", [("model.pkl", b"w"), (name, data)])
    dest = tmp_path / "out" / "model"
    with pytest.raises(UnsafeArchiveError, match=why) as raised:
        unpack(archive, dest, "output model")
    assert str(raised.value).startswith(f"output model: member {name!r}")
    assert not dest.exists()
    assert not (tmp_path / "escape.txt").exists()
