"""The documentation site: built by Sphinx with warnings as errors and nothing fetched, its flag
and command references rendered from the parsers the code builds, every public parameter
documented (issue 11, point 6)."""

from __future__ import annotations

import argparse
import html
import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

from aws_sagemaker_remote import args as public_args
from aws_sagemaker_remote.cli.images import build_parser as images_parser
from aws_sagemaker_remote.cli.main import processing_parser, training_parser
from aws_sagemaker_remote.processing import args as processing_args
from aws_sagemaker_remote.processing import main as processing_main
from aws_sagemaker_remote.s3server.commands import build_parser as s3_parser
from aws_sagemaker_remote.training import args as training_args
from aws_sagemaker_remote.training import main as training_main

DOCS = Path(__file__).resolve().parents[2] / "docs"
PUBLIC = [
    processing_main.sagemaker_processing_main,
    processing_main.sagemaker_processing_handle,
    processing_args.sagemaker_processing_args,
    processing_args.sagemaker_processing_parser_for_docs,
    training_main.sagemaker_training_main,
    training_main.sagemaker_training_handle,
    training_args.sagemaker_training_args,
    training_args.sagemaker_training_parser_for_docs,
]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("docs")
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         str(DOCS), str(out)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stderr
    return out


def text_of(page: Path) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", page.read_text())).split())


def options_of(parser) -> set:
    found = set()
    for action in parser._actions:
        if action.help == argparse.SUPPRESS:
            continue
        found.update(o for o in action.option_strings if o.startswith("--") and o != "--help")
        if isinstance(action.choices, dict):  # the subcommands' parsers
            for sub in action.choices.values():
                found |= options_of(sub)
    return found


def test_every_page_is_built(site):
    pages = (
        "index",
        "usage",
        "from-sagemaker-sdk",
        "flags",
        "training",
        "gpu-training",
        "training-flags",
        "api",
        "cli",
    )
    for page in pages + ("architecture", "benchmarks"):
        assert (site / f"{page}.html").is_file(), page


def test_flag_reference_is_rendered_from_the_docs_parser(site):
    text = text_of(site / "flags.html")
    parser = processing_args.sagemaker_processing_parser_for_docs()
    assert parser.prog == "aws-sagemaker-remote-processing"
    assert "usage: aws-sagemaker-remote-processing [options]" in text
    for option in options_of(parser):
        assert option in text, option
    assert "(default: aws-sagemaker-remote-processing-role)" in text
    assert "--sagemaker-run [yes|no] run as a SageMaker processing job" in text


def test_training_flag_reference_is_rendered_from_the_docs_parser(site):
    text = text_of(site / "training-flags.html")
    parser = training_args.sagemaker_training_parser_for_docs()
    assert "usage: aws-sagemaker-remote-training [options]" in text
    for option in options_of(parser):
        assert option in text, option
    for seed_name in ("--sagemaker-training-instance", "--sagemaker-training-image",
                      "--sagemaker-training-role"):  # fmt: skip
        assert seed_name in text
    assert "--model-dir" in text
    assert "--checkpoint-dir" in text


def test_command_references_are_rendered_from_their_parsers(site):
    text = text_of(site / "cli.html")
    parsers = (processing_parser(), training_parser(), s3_parser(), images_parser())
    for option in set().union(*(options_of(p) for p in parsers)):
        assert option in text, option
    for command in ("list", "describe", "logs", "wait", "stop", "download", "rerun"):
        assert f"aws-sagemaker-remote processing {command} [options]" in text
        assert f"aws-sagemaker-remote training {command} [options]" in text
    assert "aws-sagemaker-remote training interrupt [options]" in text
    for command in ("serve", "start", "stop", "status"):
        assert f"aws-sagemaker-remote s3 {command} [options]" in text
    assert "aws-sagemaker-remote images [options] [FRAMEWORK[:VERSION]]" in text


@pytest.mark.parametrize("function", PUBLIC, ids=lambda f: f.__name__)
def test_every_public_parameter_is_documented(function, site):
    doc = inspect.getdoc(function) or ""
    for name in inspect.signature(function).parameters:
        assert f":param {name}:" in doc, f"{function.__name__}: {name}"
    assert ":returns:" in doc
    assert f"{function.__name__}(" in text_of(site / "api.html")


def test_path_argument_and_optional_are_documented(site):
    doc = inspect.getdoc(public_args.PathArgument) or ""
    for field in public_args.PathArgument._fields:
        assert f":param {field}:" in doc, field
    text = text_of(site / "api.html")
    assert "aws_sagemaker_remote.args.OPTIONAL" in text
    assert "class aws_sagemaker_remote.args.PathArgument(" in text


def test_the_build_fetches_nothing():
    import runpy

    conf = runpy.run_path(str(DOCS / "conf.py"))
    assert not [e for e in conf["extensions"] if "intersphinx" in e]
    assert not conf.get("intersphinx_mapping")


# ---------------------------------------------------------------- issue 21, point 9


def invocation(parser, action) -> str:
    return parser._get_formatter()._format_action_invocation(action)


