"""A local run whose command line names no --sagemaker-* flag is parsed by a parser without them
(start-up budget, docs/architecture.md "Lazy imports"): every argument it gets, and every error
and help text, is the whole parser's."""

import argparse
import os
import sys

import pytest

from aws_sagemaker_remote import entry
from aws_sagemaker_remote.flags.groups import OWN_PREFIX, names_no_own_flag
from aws_sagemaker_remote.processing import args as processing_face
from aws_sagemaker_remote.processing.main import sagemaker_processing_main
from aws_sagemaker_remote.training import args as training_face
from aws_sagemaker_remote.training.main import sagemaker_training_main

# Forces the whole parser and leaves every value at its default.
WHOLE = ["--sagemaker-run", "no"]


@pytest.fixture
def script(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_HOME", str(tmp_path / "home"))
    for name in list(os.environ):
        if name.startswith("AWS_SAGEMAKER_REMOTE_") and not name.endswith("_HOME"):
            monkeypatch.delenv(name)
    path = tmp_path / "job.py"
    path.write_text("")
    (tmp_path / "data").mkdir()
    return path


def run(script, argv, face=sagemaker_processing_main, **keywords):
    """(parser, the arguments main got) of one local run."""
    seen = {}

    def handle(main, config, args, argv, parser):
        seen["parser"] = parser
        return main(args)

    def main(args):
        seen["args"] = args

    old_argv, old_handle = sys.argv, entry.handle
    sys.argv, entry.handle = [str(script), *argv], handle
    try:
        face(main=main, script=str(script), **keywords)
    finally:
        sys.argv, entry.handle = old_argv, old_handle
    return seen["parser"], seen["args"]


PROCESSING = {
    "inputs": {"data": "data"},
    "outputs": {"output": "out"},
    "additional_arguments": [{"dest": "--count", "default": 3}, {"dest": "--seed", "default": 1}],
}


@pytest.mark.parametrize(
    "argv", [[], ["--count", "5"], ["--data", "data", "--output=o2", "--seed", "-1"]]
)
@pytest.mark.parametrize(
    "environment",
    [
        {},
        {"AWS_SAGEMAKER_REMOTE_BACKEND": "LOCAL", "AWS_SAGEMAKER_REMOTE_INSTANCE_COUNT": "3"},
        {"AWS_SAGEMAKER_REMOTE_TAGS": "team=ml", "AWS_SAGEMAKER_REMOTE_SUBNETS": "a,b"},
        {"AWS_SAGEMAKER_REMOTE_DEBUG": "yes", "AWS_SAGEMAKER_REMOTE_REGION": "eu-west-1"},
    ],
)
def test_the_arguments_are_the_whole_parsers_in_the_same_order(
    script, monkeypatch, argv, environment
):
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    light, args = run(script, argv, **PROCESSING)
    assert "--sagemaker-run" not in light._option_string_actions  # left out indeed
    whole, expected = run(script, argv + WHOLE, **PROCESSING)
    assert "--sagemaker-run" in whole._option_string_actions
    assert list(vars(args).items()) == list(vars(expected).items())


def test_training_arguments_are_the_whole_parsers_too(script, monkeypatch):
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_SPOT", "true")
    keywords = {"inputs": {"train": "data"}, "dependencies": {}}
    light, args = run(script, ["--model-dir", "m"], face=sagemaker_training_main, **keywords)
    assert "--sagemaker-spot" not in light._option_string_actions
    _, expected = run(script, ["--model-dir", "m", *WHOLE], sagemaker_training_main, **keywords)
    assert list(vars(args).items()) == list(vars(expected).items())
    assert args.sagemaker_spot is True


def test_a_project_file_that_says_run_gets_the_whole_parser(script, monkeypatch):
    (script.parent / "pyproject.toml").write_text("[tool.aws-sagemaker-remote]\nrun = true\n")
    called = {}

    def handle(main, config, args, argv, parser):
        called["parser"], called["run"] = parser, args.sagemaker_run

    monkeypatch.setattr(entry, "handle", handle)
    monkeypatch.setattr(sys, "argv", [str(script)])
    sagemaker_processing_main(main=print, script=str(script))
    assert called["run"] is True
    assert "--sagemaker-run" in called["parser"]._option_string_actions


def test_a_wrong_variable_is_the_whole_parsers_error(script, monkeypatch, capsys):
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_INSTANCE_COUNT", "many")
    errors = []
    for argv in ([], WHOLE):
        with pytest.raises(SystemExit) as exit:
            run(script, argv, **PROCESSING)
        assert exit.value.code == 2
        errors.append(capsys.readouterr().err)
    assert errors[0] == errors[1]
    assert "INSTANCE_COUNT" in errors[0] or "instance-count" in errors[0]


def test_a_mistyped_flag_is_told_the_sagemaker_flag_it_resembles(script, capsys):
    with pytest.raises(SystemExit) as exit:
        run(script, ["--sagemker-instance", "ml.m5.large"], **PROCESSING)
    assert exit.value.code == 2
    assert "did you mean --sagemaker-instance?" in capsys.readouterr().err


def test_a_bad_value_of_the_users_flag_is_one_line(script, capsys):
    keywords = {**PROCESSING, "additional_arguments": [{"dest": "--count", "type": int}]}
    with pytest.raises(SystemExit) as exit:
        run(script, ["--count", "x"], **keywords)
    assert exit.value.code == 2
    assert capsys.readouterr().err.count("\n") == 1


@pytest.mark.parametrize("argv", [["-h"], ["--help"], ["--he"]])
def test_help_lists_every_flag(script, capsys, argv):
    with pytest.raises(SystemExit) as exit:
        run(script, argv, **PROCESSING)
    assert exit.value.code == 0
    assert "--sagemaker-instance" in capsys.readouterr().out


def test_a_callback_sees_the_whole_parser_once(script):
    seen = []

    def callback(parser: argparse.ArgumentParser):
        seen.append("--sagemaker-run" in parser._option_string_actions)
        parser.set_defaults(sagemaker_instance="ml.c5.xlarge")

    _, args = run(script, [], argparse_callback=callback)
    assert seen == [True]
    assert args.sagemaker_instance == "ml.c5.xlarge"


@pytest.mark.parametrize(
    ("argv", "light"),
    [
        ([], True),
        (["--output", "x", "--count=3"], True),
        (["--seed", "1", "--sample", "2", "--", "--sagemaker-run"], True),
        (["--lr", "-0.5"], True),
        (["--sagemaker-run"], False),
        (["--sagemaker-run=yes"], False),
        (["--sagemaker-ru", "yes"], False),
        (["--sa"], False),
        (["--s"], False),
        (["--"], True),
        (["-h"], False),
        (["-vh"], False),
        (["--he"], False),
        (["--help=x"], False),
    ],
)
def test_which_command_lines_need_the_whole_parser(argv, light):
    assert names_no_own_flag(argv) is light


@pytest.mark.parametrize(
    ("face", "add"),
    [
        (processing_face, processing_face.sagemaker_processing_args),
        (training_face, training_face.sagemaker_training_args),
    ],
)
def test_every_flag_left_out_is_a_sagemaker_flag(face, add):
    """What names_no_own_flag relies on: a token that is none of these cannot be one of them."""
    config = add(argparse.ArgumentParser(), "job.py")
    own = [o for a in config.own_actions for o in a.option_strings]
    rows = [row for _title, _description, rows in face.GROUPS for row in rows]
    sagemaker = {"--sagemaker-" + row.name.replace("_", "-") for row in rows}
    aliases = {alias for row in rows for alias in row.aliases}
    assert sagemaker | aliases <= set(own)
    assert all(option.startswith(OWN_PREFIX) for option in sagemaker | aliases)
