"""`aws-sagemaker-remote images [FRAMEWORK[:VERSION]]` (issue 19 point 3): offline, from the
table, as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from aws_sagemaker_remote.cli import main

DLC = "763104351884.dkr.ecr"


def images(capsys, *argv: str):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def no_region_of_the_caller(monkeypatch):
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)


def test_the_frameworks_and_how_to_name_them(capsys):
    code, out, _ = images(capsys, "images")
    assert code == 0
    rows = [line.split()[0] for line in out.splitlines()[1:6]]
    assert rows == ["pytorch", "tensorflow", "huggingface", "xgboost", "sklearn"]
    assert "huggingface[:TRANSFORMERS[-pytorchX.Y|-tensorflowX.Y]]" in out
    assert "sagemaker-core==2.27.0" in out


def test_images_pytorch_lists_the_versions_with_the_uri_for_the_region_and_instance(capsys):
    code, out, _ = images(
        capsys, "images", "pytorch", "--region", "eu-west-1", "--instance", "ml.g5.xlarge"
    )
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["IMAGE", "ALIASES", "PYTHON", "PROCESSORS"]
    assert "URI (eu-west-1, ml.g5.xlarge)" in lines[0]
    row = next(line for line in lines if line.startswith("pytorch:2.5.1 "))
    assert row.split() == [
        "pytorch:2.5.1",
        "2.5",
        "py311",
        "cpu,",
        "gpu",
        f"{DLC}.eu-west-1.amazonaws.com/pytorch-training:2.5.1-gpu-py311",
    ]
    assert lines[1].startswith("pytorch:2.10.0 ")  # newest first
    assert sum(line.startswith("pytorch:") for line in lines) == 31


def test_a_region_before_the_command_and_a_version_not_there(capsys):
    code, out, _ = images(capsys, "--region", "eusc-de-east-1", "images", "huggingface")
    assert code == 0
    assert "(not published in eusc-de-east-1)" in out


def test_an_instance_the_version_has_no_image_for(capsys):
    code, out, _ = images(capsys, "images", "sklearn", "--instance", "ml.g5.xlarge")
    assert code == 0
    assert "(none for ml.g5.xlarge (1 GPU))" in out


def test_one_image_with_its_profile_as_json(capsys):
    code, out, _ = images(capsys, "images", "pytorch:2.5", "--json", "--region", "eu-west-1")
    assert code == 0
    image = json.loads(out)[0]
    assert image["uri"] == f"{DLC}.eu-west-1.amazonaws.com/pytorch-training:2.5-cpu-py311"
    assert image["version"] == "2.5.1"
    profile = image["profile"]
    assert profile["python"] == "3.11.9"
    assert profile["packages"]["torch"] == "==2.5.1+cpu"
    assert profile["sources"][0]["repository"] == "aws/deep-learning-containers"


def test_one_image_as_text_names_its_build_files(capsys):
    code, out, _ = images(capsys, "images", "sklearn:1.9-0")
    assert code == 0
    assert "Profile:    the cpu build, Python 3.12," in out
    assert "  scikit-learn==1.9.0" in out
    assert "Source:     aws/deep-learning-containers@" in out


@pytest.mark.parametrize(
    ("argv", "start"),
    [
        (["images", "pytorhc"], "aws-sagemaker-remote: error: images: 'pytorhc': not a framework"),
        (
            ["images", "pytorch:9.9"],
            "aws-sagemaker-remote: error: images: 'pytorch:9.9': no pytorch version 9.9",
        ),
        (
            ["--profile", "p", "images"],
            "aws-sagemaker-remote: error: --profile: applies to job commands",
        ),
        (
            ["images", "--instance", "g5"],
            "aws-sagemaker-remote: error: --instance: 'g5': expected an ml.*",
        ),
        (
            ["images", "--bogus"],
            "aws-sagemaker-remote images: error: unrecognized arguments: --bogus",
        ),
    ],
)
def test_bad_input_is_one_line_exit_2(capsys, argv, start):
    code, out, err = images(capsys, *argv)
    assert code == 2
    assert err.startswith(start)
    assert err.count("\n") == 1
    assert out == ""


def test_the_command_needs_no_aws_sdk():
    code = (
        "import sys\n"
        "from aws_sagemaker_remote.cli import main\n"
        "assert main(['images', 'pytorch:2.5', '--instance', 'ml.g5.xlarge']) == 0\n"
        "print(sorted(m for m in ('boto3', 'botocore') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"
