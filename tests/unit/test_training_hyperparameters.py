"""The user's own options as HyperParameters: when they can be (each limit on both sides), and
the arguments they leave to ContainerArguments or the job file when they cannot."""

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
)

from aws_sagemaker_remote.flags.argv import option_pairs
from aws_sagemaker_remote.pipeline.training.hyperparameters import hyperparameters

ADDED = 10  # --train PATH, the three folders, --sagemaker-run no


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path)


def encoded(project, argv):
    plan = plan_for(project, argv)
    assert_valid_training_request(plan.request)
    return plan


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["--epochs", "5", "--verbose", "--lr=0.01"],
            {"--epochs": "5", "--verbose": "", "--lr": "0.01"},
        ),
        (["--level"], {"--level": ""}),
        (["--level", "mid", "--verbose"], {"--level": "mid", "--verbose": ""}),
        (["--lr", "-0.5"], {"--lr": "-0.5"}),
        (["--epo", "7"], {"--epo": "7"}),  # an abbreviation, kept as typed
        (["--tag", "a"], {"--tag": "a"}),
        (["--name", "a b=c"], {"--name": "a b=c"}),
        (["--name", "v" * 2500], {"--name": "v" * 2500}),
    ],
)
def test_options_become_hyperparameters(project, argv, expected):
    plan = encoded(project, argv)
    assert plan.request["HyperParameters"] == expected
    assert list(plan.request["HyperParameters"]) == list(expected)
    assert len(container_argv(plan)) == ADDED
    env = plan.request["Environment"]
    assert env["AWS_SAGEMAKER_REMOTE_ARGV_SOURCE"] == "hyperparameters"
    assert env["AWS_SAGEMAKER_REMOTE_USER_ARGC"] == str(len(expected))


@pytest.mark.parametrize(
    "argv",
    [
        ["--files", "a", "b"],  # several values
        ["--tag", "a", "--tag", "b"],  # repeated
        ["--epochs", "5", "--epochs", "6"],  # repeated
        ["--verbose", "--quiet"],  # two flags of one dest: their order matters
        ["-x", "1"],  # a short option
        ["--name", ""],  # an empty value would come back as a bare flag
        ["--name", "two\nlines"],  # `.*` matches no line break
        ["--name", "a\u2028b"],
    ],
)
def test_other_argv_stays_arguments(project, argv):
    plan = encoded(project, argv)
    assert "HyperParameters" not in plan.request
    assert container_argv(plan)[: len(argv)] == argv
    env = plan.request["Environment"]
    assert "AWS_SAGEMAKER_REMOTE_ARGV_SOURCE" not in env
    assert env["AWS_SAGEMAKER_REMOTE_USER_ARGC"] == str(len(argv))


def test_a_value_over_2500_characters_goes_to_the_job_file(project):
    plan = encoded(project, ["--name", "v" * 2501])
    assert "HyperParameters" not in plan.request
    assert "ContainerArguments" not in plan.request["AlgorithmSpecification"]
    (job,) = [u for u in plan.uploads if u.name == "job"]
    assert json.loads(job.files[0][1])["argv"][:2] == ["--name", "v" * 2501]


def test_no_own_arguments_no_hyperparameters(project):
    plan = encoded(project, [])
    assert "HyperParameters" not in plan.request
    assert "AWS_SAGEMAKER_REMOTE_ARGV_SOURCE" not in plan.request["Environment"]
    assert plan.request["Environment"]["AWS_SAGEMAKER_REMOTE_USER_ARGC"] == "0"


def test_the_added_arguments_not_fitting_sends_all_to_the_job_file(project):
    long_file = project / ("f" * 250 + ".csv")
    long_file.write_text("x\n")
    plan = encoded(project, ["--epochs", "5", "--train", str(long_file)])
    assert "HyperParameters" not in plan.request
    (job,) = [u for u in plan.uploads if u.name == "job"]
    argv = json.loads(job.files[0][1])["argv"]
    assert argv[:2] == ["--epochs", "5"]
    assert argv[3] == f"/opt/ml/input/data/train/{long_file.name}"


# ---------------------------------------------------------------- the limits, directly


def test_at_most_100_entries():
    options = [(f"--o{i}", "v") for i in range(100)]
    assert len(hyperparameters(options)) == 100
    assert hyperparameters(options + [("--o100", "v")]) is None


def test_keys_of_at_most_256_characters():
    assert hyperparameters([("--" + "k" * 254, "v")]) == {"--" + "k" * 254: "v"}
    assert hyperparameters([("--" + "k" * 255, "v")]) is None


def test_values_of_at_most_2500_characters():
    assert hyperparameters([("--k", "v" * 2500)]) == {"--k": "v" * 2500}
    assert hyperparameters([("--k", "v" * 2501)]) is None


@pytest.mark.parametrize("options", [None, []])
def test_nothing_to_encode(options):
    assert hyperparameters(options) is None


# ---------------------------------------------------------------- option pairs of a parser


def parser_with_positional() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--n", type=int)
    parser.add_argument("--flag", action="store_true")
    parser.add_argument("--pair", nargs=2)
    return parser


@pytest.mark.parametrize(
    ("tokens", "pairs"),
    [
        (["--n", "1", "--flag"], [("--n", "1"), ("--flag", None)]),
        (["--n=1"], [("--n", "1")]),
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
