"""`--sagemaker-download` of a training job: model.tar.gz and output.tar.gz fetched from S3 and
unpacked into the local model and output folders."""

import io
from types import SimpleNamespace

from helpers import archive

from aws_sagemaker_remote.follow.outputs import download_outputs, output_uris


def description(bucket, job="train-1", with_artifacts=True):
    found = {
        "TrainingJobName": job,
        "TrainingJobStatus": "Completed",
        "OutputDataConfig": {"S3OutputPath": f"s3://{bucket}/base/"},
    }
    if with_artifacts:
        found["ModelArtifacts"] = {
            "S3ModelArtifacts": f"s3://{bucket}/base/{job}/output/model.tar.gz"
        }
    return found


def test_model_and_output_archives_are_unpacked_locally(s3_client, bucket, tmp_path):
    prefix = "base/train-1/output"
    model = archive({"model.pkl": b"weights", "meta/info.json": b"{}"})
    s3_client.put_object(Bucket=bucket, Key=f"{prefix}/model.tar.gz", Body=model)
    output = archive({"report.txt": b"accuracy 0.9"})
    s3_client.put_object(Bucket=bucket, Key=f"{prefix}/output.tar.gz", Body=output)
    s3_client.put_object(Bucket=bucket, Key=f"{prefix}/model.tar.gz.old", Body=b"not this")
    local = {"model": str(tmp_path / "model"), "output": str(tmp_path / "output")}
    out = io.StringIO()
    done = download_outputs(SimpleNamespace(s3=s3_client), description(bucket), local, out=out)
    assert (tmp_path / "model" / "model.pkl").read_bytes() == b"weights"
    assert (tmp_path / "model" / "meta" / "info.json").read_bytes() == b"{}"
    assert (tmp_path / "output" / "report.txt").read_bytes() == b"accuracy 0.9"
    assert sorted(p.name for p in done["model"]) == ["info.json", "model.pkl"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model", "output"]  # no archive left
    assert f"model.tar.gz -> unpacked {tmp_path / 'model'} (2 files)" in out.getvalue()


def test_a_job_without_archives_says_so(s3_client, bucket, tmp_path):
    described = description(bucket, job="train-2", with_artifacts=False)
    assert output_uris(described) == {
        "model": f"s3://{bucket}/base/train-2/output/model.tar.gz",
        "output": f"s3://{bucket}/base/train-2/output/output.tar.gz",
    }
    out = io.StringIO()
    local = {"model": str(tmp_path / "model")}
    assert download_outputs(SimpleNamespace(s3=s3_client), described, local, out=out) == {}
    assert "Output model: the job wrote nothing" in out.getvalue()
