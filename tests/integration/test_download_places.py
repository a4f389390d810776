"""A download's folder (issue 23, points 1-4): it ends up holding exactly the job's output,
nothing is ever written through a link already there, and a failed or killed download leaves
no temporary file behind. Through a training job's model.tar.gz (`--sagemaker-download`'s
code) and through `processing download`, against SeaweedFS and moto."""

from __future__ import annotations

import io
import tarfile
from types import SimpleNamespace

import pytest
from helpers import archive

from aws_sagemaker_remote import cli
from aws_sagemaker_remote.errors import UsageError
from aws_sagemaker_remote.follow.outputs import download_outputs
from aws_sagemaker_remote.follow.place import WORK_PREFIX, is_work_name

JOB = "dl-2024-01-02-03-04-05-678"
ROLE = "arn:aws:iam::123456789012:role/x"


def training(s3_client, bucket, model_files, job="train-1"):
    key = f"base/{job}/output/model.tar.gz"
    s3_client.put_object(Bucket=bucket, Key=key, Body=archive(model_files))
    return {
        "TrainingJobName": job,
        "TrainingJobStatus": "Completed",
        "OutputDataConfig": {"S3OutputPath": f"s3://{bucket}/base/"},
        "ModelArtifacts": {"S3ModelArtifacts": f"s3://{bucket}/{key}"},
    }


def download_model(s3_client, described, folder):
    out = io.StringIO()
    done = download_outputs(
        SimpleNamespace(s3=s3_client), described, {"model": str(folder)}, out=out
    )
    return done, out.getvalue()


def processing_job(sagemaker, s3_client, bucket, files):
    sagemaker.create_processing_job(
        ProcessingJobName=JOB,
        RoleArn=ROLE,
        AppSpecification={"ImageUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/img:1"},
        ProcessingResources={
            "ClusterConfig": {
                "InstanceCount": 1,
                "InstanceType": "ml.t3.medium",
                "VolumeSizeInGB": 30,
            }
        },
        ProcessingOutputConfig={
            "Outputs": [
                {
                    "OutputName": "out",
                    "S3Output": {
                        "S3Uri": f"s3://{bucket}/p/{JOB}/out",
                        "LocalPath": "/opt/ml/processing/output/out",
                        "S3UploadMode": "EndOfJob",
                    },
                }
            ]
        },
    )
    for rel, data in files.items():
        s3_client.put_object(Bucket=bucket, Key=f"p/{JOB}/out/{rel}", Body=data)


@pytest.fixture
def sagemaker(aws_env):
    import boto3

    return boto3.session.Session().client("sagemaker")


