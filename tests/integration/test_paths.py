"""Nothing is written outside its target: hostile OutputNames on both backends (`processing
download`), object keys that climb out, container paths and symbolic links in the emulator."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from emulator_support import (
    CODE,
    INPUT,
    OUTPUT,
    make_request,
    put,
    s3_input,
    s3_output,
    submit,
    wait,
)

from aws_sagemaker_remote.backends.local.caller.awserror import validation_error
from aws_sagemaker_remote.kinds import PROCESSING

HOSTILE_NAMES = ["../../x", "/abs/x", "..", "a\\b", "C:x", "sub/name"]


def download(backend: str, name: str, target: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "aws_sagemaker_remote", "processing", "download", name]
    return subprocess.run(
        [*command, "--output", str(target), "--backend", backend],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=120,
    )


def tree(folder: Path) -> list:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def assert_refused(result: subprocess.CompletedProcess, name: str) -> None:
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1, result.stderr
    assert f"OutputName {name!r}" in lines[0]
    assert "Traceback" not in result.stderr


def hostile_outputs(bucket: str, name: str) -> list:
    return [
        s3_output(output, f"s3://{bucket}/{name}/out{i}", f"/opt/ml/processing/output/o{i}")
        for i, output in enumerate(["fine", *HOSTILE_NAMES])
    ]


@pytest.mark.parametrize("hostile", HOSTILE_NAMES)
def test_aws_download_refuses_a_hostile_output_name(aws_env, s3_client, bucket, tmp_path, hostile):
    """botocore and moto accept any OutputName (the shape has no pattern), as AWS does."""
    name = "hostile-aws"
    output = s3_output(hostile, f"s3://{bucket}/{name}/out", "/opt/ml/processing/output/o")
    request = make_request(name, bucket, outputs=[output])
    boto3.client("sagemaker").create_processing_job(**request)
    put(s3_client, bucket, f"{name}/out/payload.txt", "payload")
    work = tmp_path / "work"
    target = work / "a" / "b"
    target.mkdir(parents=True)
    result = download("aws", name, target)
    assert_refused(result, hostile)
    assert tree(work) == ["a", "a/b"]
    assert not Path("/abs/x").exists()


def test_local_download_refuses_hostile_output_names(backend, s3_client, bucket, tmp_path):
    """The emulator accepts the same names and runs the job; only the download refuses them."""
    name = "hostile-local"
    submit(backend, s3_client, bucket, name, "pass\n", outputs=hostile_outputs(bucket, name))
    assert wait(backend, name)["ProcessingJobStatus"] == "Completed"
    for i in range(len(HOSTILE_NAMES) + 1):
        put(s3_client, bucket, f"{name}/out{i}/payload.txt", "payload")
    work = tmp_path / "work"
    target = work / "a" / "b"
    target.mkdir(parents=True)
    result = download("local", name, target)
    assert_refused(result, HOSTILE_NAMES[0])
    assert tree(work) == ["a", "a/b"]


@pytest.fixture
def keeping_s3(aws_env, moto_endpoint, monkeypatch):
    """An S3 that stores keys as given, as AWS S3 does: SeaweedFS refuses `.` and `..` parts,
    turns `\\` into `/` and merges `//`, so these keys cannot exist there; moto keeps them."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", moto_endpoint)
    client = boto3.client("s3")
    client.create_bucket(Bucket="keeping")
    return client


# `a\\..\\..\\escape.txt` climbs only where a backslash separates folders (Windows): on Linux,
# as in a SageMaker container, it is one file of that name (below, and test_formats.py).
CLIMBING = ["../escape.txt", "./dot.txt", "/abs.txt", "x/.."]


