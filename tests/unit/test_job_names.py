"""The default base job name is the script's file name without `.py`, made a valid start of a
job name; `base_job_name` and the flag still win (SPEC 3, issue 21 point 7)."""

from __future__ import annotations

import pytest

from aws_sagemaker_remote.processing.args import ProcessingArgumentParser, sagemaker_processing_args
from aws_sagemaker_remote.training.args import sagemaker_training_args


def base_name(script: str, argv=(), add=sagemaker_processing_args, **kwargs) -> str:
    parser = ProcessingArgumentParser(prog="t")
    add(parser, script, **kwargs)
    return parser.parse_args(list(argv)).sagemaker_base_job_name


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("train.py", "train"),
        ("/home/me/project/prepare_data.py", "prepare-data"),
        ("01 clean up!.py", "01-clean-up"),
        ("résumé.py", "r-sum"),
        ("job", "job"),
        ("__.py", "processing-job"),  # nothing left: the kind's own
    ],
)
def test_the_default_comes_from_the_scripts_file_name(script, expected):
    assert base_name(script) == expected


def test_a_training_script_gets_its_name_too():
    assert base_name("fit_model.py", add=sagemaker_training_args) == "fit-model"
    assert base_name("_.py", add=sagemaker_training_args) == "training-job"


def test_the_keyword_and_the_flag_still_win():
    assert base_name("train.py", base_job_name="nightly") == "nightly"
    assert base_name("train.py", ["--sagemaker-base-job-name", "adhoc"]) == "adhoc"


def test_the_help_shows_the_default_from_the_script():
    parser = ProcessingArgumentParser(prog="t")
    sagemaker_processing_args(parser, "count_words.py")
    text = " ".join(parser.format_help().split())
    assert "job names are this plus a timestamp (default: count-words)" in text
