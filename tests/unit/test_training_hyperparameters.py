"""The user's own options as HyperParameters (issue 18 point 4): keys without dashes as the SDK
sends them, values the training toolkit's decoding gives back as typed, the script's flags for
the bootstrap, each limit on both sides, and the arguments they leave to ContainerArguments or
the job file when they cannot be. The round trip is checked end to end: the argv the bootstrap
rebuilds (container/hyperparameters.py, as the toolkit's `to_cmd_args` builds it) parses to the
same values as the argv typed here."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from training_plan_support import (
    assert_valid_training_request,
    container_argv,
    make_project,
    plan_for,
    training_parser,
)

from aws_sagemaker_remote.container.hyperparameters import (
    argument_text,
    decoded,
    encoded,
    script_argv,
)
from aws_sagemaker_remote.flags.argv import option_pairs, script_flags
from aws_sagemaker_remote.pipeline.training.hyperparameters import hyperparameters

ADDED = 10  # --train PATH, the three folders, --sagemaker-run no
FLAGS_ENV = "AWS_SAGEMAKER_REMOTE_HYPERPARAMETER_FLAGS"
OWN_FLAGS = {
    "epochs": "1", "lr": "1", "name": "1", "verbose": "0", "quiet": "0", "tag": "1",
    "level": "?", "learning-rate": "1", "batch_size": "1",
}  # fmt: skip


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path)


def encoded_plan(project, argv):
    plan = plan_for(project, argv)
    assert_valid_training_request(plan.request)
    return plan


def rebuilt(plan) -> list:
    """The script's arguments as the bootstrap rebuilds them from the request."""
    flags = json.loads(plan.request["Environment"][FLAGS_ENV])
    return script_argv(plan.request["HyperParameters"], flags)


def parsed(project, argv) -> dict:
    parser, _ = training_parser(project)
    values = vars(parser.parse_args(argv))
    return {k: v for k, v in values.items() if not k.startswith("sagemaker_")}


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--epochs", "5", "--verbose", "--lr=0.01"], {"epochs": "5", "verbose": "", "lr": "0.01"}),
        (["--level"], {"level": ""}),
        (["--level", "mid", "--verbose"], {"level": "mid", "verbose": ""}),
        (["--level="], {"level": '""'}),  # an empty optional value, not the flag alone
        (["--lr", "-0.5"], {"lr": "-0.5"}),
        (["--epo", "7"], {"epochs": "7"}),  # an abbreviation, spelled out
        (["--tag", "a"], {"tag": "a"}),
        (["--quiet"], {"quiet": ""}),
        (["--name", "a b=c"], {"name": "a b=c"}),
        (["--name", ""], {"name": ""}),
        (["--name", "v" * 2500], {"name": "v" * 2500}),
        (["--name", "1.50"], {"name": '"1.50"'}),  # the toolkit would read 1.5
        (["--name", "true"], {"name": '"true"'}),  # ... True
        (["--name", "two\nlines"], {"name": '"two\\nlines"'}),  # `.*` matches no line break
        (["--name", "a\u2028b"], {"name": '"a\\u2028b"'}),
        (["--learning-rate", "0.3"], {"learning-rate": "0.3"}),
        (["--batch_size", "32"], {"batch_size": "32"}),
    ],
)  # fmt: skip
def test_options_become_hyperparameters(project, argv, expected):
    plan = encoded_plan(project, argv)
    assert plan.request["HyperParameters"] == expected
    assert len(container_argv(plan)) == ADDED
    env = plan.request["Environment"]
    assert json.loads(env[FLAGS_ENV]) == OWN_FLAGS
    assert env["AWS_SAGEMAKER_REMOTE_USER_ARGC"] == str(len(rebuilt(plan)))
    assert parsed(project, rebuilt(plan)) == parsed(project, argv)


VALUES = [
    "5", "0.5", "1.50", "-1", "-0", "1e3", "NaN", "Infinity", "true", "True", "false", "null",
    "[1,2]", "[1, 2]", '{"a": 1}', '"quoted"', " 5", "007", "0x10", "", "a\tb", "two\nlines",
    "café", "a\u2028b", "-x", "--y", "x=1,y=2", "a" * 300,
]  # fmt: skip


@pytest.mark.parametrize("value", VALUES)
def test_every_value_reaches_the_script_as_typed(project, value):
    forms = [[f"--name={value}"]]
    if not value.startswith("-") or value[1:2].isdigit():  # else argparse here refuses it too
        forms.append(["--name", value])
    for argv in forms:
        plan = encoded_plan(project, argv)
        assert "HyperParameters" in plan.request, argv
        assert parsed(project, rebuilt(plan))["name"] == value


@pytest.mark.parametrize("value", VALUES)
def test_an_encoded_value_decodes_as_the_toolkit_reads_it(value):
    """What the toolkit (json.loads, else the string; then str) makes of the value sent."""
    assert argument_text(decoded(encoded(value))) == value


