"""Images by name through a user's script (issue 19 acceptance): offline dry runs of both job
kinds give exactly the SDK table's URI; the ``image=`` argument of both faces; each refusal is
one line, exit 2, before anything is uploaded or created."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import boto3
import pytest
from helpers import offline
from test_remote import all_objects, owned_buckets, submit

ACCOUNT = "123456789012"
DLC = "763104351884.dkr.ecr"
SKLEARN_US_EAST_1 = "683313688378.dkr.ecr.us-east-1.amazonaws.com"

PROCESSING = """
from aws_sagemaker_remote import sagemaker_processing_main

def main(args):
    print("ran")

if __name__ == "__main__":
    sagemaker_processing_main(main=main, outputs={"out": "out"}, **ARGS)
"""
TRAINING = """
from aws_sagemaker_remote import sagemaker_training_main

def main(args):
    print("trained")

if __name__ == "__main__":
    sagemaker_training_main(main=main, inputs={"train": "data"}, **ARGS)
"""


def write(folder: Path, kind: str, **args) -> Path:
    script = folder / f"{kind}.py"
    body = PROCESSING if kind == "processing" else TRAINING
    script.write_text(textwrap.dedent(body).replace("**ARGS", f"**{args!r}"))
    (folder / "data").mkdir(exist_ok=True)
    (folder / "data" / "a.csv").write_text("x\n1\n")
    return script


def dry_run(script: Path, *argv: str) -> dict:
    result = submit(
        script,
        "--sagemaker-dry-run",
        "yes",
        "--sagemaker-role",
        f"arn:aws:iam::{ACCOUNT}:role/r",
        "--sagemaker-bucket",
        "my-bucket",
        *argv,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["request"]


def image_of(request: dict) -> str:
    if "AlgorithmSpecification" in request:
        return request["AlgorithmSpecification"]["TrainingImage"]
    return request["AppSpecification"]["ImageUri"]


@pytest.mark.parametrize(
    ("kind", "image", "instance", "region", "expected"),
    [
        (
            "processing",
            "pytorch:2.5",
            "ml.g5.xlarge",
            "eu-west-1",
            f"{DLC}.eu-west-1.amazonaws.com/pytorch-training:2.5-gpu-py311",
        ),
        (
            "training",
            "pytorch:2.5",
            "ml.m5.xlarge",
            "eu-west-1",
            f"{DLC}.eu-west-1.amazonaws.com/pytorch-training:2.5-cpu-py311",
        ),
        (
            "training",
            "pytorch:2.5.1",
            "ml.p3.2xlarge",
            "us-west-2",
            f"{DLC}.us-west-2.amazonaws.com/pytorch-training:2.5.1-gpu-py311",
        ),
        (
            "processing",
            "tensorflow:2.16",
            "ml.m5.xlarge",
            "ap-southeast-2",
            f"{DLC}.ap-southeast-2.amazonaws.com/tensorflow-training:2.16-cpu-py310",
        ),
        (
            "processing",
            "sklearn:1.4-2",
            "ml.m5.xlarge",
            "us-east-1",
            f"{SKLEARN_US_EAST_1}/sagemaker-scikit-learn:1.4-2-cpu-py3",
        ),
        (
            "training",
            "xgboost:1.7-1",
            "ml.m5.xlarge",
            "us-east-1",
            f"{SKLEARN_US_EAST_1}/sagemaker-xgboost:1.7-1",
        ),
        (
            "training",
            "pytorch",
            "ml.g5.2xlarge",
            "us-east-1",
            f"{DLC}.us-east-1.amazonaws.com/pytorch-training:2.10.0-gpu-py313",
        ),
        (
            "training",
            "huggingface:4.49-pytorch2.5",
            "ml.g5.xlarge",
            "us-east-1",
            f"{DLC}.us-east-1.amazonaws.com/huggingface-pytorch-training:2.5-transformers4.49.0-gpu-py311-cu124-ubuntu22.04",
        ),
    ],
)
def test_a_dry_run_offline_gives_the_sdks_uri(
    tmp_path, monkeypatch, kind, image, instance, region, expected
):
    offline(monkeypatch, tmp_path)
    script = write(tmp_path, kind)
    request = dry_run(
        script,
        "--sagemaker-image",
        image,
        "--sagemaker-instance",
        instance,
        "--sagemaker-region",
        region,
    )
    assert image_of(request) == expected


@pytest.mark.parametrize("kind", ["processing", "training"])
def test_the_image_argument_of_both_faces(tmp_path, monkeypatch, kind):
    offline(monkeypatch, tmp_path)
    script = write(tmp_path, kind, image="pytorch:2.6", instance="ml.g5.xlarge")
    request = dry_run(script, "--sagemaker-region", "eu-west-1")
    assert image_of(request) == f"{DLC}.eu-west-1.amazonaws.com/pytorch-training:2.6-gpu-py312"
    on_cpu = dry_run(
        script, "--sagemaker-region", "eu-west-1", "--sagemaker-instance", "ml.c5.xlarge"
    )
    assert image_of(on_cpu) == f"{DLC}.eu-west-1.amazonaws.com/pytorch-training:2.6-cpu-py312"


def test_a_full_uri_is_used_as_given(tmp_path, monkeypatch):
    offline(monkeypatch, tmp_path)
    given = f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn:1.4-2-cpu-py3"
    script = write(tmp_path, "training")
    request = dry_run(
        script,
        "--sagemaker-image",
        given,
        "--sagemaker-instance",
        "ml.g5.xlarge",
        "--sagemaker-region",
        "eu-west-1",
    )
    assert image_of(request) == given


REFUSALS = [
    (
        ["--sagemaker-image", "sklearn:1.4-2", "--sagemaker-instance", "ml.g5.xlarge"],
        "--sagemaker-image: 'sklearn:1.4-2': sklearn 1.4-2 images are CPU-only and "
        "ml.g5.xlarge (1 GPU) is a GPU instance",
    ),
    (
        ["--sagemaker-instance", "ml.g5.xlarge"],
        "--sagemaker-image: none given, and the default scikit-learn image is CPU-only",
    ),
    (
        ["--sagemaker-image", "huggingface:4.56", "--sagemaker-instance", "ml.m5.xlarge"],
        "--sagemaker-image: 'huggingface:4.56': huggingface 4.56.2 is published for GPUs only",
    ),
    (
        ["--sagemaker-image", "pytorch:3.0"],
        "--sagemaker-image: 'pytorch:3.0': no pytorch version 3.0; versions: 2.10.0 (2.10), ",
    ),
    (["--sagemaker-image", "torch"], "--sagemaker-image: 'torch': not a framework name"),
    (
        ["--sagemaker-image", "pytorch:2.5", "--sagemaker-region", "eusc-de-east-1"],
        "--sagemaker-image: 'pytorch:2.5': pytorch 2.5.1 is not published in eusc-de-east-1",
    ),
]


@pytest.mark.parametrize(("argv", "start"), REFUSALS, ids=[r[1][:60] for r in REFUSALS])
def test_refusals_are_one_line_exit_2_before_anything_is_created(
    tmp_path, aws_env, s3_client, argv, start
):
    """Against moto and the S3 server, not a dry run: nothing staged, no role, no bucket, no
    job."""
    before = all_objects(s3_client)
    buckets = owned_buckets(s3_client)
    script = write(tmp_path, "training")
    result = submit(script, *argv)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"{script.name}: error: {start}"), result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert all_objects(s3_client) == before
    assert owned_buckets(s3_client) == buckets
    assert boto3.client("iam").list_roles()["Roles"] == []
    assert boto3.client("sagemaker").list_training_jobs()["TrainingJobSummaries"] == []
