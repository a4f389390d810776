"""A job is named after its script (`train.py` -> `train-<timestamp>`), as the SDK names its
jobs after the image and SPEC 3 after the script; `--sagemaker-base-job-name` still wins (issue
21, point 7). Dry runs through the emulator, as a user runs them."""

from __future__ import annotations

import json
import re

import pytest
from e2e_support import EXAMPLES, run_script

STAMP = r"-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-\d{3}-[a-z0-9]{5}"


def dry_run(script, *argv: str) -> dict:
    result = run_script(script, "--sagemaker-run", "yes", "--sagemaker-dry-run", "yes", *argv)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["request"]


@pytest.mark.parametrize(
    ("script", "field", "base"),
    [
        (EXAMPLES / "train_classifier" / "train.py", "TrainingJobName", "train"),
        (EXAMPLES / "hello_processing.py", "ProcessingJobName", "hello-processing"),
    ],
)
def test_a_job_is_named_after_its_script(emulator_env, script, field, base):
    request = dry_run(script)
    assert re.fullmatch(base + STAMP, request[field]), request[field]
    assert {"Key": "BaseJobName", "Value": base} in request["Tags"]
    chosen = dry_run(script, "--sagemaker-base-job-name", "nightly")
    assert re.fullmatch("nightly" + STAMP, chosen[field])
