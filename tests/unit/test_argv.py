"""The user's own argv tokens are kept verbatim; the library's flags are taken out."""

from __future__ import annotations

import pytest

from aws_sagemaker_remote.flags.argv import user_argv
from aws_sagemaker_remote.processing.args import ProcessingArgumentParser, sagemaker_processing_args


def parser_and_own():
    parser = ProcessingArgumentParser(prog="t")
    config = sagemaker_processing_args(
        parser,
        "s.py",
        inputs={"data": "d"},
        outputs={"out": "o"},
        dependencies={"lib": "l"},
    )
    parser.add_argument("--files", nargs="+", default=[])
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--name", default="x")
    parser.add_argument("--ratio", type=float, default=1.0)
    parser.add_argument("positional", nargs="*")
    return parser, config.own_actions


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--sagemaker-run", "yes", "--name", "n"], ["--name", "n"]),
        (["--sagemaker-run", "--name", "n"], ["--name", "n"]),
        (["--sagemaker-run=yes", "--verbose"], ["--verbose"]),
        (["--data", "x", "--data-mode", "Pipe", "--out", "o2", "--out-s3", "s3://b/k"], []),
        (["--lib", "path", "--files", "a", "b", "--verbose"], ["--files", "a", "b", "--verbose"]),
        (["--name", "", "--ratio", "-1.5"], ["--name", "", "--ratio", "-1.5"]),
        (["--sagemaker-env", "A=1", "p1", "p2"], ["p1", "p2"]),
        (["--sagemaker-dry", "yes", "--nam", "z"], ["--nam", "z"]),
        (["--", "--sagemaker-run", "yes"], ["--", "--sagemaker-run", "yes"]),
    ],
)
def test_user_argv(argv, expected):
    parser, own = parser_and_own()
    assert user_argv(parser, own, argv) == expected


def test_long_and_many_values_survive():
    parser, own = parser_and_own()
    long_value = "v" * 1000
    argv = [
        "--name",
        long_value,
        "--files",
        *[f"f{i}" for i in range(150)],
        "--sagemaker-run",
        "yes",
    ]
    kept = user_argv(parser, own, argv)
    assert kept == argv[:-2]
