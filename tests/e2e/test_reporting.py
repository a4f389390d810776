"""What a user sees of an emulated job's end (issue 8 points 3 and 4, issue 11 point 4): the
runtime limit named, short bootstrap lines with container paths, the exception once."""

from __future__ import annotations

import textwrap

from e2e_support import run_script

HEADER = "from aws_sagemaker_remote import sagemaker_processing_main\n"


def write(folder, body: str):
    path = folder / "job.py"
    path.write_text(HEADER + textwrap.dedent(body))
    return path


def test_a_job_stopped_by_its_runtime_limit_says_so(emulator_env, tmp_path):
    script = write(
        tmp_path,
        """
        import time

        def main(args):
            print("started", flush=True)
            time.sleep(120)

        sagemaker_processing_main(main=main)
        """,
    )
    result = run_script(
        script, "--sagemaker-run", "yes", "--sagemaker-runtime-seconds", "2",
        "--sagemaker-job-name", "too-slow",
    )  # fmt: skip
    assert result.returncode == 1
    assert "Runtime:   at most 2 s" in result.stderr
    assert (
        "Job too-slow stopped: MaxRuntimeInSeconds (2 s) reached; raise it with "
        "--sagemaker-runtime-seconds"
    ) in result.stdout


def test_bootstrap_lines_are_few_and_name_container_paths(emulator_env, tmp_path):
    script = write(
        tmp_path,
        """
        def main(args):
            print("the script ran")

        sagemaker_processing_main(main=main)
        """,
    )
    result = run_script(script, "--sagemaker-run", "yes", "--sagemaker-job-name", "short-lines")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    ours = [line for line in lines if line.startswith("aws-sagemaker-remote: ")]
    assert ours[0].startswith("aws-sagemaker-remote: Python 3.")
    assert ours[1].startswith("aws-sagemaker-remote: running ")
    assert "/opt/ml/processing/code/script/job.py" in ours[1]
    assert len(ours) == 2
    assert all(len(line) < 120 for line in ours)
    assert str(tmp_path.parent) not in result.stdout  # no host path of the emulator's folders
    assert lines[-1] == "Job short-lines Completed.", result.stdout
