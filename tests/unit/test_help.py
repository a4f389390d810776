"""--help as a newcomer reads it, and the types of the user's own flags (issue 11, point 2)."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import pytest

from aws_sagemaker_remote.processing.args import (
    ProcessingArgumentParser,
    sagemaker_processing_args,
    sagemaker_processing_parser_for_docs,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def make(**kwargs):
    parser = ProcessingArgumentParser(prog="job.py")
    sagemaker_processing_args(parser=parser, script="job.py", **kwargs)
    return parser


def help_of(parser: argparse.ArgumentParser, flag: str) -> str:
    """The help text of one flag, on one line, as --help prints it."""
    action = parser._option_string_actions[flag]
    return " ".join(parser._get_formatter()._expand_help(action).split())


# ---------------------------------------------------------------- types from defaults


def test_seed_form_int_default_gives_an_int():
    parser = make(additional_arguments=[{"dest": "--filter-width", "default": 32}])
    assert parser.parse_args([]).filter_width == 32
    assert parser.parse_args(["--filter-width", "5"]).filter_width == 5


def test_float_default_gives_a_float():
    parser = make(additional_arguments=[{"dest": "rate", "default": 0.5}])
    assert parser.parse_args(["--rate", "0.25"]).rate == 0.25
    assert parser.parse_args(["--rate", "2"]).rate == 2.0


@pytest.mark.parametrize(
    ("argv", "expected"),
    [([], False), (["--shuffle"], True), (["--shuffle", "yes"], True), (["--shuffle=NO"], False)],
)
def test_bool_default_takes_yes_no(argv, expected):
    parser = make(additional_arguments=[{"dest": "--shuffle", "default": False}])
    assert parser.parse_args(argv).shuffle is expected


def test_type_bool_means_yes_no_not_python_truthiness():
    parser = make(additional_arguments=[{"dest": "--verbose", "type": bool, "default": True}])
    assert parser.parse_args(["--verbose", "no"]).verbose is False


def test_str_and_none_defaults_stay_strings():
    parser = make(
        additional_arguments=[
            {"dest": "--name", "default": "x"},
            {"dest": "--tag", "default": None},
        ]
    )
    args = parser.parse_args(["--name", "5", "--tag", "7"])
    assert (args.name, args.tag) == ("5", "7")


def test_explicit_type_and_actions_are_kept():
    parser = make(
        additional_arguments=[
            {"dest": "--width", "default": 3, "type": str},
            {"dest": "--quiet", "action": "store_true"},
            {"dest": "--level", "action": "count", "default": 0},
            (["--pair"], {"default": 1}),
        ]
    )
    args = parser.parse_args(["--width", "4", "--quiet", "--level", "--level", "--pair", "2"])
    assert (args.width, args.quiet, args.level, args.pair) == ("4", True, 2, 2)


def test_int_default_with_int_choices_accepts_them():
    parser = make(additional_arguments=[{"dest": "--k", "default": 1, "choices": [1, 2, 3]}])
    assert parser.parse_args(["--k", "3"]).k == 3


@pytest.mark.parametrize(
    ("item", "value"),
    [
        ({"dest": "--filter-width", "default": 32}, "wide"),
        ({"dest": "--rate", "default": 0.5}, "fast"),
        ({"dest": "--shuffle", "default": True}, "maybe"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_flag(item, value, capsys):
    parser = make(additional_arguments=[item])
    with pytest.raises(SystemExit) as caught:
        parser.parse_args([item["dest"], value])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert item["dest"] in err
    assert repr(value) in err


# ---------------------------------------------------------------- help text


def test_every_default_is_shown_the_users_too():
    def callback(parser):
        parser.add_argument("--epochs", type=int, default=3)
        parser.add_argument("--note", default="hello", help="a note")

    parser = make(
        outputs={"out": "results"},
        additional_arguments=[
            {"dest": "--filter-width", "default": 32, "help": "Filter width"},
            {"dest": "--shuffle", "default": True},
        ],
        argparse_callback=callback,
    )
    assert help_of(parser, "--filter-width") == "Filter width (default: 32)"
    assert help_of(parser, "--shuffle") == "(default: yes)"
    assert help_of(parser, "--epochs") == "(default: 3)"
    assert help_of(parser, "--note") == "a note (default: hello)"
    assert help_of(parser, "--out").endswith("(default: results)")
    assert help_of(parser, "--out-s3").endswith("(default: default)")
    assert help_of(parser, "--sagemaker-runtime-seconds").endswith("(default: 86400)")


def test_every_flag_with_a_value_shows_its_default():
    parser = sagemaker_processing_parser_for_docs()
    without = [
        action.option_strings[0]
        for action in parser._actions
        if action.nargs != 0
        and action.default not in (None, "", [], {})
        and "(default:" not in (action.help or "")
    ]
    assert without == []


def test_yes_no_defaults_read_yes_or_no():
    text = make(run=True, additional_arguments=[{"dest": "--fast", "default": False}]).format_help()
    assert "True" not in text
    assert "False" not in text
    assert "--sagemaker-run [yes|no]" in text
    parser = make(run=True)
    assert help_of(parser, "--sagemaker-run").endswith("(default: yes)")
    assert help_of(parser, "--sagemaker-wait").endswith("(default: yes)")
    assert help_of(parser, "--sagemaker-dry-run").endswith("(default: no)")


def test_env_and_tags_show_what_the_script_sets_without_none_wording():
    bare = make().format_help()
    assert "added to none" not in bare
    parser = make(env={"OMP_NUM_THREADS": "4"}, tags={"team": "ml"})
    assert "OMP_NUM_THREADS=4" in help_of(parser, "--sagemaker-env")
    assert "team=ml" in help_of(parser, "--sagemaker-tags")


def test_percent_in_a_default_does_not_break_help():
    parser = make(
        configuration_command="echo 100%",
        additional_arguments=[{"dest": "--fmt", "default": "%d%%"}],
    )
    text = parser.format_help()
    assert "echo 100%" in text
    assert "(default: %d%%)" in text


def test_own_help_formatter_with_defaults_is_not_doubled():
    parser = argparse.ArgumentParser(formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    sagemaker_processing_args(
        parser,
        "job.py",
        argparse_callback=lambda p: p.add_argument("--epochs", type=int, default=3, help="epochs"),
    )
    assert "epochs (default: 3)" in " ".join(parser.format_help().split())
    assert "(default: 3) (default: 3)" not in " ".join(parser.format_help().split())


# ---------------------------------------------------------------- usage line


def test_usage_fits_on_one_line_and_shows_positionals():
    parser = make(
        inputs={"data": "d"},
        argparse_callback=lambda p: p.add_argument("files", nargs="+", metavar="FILE"),
    )
    assert parser.format_usage() == "usage: job.py [options] FILE [FILE ...]\n"


def test_an_explicit_usage_is_kept():
    parser = ProcessingArgumentParser(prog="job.py", usage="%(prog)s --data DIR")
    sagemaker_processing_args(parser=parser, script="job.py")
    assert parser.format_usage() == "usage: job.py --data DIR\n"


def test_usage_error_is_one_short_line(capsys):
    parser = make()
    with pytest.raises(SystemExit):
        parser.parse_args(["--sagemaker-instance-count", "0"])
    err = capsys.readouterr().err
    assert err.startswith("job.py: error: argument --sagemaker-instance-count")
    assert err.count("\n") == 1


def test_example_help_through_the_script():
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "word_count" / "word_count.py"), "--help"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "usage: word_count.py [options]"
    assert lines[1] == ""
    text = " ".join(result.stdout.split())
    assert "--min-length MIN_LENGTH shortest word counted (default: 3)" in text
    assert "--top TOP how many words to show (default: 10)" in text
    assert "--sagemaker-run [yes|no] run as a SageMaker processing job" in text
    assert re.search(r"--sagemaker-backend \{aws,local\} .*\(default: aws\)", text)
    assert "(default: False)" not in text
    assert "(default: True)" not in text


def test_a_list_default_is_shown_as_it_is_typed():
    """Words for a flag taking several values, commas for a comma-separated one (issue 21)."""
    parser = make(
        additional_arguments=[
            {"dest": "--columns", "nargs": "*", "default": ["sales", "units"]},
            {"dest": "--pair", "nargs": 2, "default": ["a b", "c"]},
        ],
        subnets=["subnet-1", "subnet-2"],
        security_groups=["sg-1"],
    )
    assert help_of(parser, "--columns").endswith("(default: sales units)")
    assert help_of(parser, "--pair").endswith("(default: 'a b' c)")
    assert help_of(parser, "--sagemaker-subnets").endswith("(default: subnet-1,subnet-2)")
    assert parser.parse_args(["--columns", "sales", "units"]).columns == ["sales", "units"]
