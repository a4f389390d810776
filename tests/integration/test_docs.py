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
    pages = ("index", "usage", "flags", "training", "gpu-training", "training-flags", "api", "cli")
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
    assert "--sagemaker-run run as a SageMaker processing job" in text


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
