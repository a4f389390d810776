"""The job command line as a newcomer meets it through the emulator: pasted hints work, jobs are
named by a prefix or `latest`, and `rerun NAME -- ARGS...` replaces the script's arguments."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path

from e2e_support import run_cli, run_script

SCRIPT = """
import json, os, sys
from aws_sagemaker_remote import sagemaker_processing_main

def main(args):
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "seen.json"), "w") as f:
        json.dump({"n": args.n, "words": args.words, "out": args.out}, f)
    print("n is", args.n)

sagemaker_processing_main(
    main=main,
    outputs={"out": "out"},
    additional_arguments=[
        {"dest": "--n", "default": 1},
        {"dest": "--words", "nargs": "*", "default": []},
    ],
)
"""


def script(folder: Path) -> Path:
    path = folder / "job.py"
    path.write_text(textwrap.dedent(SCRIPT))
    return path


def pasted(hint: str, env: dict) -> subprocess.CompletedProcess:
    """Run a printed command line as a user pasting it would (the command is on PATH)."""
    argv = shlex.split(hint)
    assert argv[0] == "aws-sagemaker-remote"
    return subprocess.run(
        [sys.executable, "-m", "aws_sagemaker_remote", *argv[1:]],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def seen(folder: Path) -> dict:
    return json.loads((folder / "seen.json").read_text())


def download(name: str, target: Path) -> dict:
    result = run_cli("processing", "download", name, "--output", str(target))
    assert result.returncode == 0, result.stderr
    return seen(target / "out")


def test_the_printed_follow_hint_works_when_pasted(emulator_env, tmp_path):
    env = {k: v for k, v in emulator_env.items() if k != "AWS_SAGEMAKER_REMOTE_BACKEND"}
    result = subprocess.run(
        [sys.executable, str(script(tmp_path)), "--sagemaker-run", "yes",
         "--sagemaker-backend", "local", "--sagemaker-wait", "no",
         "--sagemaker-job-name", "hinted", "--n", "4"],
        capture_output=True, text=True, timeout=180, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    hint = re.search(r"Follow its logs: (.*)$", result.stdout, re.M).group(1)
    assert hint == "aws-sagemaker-remote processing logs hinted --follow --backend local"
    followed = pasted(hint, env)
    assert followed.returncode == 0, followed.stderr
    assert "n is 4" in followed.stdout
    assert "Job hinted Completed." in followed.stdout


def test_options_before_the_command_prefix_and_latest(emulator_env, tmp_path):
    env = {k: v for k, v in emulator_env.items() if k != "AWS_SAGEMAKER_REMOTE_BACKEND"}
    job = script(tmp_path)
    for name in ("pre-alpha-1", "pre-alpha-2", "pre-beta"):
        done = run_script(job, "--sagemaker-run", "yes", "--sagemaker-job-name", name)
        assert done.returncode == 0, done.stderr

    def cli(*argv):
        return subprocess.run(
            [sys.executable, "-m", "aws_sagemaker_remote", *argv],
            capture_output=True, text=True, timeout=120, env=env,
        )  # fmt: skip

    listed = cli("--backend", "local", "processing", "list")
    assert listed.returncode == 0, listed.stderr
    assert "pre-beta" in listed.stdout
    assert cli("processing", "list", "--backend=local").stdout == listed.stdout
    described = cli("--backend", "local", "processing", "describe", "pre-b")
    assert described.returncode == 0, described.stderr
    assert "Name:      pre-beta" in described.stdout
    latest = cli("processing", "describe", "latest", "--backend", "local")
    assert "Name:      pre-beta" in latest.stdout
    ambiguous = cli("processing", "logs", "pre-alpha-", "--backend", "local")
    assert ambiguous.returncode == 2
    assert ambiguous.stdout == ""
    assert ambiguous.stderr.count("\n") == 1
    assert "pre-alpha-2, pre-alpha-1" in ambiguous.stderr
    unknown = cli("processing", "wait", "nothing-like-it", "--backend", "local")
    assert unknown.returncode == 2
    assert "nothing-like-it" in unknown.stderr


def test_rerun_replaces_the_scripts_arguments(emulator_env, tmp_path):
    job = script(tmp_path)
    first = run_script(
        job, "--sagemaker-run", "yes", "--sagemaker-job-name", "args-first", "--n", "5",
        "--words", "a", "b",
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    again = run_cli("processing", "rerun", "args-first", "--", "--n", "7", "--words", "x")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "n is 7" in again.stdout
    after = download("latest", tmp_path / "second")
    assert (after["n"], after["words"]) == (7, ["x"])
    assert after["out"].endswith("/out")
    assert download("args-first", tmp_path / "first")["words"] == ["a", "b"]
    plain = run_cli("processing", "rerun", "args-first")
    assert plain.returncode == 0, plain.stderr
    assert download("latest", tmp_path / "third")["n"] == 5


def test_rerun_stages_a_new_job_file_when_arguments_travel_in_one(emulator_env, tmp_path):
    job = script(tmp_path)
    many = [f"w{i}" for i in range(120)]  # past 100 arguments: they travel in job.json
    first = run_script(
        job, "--sagemaker-run", "yes", "--sagemaker-job-name", "file-first", "--words", *many
    )
    assert first.returncode == 0, first.stderr
    old = json.loads(run_cli("processing", "describe", "file-first", "--json").stdout)
    assert "ContainerArguments" not in old["AppSpecification"]
    again = run_cli("processing", "rerun", "file-first", "--", "--n", "2")
    assert again.returncode == 0, again.stdout + again.stderr
    after = download("latest", tmp_path / "second")
    assert (after["n"], after["words"]) == (2, [])
    new = json.loads(run_cli("processing", "describe", "latest", "--json").stdout)
    channel = {c["InputName"]: c["S3Input"]["S3Uri"] for c in new["ProcessingInputs"]}
    old_channel = {c["InputName"]: c["S3Input"]["S3Uri"] for c in old["ProcessingInputs"]}
    assert channel["code-job"] != old_channel["code-job"]
    assert channel["code-script"] == old_channel["code-script"]
    assert download("file-first", tmp_path / "first")["words"] == many


def test_rerun_with_a_long_argument_gets_a_job_file(emulator_env, tmp_path):
    job = script(tmp_path)
    first = run_script(job, "--sagemaker-run", "yes", "--sagemaker-job-name", "long-first")
    assert first.returncode == 0, first.stderr
    long_word = "y" * 300  # past the 256 characters of a container argument
    again = run_cli("processing", "rerun", "long-first", "--", "--words", long_word)
    assert again.returncode == 0, again.stdout + again.stderr
    new = json.loads(run_cli("processing", "describe", "latest", "--json").stdout)
    assert "ContainerArguments" not in new["AppSpecification"]
    assert "code-job" in {c["InputName"] for c in new["ProcessingInputs"]}
    assert download("latest", tmp_path / "second")["words"] == [long_word]


def test_a_job_without_the_user_argument_count_refuses_new_arguments(emulator_env, tmp_path):
    from aws_sagemaker_remote.backends.local import LocalBackend
    from aws_sagemaker_remote.kinds import PROCESSING

    job = script(tmp_path)
    assert (
        run_script(job, "--sagemaker-run", "yes", "--sagemaker-job-name", "old-1").returncode == 0
    )
    backend = LocalBackend()
    request_file = backend.job_dir(PROCESSING, "old-1") / "request.json"
    request = json.loads(request_file.read_text())
    del request["Environment"]["AWS_SAGEMAKER_REMOTE_USER_ARGC"]
    request_file.write_text(json.dumps(request))
    refused = run_cli("processing", "rerun", "old-1", "--", "--n", "3")
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1
    assert "older version" in refused.stderr
    assert os.environ["AWS_SAGEMAKER_REMOTE_BACKEND"] == "local"