def shown_options(parser):
    """(parser, action) of every option --help shows, subcommands included."""
    for action in parser._actions:
        if isinstance(action.choices, dict):
            for sub in action.choices.values():
                yield from shown_options(sub)
        elif action.option_strings and action.help != argparse.SUPPRESS and action.dest != "help":
            yield parser, action


@pytest.mark.parametrize(
    ("page", "make"),
    [
        ("flags", processing_args.sagemaker_processing_parser_for_docs),
        ("training-flags", training_args.sagemaker_training_parser_for_docs),
        ("cli", processing_parser),
        ("cli", training_parser),
    ],
)
def test_the_reference_names_each_option_as_help_does(site, page, make):
    """Choices (`{aws,local}`), `[yes|no]` and each value's name, as --help shows them."""
    text = text_of(site / f"{page}.html")
    for parser, action in shown_options(make()):
        assert invocation(parser, action) in text, invocation(parser, action)
    if page == "flags":
        assert "--sagemaker-backend {aws,local}" in text
        assert "--sagemaker-run [yes|no]" in text
        assert "--input-mode {File,Pipe}" in text


def test_the_example_flags_read_well(site):
    """The docs parsers' items are named input, output, my_module (SPEC 2): no help text may
    read "input input" or "output output"."""
    for page in ("flags", "training-flags"):
        text = text_of(site / f"{page}.html")
        for doubled in ("input input", "output output", "module my_module", "train train"):
            assert doubled not in text, (page, doubled)
    for make in (processing_args.sagemaker_processing_parser_for_docs,
                 training_args.sagemaker_training_parser_for_docs):  # fmt: skip
        for _, action in shown_options(make()):
            assert not re.search(r"\b(\w+) \1\b", action.help or ""), action.help


def test_the_cli_page_lists_the_shared_options_once_per_command(site):
    text = text_of(site / "cli.html")
    assert text.count("--region REGION AWS region") == 2  # processing, training
    assert text.count("--profile NAME AWS profile") == 2
    for parser in (processing_parser(), training_parser()):
        for sub, action in shown_options(parser):
            if sub is not parser:
                assert action.dest not in ("backend", "profile", "region"), sub.prog
    help_text = subprocess.run(
        [sys.executable, "-m", "aws_sagemaker_remote", "processing", "list", "--help"],
        capture_output=True, text=True, timeout=60,
    ).stdout  # fmt: skip
    assert "--region REGION" in help_text  # the command's own --help still shows them


def test_the_page_for_sagemaker_sdk_users(site):
    """Each SDK name a newcomer knows, and only flags and commands that exist."""
    page = (DOCS / "from-sagemaker-sdk.md").read_text()
    text = text_of(site / "from-sagemaker-sdk.html")
    for name in ("instance_type", "entry_point", "hyperparameters", "ProcessingInput",
                 "ProcessingOutput", "fit(..., wait=False)", "ScriptProcessor", "source_dir",
                 "dependencies", "FrameworkProcessor", "checkpoint_s3_uri", "use_spot_instances",
                 "metric_definitions", "Estimator.attach", "model_data"):  # fmt: skip
        assert name in text, name
    flags = set()
    for make in (processing_args.sagemaker_processing_parser_for_docs,
                 training_args.sagemaker_training_parser_for_docs):  # fmt: skip
        flags |= options_of(make())
    for flag in set(re.findall(r"--sagemaker-[a-z0-9-]*[a-z0-9]", page)):
        assert flag in flags, flag
    commands = {"processing": processing_parser(), "training": training_parser()}
    for kind, command in re.findall(r"aws-sagemaker-remote (processing|training) ([a-z]+)", page):
        assert f"{kind} {command}" in text
        assert any(command in (a.choices or {}) for a in commands[kind]._actions), command
    assert "from-sagemaker-sdk" in (DOCS / "index.rst").read_text()


def caller_permissions() -> str:
    usage = (DOCS / "usage.md").read_text()
    start = usage.index("### What you (the caller) need")
    return usage[start : usage.index("\n## ", start)]


@pytest.mark.parametrize("kind", ["processing", "training"])
def test_the_callers_permissions_cover_each_kinds_operations_and_log_group(kind):
    """Issue 18 point 7: every SageMaker operation the AWS backend calls for a kind (create,
    describe, stop, list; the tags), iam:PassRole and the kind's log group are in the table."""
    from aws_sagemaker_remote.kinds import KINDS

    entry = KINDS[kind]
    table = caller_permissions()
    for verb in ("Create", "Describe", "Stop", "List"):
        assert f"sagemaker:{entry.api_operation(verb)}" in table, verb
    for action in ("sagemaker:AddTags", "sagemaker:ListTags", "iam:PassRole",
                   "s3:GetEncryptionConfiguration", "logs:GetLogEvents"):  # fmt: skip
        assert action in table, action
    assert entry.log_group in table


def test_the_training_page_says_what_the_bypassed_entrypoint_did():
    """Issue 18 point 7: the PyTorch training images' entrypoint does not run in our jobs."""
    text = " ".join((DOCS / "training.md").read_text().split())
    assert "start_with_right_hostname.sh" in text
    assert "`gethostname()`" in text
    assert "SM_CURRENT_HOST" in text