def cli_download(capsys, target):
    code = cli.main(["processing", "download", JOB, "--output", str(target)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def left_behind(folder):
    return [p for p in folder.rglob("*") if "partial" in p.name or is_work_name(p.name)]


# ---------------------------------------------------------------- 23.1 links


def test_model_archive_never_writes_through_a_link_in_the_folder(s3_client, bucket, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    model = tmp_path / "dir" / "model"
    model.mkdir(parents=True)
    (model / "sub").symlink_to(elsewhere)
    described = training(s3_client, bucket, {"sub/evil.txt": b"x", "ok.txt": b"y"})
    with pytest.raises(UsageError, match=r"sub@") as raised:
        download_model(s3_client, described, model)
    assert "still in S3 at s3://" in str(raised.value)
    assert list(elsewhere.iterdir()) == []
    assert not (model / "ok.txt").exists()
    assert left_behind(model) == []


def test_processing_download_never_writes_through_a_link(
    capsys, sagemaker, s3_client, bucket, tmp_path
):
    processing_job(sagemaker, s3_client, bucket, {"sub/evil2.txt": b"x"})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = tmp_path / "dl"
    (target / "out").mkdir(parents=True)
    (target / "out" / "sub").symlink_to(elsewhere)
    code, _, err = cli_download(capsys, target)
    assert code == 2
    assert "sub@" in err
    assert err.count("\n") == 1
    assert list(elsewhere.iterdir()) == []


def test_a_link_made_after_the_check_is_still_not_followed(s3_client, bucket, tmp_path):
    """The placing walk itself opens each folder with O_NOFOLLOW: a link that appears between
    the stray check and the move (a race) is refused, not followed."""
    from aws_sagemaker_remote.follow import place

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    dest = tmp_path / "model"
    work = place.work_folder(dest)
    (work / "0").write_bytes(b"x")
    (dest / "sub").symlink_to(elsewhere)
    with pytest.raises(place.LinkInTheWay, match="sub is a link"):
        place.place(work, [("0", "sub/evil.txt")], [], dest)
    assert list(elsewhere.iterdir()) == []


# ---------------------------------------------------------------- 23.2 exactly the output


def test_a_rerun_into_a_folder_with_other_files_is_refused_naming_them(
    capsys, sagemaker, s3_client, bucket, tmp_path
):
    processing_job(sagemaker, s3_client, bucket, {"a.txt": b"new"})
    target = tmp_path / "dl"
    (target / "out" / "old").mkdir(parents=True)
    for name in ("a.txt", "b.txt", "c.txt"):
        (target / "out" / name).write_text("previous run")
    code, _, err = cli_download(capsys, target)
    assert code == 2
    assert "b.txt, c.txt, old/" in err
    assert "still in S3" in err
    assert (target / "out" / "a.txt").read_text() == "previous run"  # nothing written


def test_files_of_the_output_itself_are_replaced(capsys, sagemaker, s3_client, bucket, tmp_path):
    processing_job(sagemaker, s3_client, bucket, {"a.txt": b"new", "sub/b.txt": b"b"})
    target = tmp_path / "dl"
    (target / "out" / "sub").mkdir(parents=True)
    (target / "out" / "a.txt").write_text("previous run")
    code, out, _ = cli_download(capsys, target)
    assert code == 0, out
    assert (target / "out" / "a.txt").read_bytes() == b"new"
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*")) == [
        "out", "out/a.txt", "out/sub", "out/sub/b.txt",
    ]  # fmt: skip
    assert "(2 files)" in out


def test_model_and_output_archives_never_unpack_into_one_folder(s3_client, bucket, tmp_path):
    described = training(s3_client, bucket, {"model.pkl": b"m"})
    prefix = "base/train-1/output"
    s3_client.put_object(
        Bucket=bucket, Key=f"{prefix}/output.tar.gz", Body=archive({"report.txt": b"r"})
    )
    both = {"model": str(tmp_path / "x"), "output": str(tmp_path / "x")}
    with pytest.raises(UsageError, match="report.txt|model.pkl"):
        download_outputs(SimpleNamespace(s3=s3_client), described, both, out=io.StringIO())
    assert sorted(p.name for p in (tmp_path / "x").iterdir()) == ["model.pkl"]


# ---------------------------------------------------------------- 23.3 / 23.4 leftovers, names


def test_a_killed_downloads_work_folder_is_removed_by_the_next(s3_client, bucket, tmp_path):
    model = tmp_path / "model"
    dead = model / f"{WORK_PREFIX}999999999-abc.partial"  # no such process
    dead.mkdir(parents=True)
    (dead / "0").write_bytes(b"half")
    described = training(s3_client, bucket, {"model.pkl": b"m"})
    done, _ = download_model(s3_client, described, model)
    assert [p.name for p in model.iterdir()] == ["model.pkl"]
    assert done["model"] == [model / "model.pkl"]


def test_a_failed_unpack_leaves_nothing_behind(s3_client, bucket, tmp_path):
    key = "base/train-1/output/model.tar.gz"
    described = training(s3_client, bucket, {})
    s3_client.put_object(Bucket=bucket, Key=key, Body=b"not an archive" * 1000)
    with pytest.raises(tarfile.TarError):
        download_model(s3_client, described, tmp_path / "model")
    assert list((tmp_path / "model").iterdir()) == []


@pytest.mark.usefixtures("mode")
def test_a_255_byte_name_is_downloaded(capsys, sagemaker, s3_client, bucket, tmp_path):
    name = "n" * 251 + ".txt"
    processing_job(sagemaker, s3_client, bucket, {name: b"long", f"d/{name}": b"deep"})
    code, out, err = cli_download(capsys, tmp_path / "dl")
    assert code == 0, err
    assert (tmp_path / "dl" / "out" / name).read_bytes() == b"long"
    assert (tmp_path / "dl" / "out" / "d" / name).read_bytes() == b"deep"
    assert left_behind(tmp_path / "dl") == []
