"""Every example, run here and through the emulator: the outputs must match byte for byte."""

from __future__ import annotations

import json

import pytest
from e2e_support import EXAMPLES, run_script, tree_bytes

CASES = {
    "hello_processing": (EXAMPLES / "hello_processing.py", "output"),
    "word_count": (EXAMPLES / "word_count" / "word_count.py", "counts"),
}


@pytest.mark.parametrize("example", sorted(CASES))
def test_example_matches_its_local_run(example, emulator_env, tmp_path, s3_client):
    script, output = CASES[example]
    local, remote = tmp_path / "local", tmp_path / "remote"
    here = run_script(script, f"--{output}", local)
    assert here.returncode == 0, here.stderr

    description = tmp_path / "job.json"
    job = run_script(
        script,
        "--sagemaker-run", "yes",
        "--sagemaker-download", "yes",
        "--sagemaker-output-json", description,
        f"--{output}", remote,
    )  # fmt: skip
    assert job.returncode == 0, job.stdout + job.stderr
    described = json.loads(description.read_text())
    assert described["ProcessingJobStatus"] == "Completed"
    assert tree_bytes(remote) == tree_bytes(local) != {}

    uri = described["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"]
    bucket, _, prefix = uri[len("s3://") :].partition("/")
    listed = s3_client.list_objects_v2(Bucket=bucket, Prefix=prefix + "/")
    in_s3 = {
        item["Key"][len(prefix) + 1 :]: s3_client.get_object(Bucket=bucket, Key=item["Key"])[
            "Body"
        ].read()
        for item in listed["Contents"]
    }
    assert in_s3 == tree_bytes(local)


def test_word_count_job_used_every_piece(emulator_env, tmp_path):
    script, _ = CASES["word_count"]
    job = run_script(script, "--sagemaker-run", "yes", "--counts", tmp_path / "c")
    assert job.returncode == 0, job.stderr
    text = job.stdout + job.stderr
    for channel in ("code-script", "code-requirements", "code-support", "module-textstats", "data"):
        assert f"Input  {channel}: s3://" in text
    assert "configuring: command" in text
    assert "installing requirements" in text
    assert "103 words, 61 distinct" in text