@pytest.mark.parametrize(
    "argv",
    [
        ["--files", "a", "b"],  # several values
        ["--tag", "a", "--tag", "b"],  # repeated
        ["--epochs", "5", "--epochs", "6"],  # repeated
        ["--verbose", "--quiet"],  # two flags of one dest: their order matters
        ["-x", "1"],  # a short option
    ],
)
def test_other_argv_stays_arguments(project, argv):
    plan = encoded_plan(project, argv)
    assert "HyperParameters" not in plan.request
    assert container_argv(plan)[: len(argv)] == argv
    env = plan.request["Environment"]
    assert FLAGS_ENV not in env
    assert env["AWS_SAGEMAKER_REMOTE_USER_ARGC"] == str(len(argv))


@pytest.mark.parametrize("value", ["v" * 2501, "v" * 2497 + "\n"])  # the second: once encoded
def test_a_value_over_2500_characters_goes_to_the_job_file(project, value):
    plan = encoded_plan(project, ["--name", value])
    assert "HyperParameters" not in plan.request
    assert "ContainerArguments" not in plan.request["AlgorithmSpecification"]
    (job,) = [u for u in plan.uploads if u.name == "job"]
    assert json.loads(job.files[0][1])["argv"][:2] == ["--name", value]


def test_no_own_arguments_no_hyperparameters(project):
    plan = encoded_plan(project, [])
    assert "HyperParameters" not in plan.request
    assert FLAGS_ENV not in plan.request["Environment"]
    assert plan.request["Environment"]["AWS_SAGEMAKER_REMOTE_USER_ARGC"] == "0"


def test_the_added_arguments_not_fitting_sends_all_to_the_job_file(project):
    long_file = project / ("f" * 250 + ".csv")
    long_file.write_text("x\n")
    plan = encoded_plan(project, ["--epochs", "5", "--train", str(long_file)])
    assert "HyperParameters" not in plan.request
    (job,) = [u for u in plan.uploads if u.name == "job"]
    argv = json.loads(job.files[0][1])["argv"]
    assert argv[:2] == ["--epochs", "5"]
    assert argv[3] == f"/opt/ml/input/data/train/{long_file.name}"


# ---------------------------------------------------------------- the limits, directly

ONE = "1"


def flags_of(options) -> dict:
    return {flag[2:]: ONE for flag, _ in options}


def test_at_most_100_entries():
    options = [(f"--o{i}", "v") for i in range(100)]
    assert len(hyperparameters(options, flags_of(options), 10**6).values) == 100
    more = options + [("--o100", "v")]
    assert hyperparameters(more, flags_of(more), 10**6) is None


def test_keys_of_at_most_256_characters():
    fits = [("--" + "k" * 256, "v")]
    assert hyperparameters(fits, flags_of(fits), 10**6).values == {"k" * 256: "v"}
    over = [("--" + "k" * 257, "v")]
    assert hyperparameters(over, flags_of(over), 10**6) is None


def test_values_of_at_most_2500_characters():
    fits = [("--k", "v" * 2500)]
    assert hyperparameters(fits, flags_of(fits), 10**6).values == {"k": "v" * 2500}
    assert hyperparameters([("--k", "v" * 2501)], {"k": ONE}, 10**6) is None


@pytest.mark.parametrize("options", [None, []])
def test_nothing_to_encode(options):
    assert hyperparameters(options, {}, 512) is None


@pytest.mark.parametrize("key", ["sagemaker_program", "sagemaker_x", "_tuning_objective_metric"])
def test_a_flag_named_as_a_key_sagemaker_sets_stays_an_argument(key):
    assert hyperparameters([("--" + key, "1")], {key: ONE}, 512) is None


def test_the_flags_table_is_every_flag_when_it_fits_else_those_given():
    flags = {f"flag{i:03}": ONE for i in range(60)}
    options = [("--flag001", "1"), ("--flag002", "2")]
    found = hyperparameters(options, flags, 512)
    assert json.loads(found.flags) == {"flag001": ONE, "flag002": ONE}
    assert json.loads(hyperparameters(options, flags, 10**6).flags) == flags
    assert hyperparameters(options, flags, 20) is None  # not even those given fit


# ---------------------------------------------------------------- the parser's side


def parser_with_positional() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--n", type=int)
    parser.add_argument("--flag", action="store_true")
    parser.add_argument("--pair", nargs=2)
    parser.add_argument("--learning-rate", "--lr", type=float)
    parser.add_argument("--version", action="version", version="1")
    return parser


@pytest.mark.parametrize(
    ("tokens", "pairs"),
    [
        (["--n", "1", "--flag"], [("--n", "1"), ("--flag", None)]),
        (["--n=1"], [("--n", "1")]),
        (["--learn", "0.1"], [("--learning-rate", "0.1")]),
        (["--lr", "0.1"], [("--lr", "0.1")]),
        ([], []),
        (["file.txt", "--n", "1"], None),
        (["--n"], None),
        (["--pair", "a", "b"], None),
        (["--unknown", "1"], None),
        (["--", "--n", "1"], None),
    ],
)
def test_option_pairs(tokens, pairs):
    assert option_pairs(parser_with_positional(), tokens) == pairs


def test_the_scripts_flags_are_its_long_options_of_one_value_or_none():
    parser = parser_with_positional()
    own = {a for a in parser._actions if a.dest == "n"}  # as if the library had added --n
    assert script_flags(parser, own) == {"flag": "0", "learning-rate": "1", "lr": "1"}
