"""The top-level help lists every command, and a misspelt flag, command or choice gets a
did-you-mean from the parser's own options (issue 21, point 5). Each through a process, as a
user types it."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import pytest

from aws_sagemaker_remote.cli.images import build_parser as images_parser
from aws_sagemaker_remote.cli.main import commands, processing_parser, training_parser
from aws_sagemaker_remote.s3server.commands import build_parser as s3_parser

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CLI = [sys.executable, "-m", "aws_sagemaker_remote"]


def run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=60)


def subcommands(parser: argparse.ArgumentParser) -> list:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    return []


def test_the_top_level_help_lists_every_command_and_subcommand():
    shown = run(*CLI, "--help")
    assert shown.returncode == 0, shown.stderr
    text = shown.stdout
    for parser, command in (
        (processing_parser(), "processing"),
        (training_parser(), "training"),
        (s3_parser(), "s3"),
    ):
        block = re.search(rf"\n  ({command} .*?)(?=\n  \S|\n\n)", text, re.S).group(1)
        for sub in subcommands(parser):
            assert f" {sub}" in block, (command, sub)
    assert "\n  images [FRAMEWORK[:VERSION]]" in text
    assert images_parser().prog == "aws-sagemaker-remote images"
    for command in commands():
        assert f"\n  {command} " in text, command
    assert "s3 serve | start | stop | status" in text
    assert "| interrupt NAME" in text


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        (["--sagemaker-instance-type", "ml.m5.large"], "did you mean --sagemaker-instance?"),
        (["--sagemaker-instance-type=ml.m5.large"], "did you mean --sagemaker-instance?"),
        (["--cuont", "3"], "did you mean --count?"),
        (["--sagemaker-backend", "loacl"], "did you mean local?"),
    ],
)
def test_a_misspelt_flag_of_a_script_gets_a_did_you_mean(argv, hint):
    refused = run(sys.executable, str(EXAMPLES / "hello_processing.py"), *argv)
    assert refused.returncode == 2
    assert refused.stdout == ""
    assert refused.stderr.count("\n") == 1
    assert hint in refused.stderr


def test_a_flag_like_no_other_gets_no_guess():
    refused = run(sys.executable, str(EXAMPLES / "hello_processing.py"), "--zzz")
    assert refused.returncode == 2
    assert "did you mean" not in refused.stderr


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        (["procesing", "list"], "did you mean processing?"),
        (["processing", "lst"], "did you mean list?"),
        (["training", "interupt", "x"], "did you mean interrupt?"),
        (["processing", "list", "--nmae-contains", "x"], "did you mean --name-contains?"),
        (["training", "logs", "x", "--folow"], "did you mean --follow?"),
        (["processing", "list", "--backend", "lokal"], "did you mean local?"),
        (["s3", "strat"], "did you mean start?"),
    ],
)
def test_a_misspelt_command_or_flag_of_the_cli_gets_a_did_you_mean(argv, hint):
    refused = run(*CLI, *argv)
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1
    assert hint in refused.stderr
