"""Output into a pipe whose reader goes away (`| head -5`), and the exit code of a download of a
job that did not complete (issue 21, point 3), through the emulator, each command a process as
a user runs it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from e2e_support import run_cli, run_script

from aws_sagemaker_remote.errors import EXIT_BROKEN_PIPE

SCRIPT = """
import os
from aws_sagemaker_remote import sagemaker_processing_main

def main(args):
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "part.txt"), "w") as f:
        f.write("half of it")
    for i in range(args.lines):
        print(f"line {i:05d} " + "x" * 60)
    if args.fail:
        raise RuntimeError("it broke after writing part.txt")

sagemaker_processing_main(
    main=main,
    outputs={"out": "out"},
    additional_arguments=[
        {"dest": "--lines", "default": 3},
        {"dest": "--fail", "default": False},
    ],
)
"""


def script(folder: Path) -> Path:
    path = folder / "job.py"
    path.write_text(textwrap.dedent(SCRIPT))
    return path


def head(argv, lines: int, env=None) -> subprocess.CompletedProcess:
    """`argv | head -LINES`: read that many lines, then close the pipe."""
    process = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    got = [process.stdout.readline() for _ in range(lines)]
    process.stdout.close()
    err = process.stderr.read()
    process.stderr.close()
    code = process.wait(timeout=180)
    return subprocess.CompletedProcess(argv, code, "".join(got), err)


CLI = [sys.executable, "-m", "aws_sagemaker_remote"]


def test_job_commands_end_quietly_when_the_reader_goes(emulator_env, tmp_path):
    job = script(tmp_path)
    done = run_script(job, "--sagemaker-run", "yes", "--sagemaker-job-name", "chatty",
                      "--lines", "5000")  # fmt: skip
    assert done.returncode == 0, done.stderr
    logs = head([*CLI, "processing", "logs", "chatty"], 5)
    assert logs.stdout.count("\n") == 5
    assert logs.stderr == ""
    # The logs go out in one write: a kernel may take it whole before the reader goes (this
    # one's does, 10 MB past a 64 KiB pipe), and then there is nothing to report at all.
    assert logs.returncode in (0, EXIT_BROKEN_PIPE)
    for argv in (["processing", "list"], ["processing", "describe", "chatty"],
                 ["processing", "logs", "chatty"], ["images"]):  # fmt: skip
        listed = head([*CLI, *argv], 0)
        assert (listed.returncode, listed.stderr) == (EXIT_BROKEN_PIPE, ""), argv


def test_a_script_following_its_job_ends_quietly_when_the_reader_goes(emulator_env, tmp_path):
    job = script(tmp_path)
    followed = head(
        [sys.executable, str(job), "--sagemaker-run", "yes", "--sagemaker-job-name", "piped",
         "--lines", "5000"],
        3,
    )  # fmt: skip
    assert followed.returncode == EXIT_BROKEN_PIPE, followed.stderr
    assert "Traceback" not in followed.stderr
    assert "error" not in followed.stderr
    after = run_cli("processing", "wait", "piped")  # the job itself went on
    assert after.returncode == 0, after.stdout + after.stderr


def test_a_download_of_a_failed_job_exits_1_saying_what_it_got(emulator_env, tmp_path):
    job = script(tmp_path)
    failed = run_script(job, "--sagemaker-run", "yes", "--sagemaker-job-name", "half",
                        "--fail", "yes", "--out-mode", "Continuous")  # fmt: skip
    assert failed.returncode == 1
    got = run_cli("processing", "download", "half", "--output", str(tmp_path / "got"))
    assert got.returncode == 1, got.stdout + got.stderr
    assert (tmp_path / "got" / "out" / "part.txt").read_text() == "half of it"
    assert got.stderr.count("\n") == 1
    assert "half is Failed" in got.stderr
    assert "out (1 file)" in got.stderr
    nothing = run_script(job, "--sagemaker-run", "yes", "--sagemaker-job-name", "none",
                         "--fail", "yes")  # fmt: skip
    assert nothing.returncode == 1
    got = run_cli("processing", "download", "none", "--output", str(tmp_path / "none"))
    assert got.returncode == 1
    assert "the job wrote nothing" in got.stdout
    assert "not Completed: it left nothing" in got.stderr
    fine = run_script(job, "--sagemaker-run", "yes", "--sagemaker-job-name", "whole")
    assert fine.returncode == 0, fine.stderr
    whole = run_cli("processing", "download", "whole", "--output", str(tmp_path / "whole"))
    assert (whole.returncode, whole.stderr) == (0, "")
