"""Every flag of the training page: names (the seed package's too), defaults, the user's own
tokens, the public names, and a local run (issue 12, point 1)."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest
from training_plan_support import make_project, spec_for

from aws_sagemaker_remote.flags.argv import user_argv
from aws_sagemaker_remote.flags.builder import OneLineErrorParser
from aws_sagemaker_remote.kinds import TRAINING
from aws_sagemaker_remote.pipeline.submit import download_folders
from aws_sagemaker_remote.training.args import (
    sagemaker_training_args,
    sagemaker_training_parser_for_docs,
)
from aws_sagemaker_remote.training.main import sagemaker_training_handle

DEFAULTS = {
    "sagemaker_run": False,
    "sagemaker_wait": True,
    "sagemaker_backend": "aws",
    "sagemaker_emulator_environment": "image",
    "sagemaker_image_packages": None,
    "sagemaker_import_check": "warn",
    "sagemaker_dry_run": False,
    "sagemaker_download": False,
    "sagemaker_output_json": None,
    "sagemaker_debug": False,
    "sagemaker_profile": "default",
    "sagemaker_region": None,
    "sagemaker_role": "aws-sagemaker-remote-training-role",
    "sagemaker_bucket": None,
    "sagemaker_prefix": "aws-sagemaker-remote",
    "sagemaker_base_job_name": "train",  # the script's file name (SPEC 3)
    "sagemaker_job_name": "",
    "sagemaker_image": None,
    "sagemaker_instance": "ml.m5.large",
    "sagemaker_instance_count": 1,
    "sagemaker_volume_size": 30,
    "sagemaker_runtime_seconds": 86400,
    "sagemaker_env": {},
    "sagemaker_tags": {},
    "sagemaker_spot": False,
    "sagemaker_max_wait": None,
    "sagemaker_checkpoints": False,
    "sagemaker_checkpoint_s3": "default",
    "sagemaker_script": "train.py",
    "sagemaker_python": "python3",
    "sagemaker_requirements": None,
    "sagemaker_configuration_script": None,
    "sagemaker_configuration_command": None,
    "sagemaker_output_kms_key": None,
    "sagemaker_volume_kms_key": None,
    "sagemaker_s3_kms_keys": [],
    "sagemaker_subnets": [],
    "sagemaker_security_groups": [],
    "sagemaker_network_isolation": False,
    "sagemaker_inter_container_encryption": False,
    "model_dir": "output/model",
    "output_dir": "output/output",
    "checkpoint_dir": "output/checkpoint",
}


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ("AWS_PROFILE", "AWS_SAGEMAKER_REMOTE_BACKEND"):
        monkeypatch.delenv(name, raising=False)


def make_parser(**kwargs):
    parser = OneLineErrorParser(prog="train.py")
    config = sagemaker_training_args(parser, "train.py", **kwargs)
    return parser, config


def test_every_flag_has_its_default():
    parser, _ = make_parser()
    assert vars(parser.parse_args([])) == DEFAULTS


def test_keywords_set_the_defaults():
    parser, config = make_parser(
        spot=True,
        max_wait=7200,
        checkpoints=True,
        checkpoint_s3="s3://b/c",
        instance="ml.c5.xlarge",
        model_dir="m",
        metrics={"acc": "acc=(.*)"},
    )
    args = parser.parse_args([])
    assert (args.sagemaker_spot, args.sagemaker_max_wait) == (True, 7200)
    assert (args.sagemaker_checkpoints, args.sagemaker_checkpoint_s3) == (True, "s3://b/c")
    assert (args.sagemaker_instance, args.model_dir) == ("ml.c5.xlarge", "m")
    assert config.metrics == {"acc": "acc=(.*)"}
    assert config.kind is TRAINING


def test_the_seed_packages_keywords_set_the_same_defaults():
    parser, _ = make_parser(
        training_image="1.dkr.ecr.us-east-1.amazonaws.com/i:1",
        training_instance="ml.p3.2xlarge",
        training_role="my-role",
        spot_instances=True,
        max_run=3600,
    )
    args = parser.parse_args([])
    assert args.sagemaker_image == "1.dkr.ecr.us-east-1.amazonaws.com/i:1"
    assert args.sagemaker_instance == "ml.p3.2xlarge"
    assert args.sagemaker_role == "my-role"
    assert args.sagemaker_spot is True
    assert args.sagemaker_runtime_seconds == 3600


@pytest.mark.parametrize(
    ("seed", "dest", "value", "parsed"),
    [
        ("--sagemaker-training-instance", "instance", "ml.c5.xlarge", "ml.c5.xlarge"),
        ("--sagemaker-training-image", "image", "r/i:1", "r/i:1"),
        ("--sagemaker-training-role", "role", "r", "r"),
        ("--sagemaker-spot-instances", "spot", "yes", True),
        ("--sagemaker-max-run", "runtime_seconds", "60", 60),
    ],
)
def test_seed_flag_names_and_mirrored_names_are_one_flag(seed, dest, value, parsed):
    parser, config = make_parser()
    mirrored = "--sagemaker-" + dest.replace("_", "-")
    dest = "sagemaker_" + dest
    for flag in (seed, mirrored):
        assert getattr(parser.parse_args([flag, value]), dest) == parsed
        assert user_argv(parser, config.own_actions, [flag, value, "--epochs", "1"]) == [
            "--epochs",
            "1",
        ]


def test_inputs_take_the_three_training_modes():
    parser, _ = make_parser(inputs={"train": "data"})
    for mode in ("File", "FastFile", "Pipe"):
        assert parser.parse_args(["--train-mode", mode.lower()]).train_mode == mode


def test_the_folder_flags_are_the_librarys_own():
    parser, config = make_parser(inputs={"train": "d"})
    argv = ["--model-dir", "m", "--output-dir=o", "--checkpoint-dir", "c", "--train", "t", "--x"]
    assert user_argv(parser, config.own_actions, argv) == ["--x"]


def test_help_lists_every_group_and_every_default():
    parser = sagemaker_training_parser_for_docs()
    assert parser.prog == "aws-sagemaker-remote-training"
    text = parser.format_help()
    for title in ("SageMaker spot and checkpoints", "Model, output and checkpoints", "Inputs"):
        assert title in text
    without = [
        action.option_strings[0]
        for action in parser._actions
        if action.nargs != 0
        and action.default not in (None, "", [], {})
        and "(default:" not in (action.help or "")
    ]
    assert without == []
    assert "--sagemaker-input-mount" not in text


def test_public_import_paths_load_no_aws_sdk():
    code = (
        "from aws_sagemaker_remote import sagemaker_training_main as a\n"
        "from aws_sagemaker_remote.training import sagemaker_training_main as b\n"
        "from aws_sagemaker_remote.training.main import sagemaker_training_main as c\n"
        "from aws_sagemaker_remote.training import sagemaker_training_args, "
        "sagemaker_training_parser_for_docs\n"
        "assert a is b is c\n"
        "import sys\n"
        "bad = [m for m in ('boto3', 'botocore', 's3transfer') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_a_local_run_loads_no_third_party_module(tmp_path):
    code = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "from aws_sagemaker_remote import sagemaker_training_main\n"
        "sys.argv = ['train.py', '--epochs', '2', '--model-dir', 'm']\n"
        "sagemaker_training_main(main=lambda args: print(args.epochs), spot=True,\n"
        "    additional_arguments=[{'dest': '--epochs', 'default': 1}])\n"
        "new = [n for n in set(sys.modules) - before if n.split('.')[0] in\n"
        "    ('boto3', 'botocore', 's3transfer', 'awscrt', 'dataclasses', 'typing')]\n"
        "assert not new, new\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "2\n"
    assert (tmp_path / "m").is_dir()


def test_a_local_run_creates_the_folders_and_gets_the_local_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    parser = argparse.ArgumentParser()
    config = sagemaker_training_args(parser, "train.py", inputs={"train": "data"})
    seen = []
    args = parser.parse_args(["--model-dir", "out/m"])
    sagemaker_training_handle(args, config, seen.append, argv=[])
    assert seen[0].model_dir == "out/m"
    assert seen[0].train == "data"
    for folder in ("out/m", "output/output", "output/checkpoint"):
        assert (tmp_path / folder).is_dir()


def test_a_local_run_refuses_an_s3_model_dir(tmp_path, capsys):
    parser = argparse.ArgumentParser(prog="train.py")
    config = sagemaker_training_args(parser, "train.py")
    args = parser.parse_args(["--model-dir", "s3://bkt/m"])
    with pytest.raises(SystemExit) as caught:
        sagemaker_training_handle(args, config, print, argv=[])
    assert caught.value.code == 2
    assert capsys.readouterr().err == (
        "train.py: error: --model-dir: 's3://bkt/m': expected a local folder\n"
    )


def test_a_local_run_refuses_a_model_dir_inside_an_input(tmp_path, capsys):
    (tmp_path / "data").mkdir()
    parser = argparse.ArgumentParser(prog="train.py")
    config = sagemaker_training_args(parser, "train.py", inputs={"train": str(tmp_path / "data")})
    args = parser.parse_args(["--checkpoint-dir", str(tmp_path / "data" / "ckpt")])
    with pytest.raises(SystemExit):
        sagemaker_training_handle(args, config, print, argv=[])
    assert "--checkpoint-dir" in capsys.readouterr().err
    assert not (tmp_path / "data" / "ckpt").exists()


def test_a_local_run_refuses_a_model_dir_that_is_a_file(tmp_path, capsys):
    (tmp_path / "model").write_text("x")
    parser = argparse.ArgumentParser(prog="train.py")
    config = sagemaker_training_args(parser, "train.py")
    args = parser.parse_args(["--model-dir", str(tmp_path / "model")])
    with pytest.raises(SystemExit):
        sagemaker_training_handle(args, config, print, argv=[])
    assert "--model-dir" in capsys.readouterr().err


def test_download_fills_the_model_and_output_folders(tmp_path):
    project = make_project(tmp_path)
    spec = spec_for(project, ["--model-dir", "m", "--output-dir", ""])
    assert download_folders(spec) == {"model": "m"}