@pytest.mark.parametrize("rel", CLIMBING)
def test_emulator_refuses_input_keys_that_climb_out(backend, keeping_s3, rel):
    name = "bad-key"
    put(keeping_s3, "keeping", f"data/{rel}", "x")
    put(keeping_s3, "keeping", "data/good.txt", "good")
    inputs = [s3_input("data", "s3://keeping/data/", INPUT)]
    submit(backend, keeping_s3, "keeping", name, "print('never')\n", inputs=inputs)
    description = wait(backend, name)
    assert description["ProcessingJobStatus"] == "Failed"
    assert "refusing to download" in description["FailureReason"]
    job_dir = backend.job_dir(PROCESSING, name)
    assert [p for p in job_dir.parent.iterdir() if p != job_dir] == []
    assert not list(job_dir.parent.parent.rglob("escape.txt"))


@pytest.mark.parametrize("rel", CLIMBING)
def test_download_refuses_output_keys_that_climb_out(aws_env, keeping_s3, tmp_path, rel):
    name = "bad-output-key"
    outputs = [s3_output("out", f"s3://keeping/{name}/out", OUTPUT)]
    request = make_request(name, "keeping", outputs=outputs)
    boto3.client("sagemaker").create_processing_job(**request)
    put(keeping_s3, "keeping", f"{name}/out/{rel}", "x")
    target = tmp_path / "work" / "dl"
    result = download("aws", name, target)
    lines = result.stderr.strip().splitlines()
    assert result.returncode != 0
    assert len(lines) == 1, result.stderr
    assert "refusing to download" in lines[0]
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_a_backslash_key_downloads_as_one_file_below_the_target(aws_env, keeping_s3, tmp_path):
    name = "backslash-output-key"
    outputs = [s3_output("out", f"s3://keeping/{name}/out", OUTPUT)]
    boto3.client("sagemaker").create_processing_job(
        **make_request(name, "keeping", outputs=outputs)
    )
    put(keeping_s3, "keeping", f"{name}/out/a\\..\\..\\escape.txt", "x")
    target = tmp_path / "work" / "dl"
    result = download("aws", name, target)
    assert result.returncode == 0, result.stderr
    assert [p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()] == [
        Path("work", "dl", "out", "a\\..\\..\\escape.txt")
    ]


def test_container_paths_that_leave_opt_ml_are_refused_at_create(backend, bucket):
    outputs = [s3_output("o", f"s3://{bucket}/o", "/opt/ml/processing/../../../../tmp/x")]
    request = make_request("escape-path", bucket, outputs=outputs)
    with pytest.raises(type(validation_error("x", "y")), match="must be a directory under"):
        backend.create_job(PROCESSING, request)
    assert not backend.store.exists("escape-path")


LINKER = """
import os, sys
out = sys.argv[1]
os.symlink(sys.argv[2], os.path.join(out, "link"))
with open(os.path.join(out, "own.txt"), "w") as f:
    f.write("own")
"""


def test_output_links_outside_the_instance_are_not_followed(backend, s3_client, bucket, tmp_path):
    secret = tmp_path / "outside.txt"
    secret.write_text("OUTSIDE-THE-INSTANCE")
    name = "link-out"
    outputs = [s3_output("out", f"s3://{bucket}/{name}/out", OUTPUT)]
    submit(
        backend, s3_client, bucket, name, LINKER, arguments=[OUTPUT, str(secret)], outputs=outputs
    )
    description = wait(backend, name)
    assert description["ProcessingJobStatus"] == "Failed"
    assert "'link' is a symbolic link" in description["FailureReason"]
    assert "outside the instance" in description["FailureReason"]
    listed = s3_client.list_objects_v2(Bucket=bucket, Prefix=f"{name}/out/")
    assert listed.get("KeyCount", 0) == 0


def test_output_links_inside_the_instance_are_uploaded(backend, s3_client, bucket):
    name = "link-in"
    outputs = [s3_output("out", f"s3://{bucket}/{name}/out", OUTPUT)]
    target = f"{CODE}/script.py"
    submit(backend, s3_client, bucket, name, LINKER, arguments=[OUTPUT, target], outputs=outputs)
    description = wait(backend, name)
    assert description["ProcessingJobStatus"] == "Completed", description.get("FailureReason")
    body = s3_client.get_object(Bucket=bucket, Key=f"{name}/out/link")["Body"].read()
    assert body.decode() == LINKER
