"""The seed-like example, from the command line as a user meets it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hello_processing.py"
FLAGS = [
    "--sagemaker-run", "--sagemaker-wait", "--sagemaker-profile", "--sagemaker-role",
    "--sagemaker-image", "--sagemaker-instance", "--sagemaker-volume-size",
    "--sagemaker-runtime-seconds", "--sagemaker-base-job-name", "--sagemaker-job-name",
    "--sagemaker-script", "--sagemaker-python", "--sagemaker-requirements",
    "--sagemaker-configuration-script", "--sagemaker-configuration-command",
    "--sagemaker-input-mount", "--sagemaker-output-mount", "--sagemaker-module-mount",
    "--sagemaker-output-json", "--sagemaker-region", "--sagemaker-bucket", "--sagemaker-prefix",
    "--sagemaker-instance-count", "--sagemaker-env", "--sagemaker-tags",
    "--sagemaker-output-kms-key", "--sagemaker-volume-kms-key", "--sagemaker-s3-kms-keys",
    "--sagemaker-subnets",
    "--sagemaker-security-groups", "--sagemaker-network-isolation",
    "--sagemaker-inter-container-encryption", "--sagemaker-backend", "--sagemaker-dry-run",
    "--sagemaker-download", "--output", "--output-s3", "--output-mode", "--count",
]  # fmt: skip


def run(*argv):
    return subprocess.run([sys.executable, str(EXAMPLE), *argv], capture_output=True, text=True)


def test_help_shows_every_flag():
    result = run("--help")
    assert result.returncode == 0
    for flag in FLAGS:
        assert re.search(re.escape(flag) + r"(?![\w-])", result.stdout), flag


def test_bad_yes_no_is_one_line_exit_2_without_traceback():
    result = run("--sagemaker-run", "maybe")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "--sagemaker-run" in result.stderr
    assert "maybe" in result.stderr
    assert "Traceback" not in result.stderr


def test_local_run_writes_the_output(tmp_path):
    result = run("--output", str(tmp_path / "out"), "--count", "3")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "summary.txt").read_text() == "3 rows, sum of squares 14\n"
