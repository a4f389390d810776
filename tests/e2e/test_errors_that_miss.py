"""Errors that used to miss what went wrong (issue 21, point 6), each one line and exit 2 before
anything is uploaded, through a process as a user meets them: an EC2 instance name, a malformed
S3 URI, interrupting a job that is not on spot capacity, a lookup on AWS while the jobs are the
emulator's, two outputs in one folder."""

from __future__ import annotations

import os
import textwrap

import pytest
from e2e_support import EXAMPLES, run_cli, run_script

HELLO = EXAMPLES / "hello_processing.py"
TRAIN = EXAMPLES / "train_classifier" / "train.py"

TWO_OUTPUTS = """
import os
from aws_sagemaker_remote import sagemaker_processing_main

def main(args):
    for folder in (args.first, args.second):
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "made.txt"), "w") as f:
            f.write(folder)

sagemaker_processing_main(main=main, outputs={"first": "out/a", "second": "out/b"})
"""


def one_line(result, *fragments: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr


def nothing_staged(s3_client, bucket: str) -> None:
    """The test's own bucket (`--sagemaker-bucket`) is still empty: other tests may stage into
    the emulator's default bucket meanwhile."""
    assert not s3_client.list_objects_v2(Bucket=bucket).get("KeyCount")


@pytest.mark.parametrize(
    ("script", "instance"), [(HELLO, "t3.medium"), (TRAIN, "m5.large"), (HELLO, "ML.T3.MEDIUM")]
)
def test_an_ec2_instance_name_gets_its_sagemaker_name(
    emulator_env, s3_client, bucket, script, instance
):
    refused = run_script(script, "--sagemaker-run", "yes", "--sagemaker-instance", instance,
                         "--sagemaker-bucket", bucket)  # fmt: skip
    expected = "ml." + instance.lower().removeprefix("ml.")
    one_line(refused, "--sagemaker-instance", f"did you mean {expected}?")
    nothing_staged(s3_client, bucket)


@pytest.mark.parametrize("uri", ["S3://bucket/data", "s3:/bucket/data", "s3:bucket/data"])
@pytest.mark.parametrize("run", ["no", "yes"])
def test_a_malformed_s3_uri_is_not_a_missing_file(
    emulator_env, s3_client, bucket, tmp_path, uri, run
):
    script = EXAMPLES / "word_count" / "word_count.py"
    refused = run_script(script, "--sagemaker-run", run, "--data", uri,
                         "--sagemaker-bucket", bucket, cwd=tmp_path)  # fmt: skip
    one_line(refused, f"--data: {uri!r}: a malformed S3 URI", "starts with s3://")
    assert "no such file" not in refused.stderr.lower()
    nothing_staged(s3_client, bucket)


def test_two_outputs_in_one_folder_are_refused(emulator_env, s3_client, bucket, tmp_path):
    script = tmp_path / "two.py"
    script.write_text(textwrap.dedent(TWO_OUTPUTS))
    for run in ("no", "yes"):
        mine = ("--sagemaker-run", run, "--sagemaker-bucket", bucket)
        same = run_script(script, *mine, "--second", "out/a", cwd=tmp_path)
        one_line(same, "--second: 'out/a': is the folder of --first too")
        inside = run_script(script, *mine, "--second", "out/a/b", cwd=tmp_path)
        one_line(inside, "--second: 'out/a/b': is inside the folder of --first")
    nothing_staged(s3_client, bucket)
    assert not (tmp_path / "out").exists()
    same = str(tmp_path / "m")
    model = run_script(TRAIN, "--sagemaker-run", "yes", "--sagemaker-download", "yes",
                       "--model-dir", same, "--output-dir", same)  # fmt: skip
    one_line(model, "--output-dir", "is the folder of --model-dir too")
    fine = run_script(script, "--sagemaker-run", "yes", cwd=tmp_path)
    assert fine.returncode == 0, fine.stderr


def test_a_download_of_outputs_whose_names_differ_in_case_only_is_refused(emulator_env, tmp_path):
    script = tmp_path / "cases.py"
    script.write_text(
        TWO_OUTPUTS.replace('"first": "out/a"', '"Out": "out/a"')
        .replace('"second": "out/b"', '"out": "out/b"')
        .replace("(args.first, args.second)", "(args.Out, args.out)")
    )
    done = run_script(script, "--sagemaker-run", "yes", "--sagemaker-job-name", "cases",
                      cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    refused = run_cli("processing", "download", "cases", "--output", str(tmp_path / "dl"))
    one_line(refused, "'Out' and 'out'", "would share one folder")
    assert not (tmp_path / "dl").exists()


def test_interrupting_a_job_that_is_not_on_spot_is_one_line(emulator_env, tmp_path):
    done = run_script(TRAIN, "--sagemaker-run", "yes", "--sagemaker-job-name", "not-spot",
                      "--model-dir", str(tmp_path / "m"), "--output-dir", str(tmp_path / "o"),
                      "--checkpoint-dir", str(tmp_path / "c"))  # fmt: skip
    assert done.returncode == 0, done.stderr
    refused = run_cli("training", "interrupt", "not-spot")
    one_line(refused, "interrupt: job not-spot does not run on spot capacity")


def without_aws(env: dict, **more: str) -> dict:
    """The user's shell with the backend left to its default (aws), and nothing configured."""
    env = {k: v for k, v in env.items() if k != "AWS_SAGEMAKER_REMOTE_BACKEND"}
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        env.pop(name, None)
    return {**env, **more}


def test_a_lookup_on_aws_names_the_emulators_jobs(emulator_env, tmp_path, monkeypatch):
    import subprocess
    import sys

    done = run_script(HELLO, "--sagemaker-run", "yes", "--sagemaker-job-name", "hello-here",
                      "--output", str(tmp_path / "o"))  # fmt: skip
    assert done.returncode == 0, done.stderr
    consumer = tmp_path / "consume.py"
    consumer.write_text(
        textwrap.dedent("""
        from aws_sagemaker_remote import sagemaker_processing_main
        sagemaker_processing_main(main=print, inputs={"data": "data"})
    """)
    )

    def run(argv, env):
        return subprocess.run([sys.executable, *argv], capture_output=True, text=True,
                              timeout=120, env=env)  # fmt: skip

    no_credentials = without_aws(emulator_env)
    listed = run(["-m", "aws_sagemaker_remote", "processing", "list"], no_credentials)
    one_line(listed, "no usable AWS credentials", "--profile", "the local emulator has 1 job(s)",
             "add --backend local")  # fmt: skip
    assert "--sagemaker-" not in listed.stderr
    local = run([str(consumer), "--data", "job:hello-here/output"], no_credentials)
    one_line(local, "--data: no usable AWS credentials", "add --sagemaker-backend local")
    unreachable = without_aws(emulator_env, AWS_ACCESS_KEY_ID="k", AWS_SECRET_ACCESS_KEY="s",
                              AWS_ENDPOINT_URL_SAGEMAKER="http://127.0.0.1:9",
                              AWS_MAX_ATTEMPTS="1")  # fmt: skip
    reached = run(["-m", "aws_sagemaker_remote", "processing", "describe", "hello"], unreachable)
    assert reached.returncode == 1
    assert "cannot reach AWS" in reached.stderr
    assert "add --backend local" in reached.stderr
    moto = os.environ["AWS_ENDPOINT_URL_CLOUDWATCH_LOGS"]
    on_aws = without_aws(emulator_env, AWS_ACCESS_KEY_ID="k", AWS_SECRET_ACCESS_KEY="s",
                         AWS_ENDPOINT_URL_SAGEMAKER=moto)  # fmt: skip
    missing = run(["-m", "aws_sagemaker_remote", "processing", "logs", "hello"], on_aws)
    one_line(missing, "no processing job named 'hello' or starting with it",
             "the local emulator has 1 such job(s): add --backend local")  # fmt: skip
    exact = run(["-m", "aws_sagemaker_remote", "processing", "logs", "hello-here"], on_aws)
    one_line(exact, "the local emulator has a job named 'hello-here'")
