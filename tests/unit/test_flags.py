"""Every flag of the processing page: its name, default, parsing and errors."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from aws_sagemaker_remote.args import OPTIONAL, PathArgument
from aws_sagemaker_remote.processing.args import (
    ProcessingArgumentParser,
    sagemaker_processing_args,
    sagemaker_processing_parser_for_docs,
)

SEED_FLAGS = {
    "sagemaker_run": False,
    "sagemaker_wait": True,
    "sagemaker_profile": "default",
    "sagemaker_role": "aws-sagemaker-remote-processing-role",
    "sagemaker_image": None,
    "sagemaker_instance": "ml.t3.medium",
    "sagemaker_volume_size": 30,
    "sagemaker_runtime_seconds": 86400,  # the service default (issue 8); the seed had 3600
    "sagemaker_base_job_name": "script",  # the script's file name (SPEC 3)
    "sagemaker_job_name": "",
    "sagemaker_script": "script.py",
    "sagemaker_python": "python3",
    "sagemaker_requirements": None,
    "sagemaker_configuration_script": None,
    "sagemaker_configuration_command": None,
    "sagemaker_input_mount": "/opt/ml/processing/input",
    "sagemaker_output_mount": "/opt/ml/processing/output",
    "sagemaker_module_mount": "/opt/ml/processing/modules",
    "sagemaker_output_json": None,
}
BEYOND_FLAGS = {
    "sagemaker_region": None,
    "sagemaker_bucket": None,
    "sagemaker_prefix": "aws-sagemaker-remote",
    "sagemaker_instance_count": 1,
    "sagemaker_env": {},
    "sagemaker_tags": {},
    "sagemaker_output_kms_key": None,
    "sagemaker_volume_kms_key": None,
    "sagemaker_s3_kms_keys": [],
    "sagemaker_subnets": [],
    "sagemaker_security_groups": [],
    "sagemaker_network_isolation": False,
    "sagemaker_inter_container_encryption": False,
    "sagemaker_backend": "aws",
    "sagemaker_emulator_environment": "image",
    "sagemaker_image_packages": None,
    "sagemaker_import_check": "warn",
    "sagemaker_dry_run": False,
    "sagemaker_download": False,
}


def make_parser(**kwargs):
    parser = ProcessingArgumentParser(prog="t")
    config = sagemaker_processing_args(parser, "script.py", **kwargs)
    return parser, config


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ("AWS_PROFILE", "AWS_SAGEMAKER_REMOTE_BACKEND"):
        monkeypatch.delenv(name, raising=False)


def test_every_flag_has_its_default():
    parser, _ = make_parser()
    args = vars(parser.parse_args([]))
    for dest, default in {**SEED_FLAGS, **BEYOND_FLAGS}.items():
        assert args[dest] == default, dest


def test_keywords_set_the_defaults():
    parser, _ = make_parser(
        run=True,
        wait=False,
        profile="p",
        role="r",
        image="img",
        instance="ml.m5.large",
        volume_size=50,
        runtime_seconds=60,
        base_job_name="b",
        job_name="j",
        python="python3.11",
        requirements="req.txt",
        configuration_script="c.sh",
        configuration_command="echo hi",
        input_mount="/opt/ml/processing/in",
        output_mount="/opt/ml/processing/out",
        module_mount="/opt/ml/processing/mods",
        output_json="o.json",
        instance_count=3,
        backend="local",
    )
    args = parser.parse_args([])
    assert args.sagemaker_run is True
    assert args.sagemaker_wait is False
    assert (args.sagemaker_profile, args.sagemaker_role, args.sagemaker_image) == ("p", "r", "img")
    assert args.sagemaker_instance == "ml.m5.large"
    assert args.sagemaker_instance_count == 3
    assert (args.sagemaker_volume_size, args.sagemaker_runtime_seconds) == (50, 60)
    assert (args.sagemaker_base_job_name, args.sagemaker_job_name) == ("b", "j")
    assert args.sagemaker_python == "python3.11"
    assert args.sagemaker_requirements == "req.txt"
    assert args.sagemaker_configuration_script == "c.sh"
    assert args.sagemaker_configuration_command == "echo hi"
    assert args.sagemaker_input_mount == "/opt/ml/processing/in"
    assert args.sagemaker_output_mount == "/opt/ml/processing/out"
    assert args.sagemaker_module_mount == "/opt/ml/processing/mods"
    assert args.sagemaker_output_json == "o.json"
    assert args.sagemaker_backend == "local"


def test_profile_defaults_to_environment(monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "from-env")
    parser, _ = make_parser()
    assert parser.parse_args([]).sagemaker_profile == "from-env"


@pytest.mark.parametrize("word", ["yes", "YES", "True", "true", "1", "Yes"])
def test_yes_words(word):
    parser, _ = make_parser()
    assert parser.parse_args(["--sagemaker-run", word]).sagemaker_run is True
    assert parser.parse_args([f"--sagemaker-wait={word}"]).sagemaker_wait is True


@pytest.mark.parametrize("word", ["no", "NO", "False", "false", "0"])
def test_no_words(word):
    parser, _ = make_parser(run=True)
    assert parser.parse_args(["--sagemaker-run", word]).sagemaker_run is False


def test_bare_yes_no_flag_means_yes():
    parser, _ = make_parser()
    assert parser.parse_args(["--sagemaker-run"]).sagemaker_run is True


YES_NO_FLAGS = [
    "--sagemaker-run",
    "--sagemaker-wait",
    "--sagemaker-dry-run",
    "--sagemaker-download",
    "--sagemaker-network-isolation",
    "--sagemaker-inter-container-encryption",
]


@pytest.mark.parametrize("flag", YES_NO_FLAGS)
def test_bad_yes_no_is_one_line_exit_2(flag, capsys):
    parser, _ = make_parser()
    with pytest.raises(SystemExit) as exc:
        parser.parse_args([flag, "maybe"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert flag in err
    assert "maybe" in err


@pytest.mark.parametrize(
    ("argv", "dest", "value"),
    [
        (["--data-mode", "pipe"], "data_mode", "Pipe"),
        (["--data-mode", "File"], "data_mode", "File"),
        (["--data-distribution", "shardedbys3key"], "data_distribution", "ShardedByS3Key"),
        (["--out-mode", "continuous"], "out_mode", "Continuous"),
        (["--out-mode", "EndOfJob"], "out_mode", "EndOfJob"),
    ],
)
def test_enum_flags_accept_their_values(argv, dest, value):
    parser, _ = make_parser(inputs={"data": "d"}, outputs={"out": "o"})
    assert getattr(parser.parse_args(argv), dest) == value


@pytest.mark.parametrize(
    "argv", [["--data-mode", "Stream"], ["--out-mode", "Later"], ["--data-distribution", "x"]]
)
def test_enum_flags_reject_other_values(argv, capsys):
    parser, _ = make_parser(inputs={"data": "d"}, outputs={"out": "o"})
    with pytest.raises(SystemExit) as exc:
        parser.parse_args(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert argv[0] in err


def test_backend_choice_is_checked(capsys):
    parser, _ = make_parser()
    with pytest.raises(SystemExit):
        parser.parse_args(["--sagemaker-backend", "docker"])
    assert "aws, local" in capsys.readouterr().err


def test_backend_from_environment(monkeypatch):
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_BACKEND", "local")
    parser, _ = make_parser()
    assert parser.parse_args([]).sagemaker_backend == "local"


def test_per_item_flags_and_defaults():
    parser, config = make_parser(
        inputs={
            "train_data": "data/train",
            "extra": OPTIONAL,
            "piped": PathArgument("f.txt", mode="Pipe"),
        },
        outputs={"model_dir": ("out/model", "s3://b/k"), "report": "out/report"},
        dependencies={"my_module": "src/my_module"},
    )
    args = parser.parse_args([])
    assert args.train_data == "data/train"
    assert args.train_data_mode == "File"
    assert args.train_data_distribution == "FullyReplicated"
    assert args.extra == ""
    assert args.piped == "f.txt"
    assert args.piped_mode == "Pipe"
    assert args.model_dir == "out/model"
    assert args.model_dir_s3 == "s3://b/k"
    assert args.model_dir_mode == "EndOfJob"
    assert args.report == "out/report"
    assert args.report_s3 == "default"
    assert args.my_module == "src/my_module"
    parsed = parser.parse_args(
        ["--train-data", "s3://b/t", "--my-module", "m", "--report-s3", "s3://x/y"]
    )
    assert (parsed.train_data, parsed.my_module, parsed.report_s3) == ("s3://b/t", "m", "s3://x/y")
    assert set(config.inputs) == {"train_data", "extra", "piped"}


def test_env_tags_and_lists():
    parser, config = make_parser(env={"A": "1"}, tags={"team": "x"})
    args = parser.parse_args(
        [
            "--sagemaker-env",
            "B=2,C=x\\,y",
            "--sagemaker-tags",
            "k=v",
            "--sagemaker-subnets",
            "s1,s2",
            "--sagemaker-security-groups",
            "g1",
        ]
    )
    assert args.sagemaker_env == {"B": "2", "C": "x,y"}
    assert config.env == {"A": "1"}
    assert args.sagemaker_tags == {"k": "v"}
    assert config.tags == {"team": "x"}
    assert args.sagemaker_subnets == ["s1", "s2"]
    assert args.sagemaker_security_groups == ["g1"]


def test_bad_env_entry(capsys):
    parser, _ = make_parser()
    with pytest.raises(SystemExit):
        parser.parse_args(["--sagemaker-env", "novalue"])
    assert "--sagemaker-env" in capsys.readouterr().err


def test_numbers_are_checked(capsys):
    parser, _ = make_parser()
    for flag in (
        "--sagemaker-volume-size",
        "--sagemaker-instance-count",
        "--sagemaker-runtime-seconds",
    ):
        with pytest.raises(SystemExit):
            parser.parse_args([flag, "zero"])
        assert flag in capsys.readouterr().err


def test_additional_arguments_dest_is_the_flag():
    parser, _ = make_parser(
        additional_arguments=[
            {"dest": "--filter-width", "default": 32, "type": int, "help": "w"},
            {"dest": "filter_height", "default": 16, "type": int},
            (["--legacy"], {"default": "x"}),
        ]
    )
    args = parser.parse_args(["--filter-width", "8"])
    assert (args.filter_width, args.filter_height, args.legacy) == (8, 16, "x")


def test_argparse_callback_adds_flags():
    def callback(parser: argparse.ArgumentParser):
        parser.add_argument("--epochs", type=int, default=3)

    parser, _ = make_parser(argparse_callback=callback)
    assert parser.parse_args(["--epochs", "5"]).epochs == 5


def test_modules_keyword_and_module_objects():
    import aws_sagemaker_remote

    _, config = make_parser(modules={"a": "path/a"}, dependencies={"asr": aws_sagemaker_remote})
    assert config.dependencies["a"] == "path/a"
    assert Path(config.dependencies["asr"]) == Path(aws_sagemaker_remote.__file__).parent


def test_name_clash_is_refused():
    with pytest.raises(ValueError, match="already used"):
        make_parser(inputs={"data": "d"}, outputs={"data": "o"})


def test_docs_parser():
    parser = sagemaker_processing_parser_for_docs()
    assert parser.prog == "aws-sagemaker-remote-processing"
    args = parser.parse_args([])
    assert args.input == "/path/to/input"
    assert args.output == "/path/to/output"
    assert args.output_s3 == "default"
    assert args.my_module == "/path/to/my_module"


def test_help_lists_groups_and_every_flag():
    help_text = sagemaker_processing_parser_for_docs().format_help()
    for group in ("SageMaker run:", "Inputs:", "Outputs:", "Modules:"):
        assert group in help_text
    for dest in [*SEED_FLAGS, *BEYOND_FLAGS]:
        assert "--" + dest.replace("_", "-") in help_text
    for flag in (
        "--input",
        "--input-mode",
        "--output",
        "--output-s3",
        "--output-mode",
        "--my-module",
    ):
        assert flag + " " in help_text


def test_public_import_paths():
    code = (
        "from aws_sagemaker_remote import sagemaker_processing_main as a\n"
        "from aws_sagemaker_remote.processing import sagemaker_processing_main as b\n"
        "from aws_sagemaker_remote.processing.main import sagemaker_processing_main as c\n"
        "from aws_sagemaker_remote.processing.args import sagemaker_processing_args, "
        "sagemaker_processing_parser_for_docs\n"
        "from aws_sagemaker_remote.args import PathArgument, OPTIONAL\n"
        "assert a is b is c\n"
        "import sys\n"
        "bad = [m for m in ('boto3', 'botocore', 's3transfer') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_own_parser_with_handle(tmp_path, monkeypatch):
    from aws_sagemaker_remote.processing.main import sagemaker_processing_handle

    parser = argparse.ArgumentParser()
    config = sagemaker_processing_args(parser, "script.py", outputs={"out": str(tmp_path)})
    seen = []
    args = parser.parse_args(["--out", str(tmp_path / "x")])
    sagemaker_processing_handle(args, config, seen.append, argv=[])
    assert seen[0].out == str(tmp_path / "x")
