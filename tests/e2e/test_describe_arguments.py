"""`describe NAME` shows the arguments a job ran with, whichever way they travelled: a training
job's hyperparameters, ContainerArguments, or the job file staged when they did not fit the
request (issue 21, point 8). Through the emulator, each command a process."""

from __future__ import annotations

import textwrap
from pathlib import Path

from e2e_support import run_cli, run_script

PROCESSING = """
from aws_sagemaker_remote import sagemaker_processing_main

sagemaker_processing_main(main=print, additional_arguments=[
    {"dest": "--n", "default": 1}, {"dest": "--words", "nargs": "*", "default": []}])
"""

TRAINING = """
from aws_sagemaker_remote import sagemaker_training_main

sagemaker_training_main(main=print, additional_arguments=[
    {"dest": "--epochs", "default": 1}, {"dest": "--rate", "default": 0.1},
    {"dest": "--words", "nargs": "*", "default": []}])
"""


def script(folder: Path, name: str, source: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(source))
    return path


def described(kind: str, name: str) -> list:
    shown = run_cli(kind, "describe", name)
    assert shown.returncode == 0, shown.stderr
    return shown.stdout.splitlines()


def test_the_arguments_of_a_processing_job_in_the_request_or_its_job_file(emulator_env, tmp_path):
    job = script(tmp_path, "job.py", PROCESSING)
    done = run_script(job, "--sagemaker-run", "yes", "--sagemaker-job-name", "short-args",
                      "--n", "3", "--words", "a b", "c")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Arguments: --n 3 --words 'a b' c" in described("processing", "short-args")
    many = [f"w{i}" for i in range(120)]  # past 100 arguments: they travel in the job file
    done = run_script(job, "--sagemaker-run", "yes", "--sagemaker-job-name", "long-args",
                      "--words", *many)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Arguments: --words " + " ".join(many) in described("processing", "long-args")
    plain = run_script(job, "--sagemaker-run", "yes", "--sagemaker-job-name", "no-args")
    assert plain.returncode == 0, plain.stderr
    assert "Arguments: (none)" in described("processing", "no-args")


def test_a_training_jobs_hyperparameters_and_arguments(emulator_env, tmp_path):
    job = script(tmp_path, "train.py", TRAINING)
    done = run_script(job, "--sagemaker-run", "yes", "--sagemaker-job-name", "with-hps",
                      "--epochs", "5", "--rate", "0.5")  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = described("training", "with-hps")
    [shown] = [line for line in lines if line.startswith("Hyperparameters: ")]
    assert "epochs=5" in shown
    assert "rate=0.5" in shown
    assert shown.endswith("(the script's arguments)")
    assert not any(line.startswith("Arguments:") for line in lines)
    listed = run_script(job, "--sagemaker-run", "yes", "--sagemaker-job-name", "with-list",
                        "--words", "x", "y")  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    lines = described("training", "with-list")
    assert "Arguments: --words x y" in lines
    assert not any(line.startswith("Hyperparameters:") for line in lines)
