"""Bad input through the real entry point (a user's script, `--sagemaker-run yes`), on both
backends: AWS (moto + SeaweedFS) and the local emulator. Every row must end with exit 2 and one
line naming what is wrong, before any side effect: no new bucket or object, no job, no role,
nothing under the XDG folders or AWS_SAGEMAKER_REMOTE_HOME."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import boto3
import pytest
from forked import run_script, warm
from helpers import our_folders_under, started_s3_server

ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
GOOD_KEY = "1234abcd-12ab-34cd-56ef-1234567890ab"
SUBNET, SG, SGS = "subnet-0123abcd", "sg-0123abcd", "--sagemaker-security-groups"
PROC, ENV, OUT_MOUNT = "/opt/ml/processing", "--sagemaker-env", "--sagemaker-output-mount"
PASS = "AWS_SAGEMAKER_REMOTE_PASS_CREDENTIALS"

SCRIPT = textwrap.dedent(
    """
    from aws_sagemaker_remote import sagemaker_processing_main

    def main(args):
        print("ran")

    if __name__ == "__main__":
        sagemaker_processing_main(
            main=main,
            inputs={"data": "data"},
            outputs={"out": "out"},
            dependencies={"helpers": "helpers"},
            requirements="requirements.txt",
        )
    """
)


def row(expected, *argv, env=None):
    return pytest.param(list(argv), expected, env or {}, id=f"{expected}:{' '.join(argv)}"[:80])


ROWS = [
    # value types: refused while parsing
    row("--sagemaker-instance-count", "--sagemaker-instance-count", "١٢"),
    row("--sagemaker-instance-count", "--sagemaker-instance-count", "0"),
    row("--sagemaker-volume-size", "--sagemaker-volume-size", "1_0"),
    row("--sagemaker-volume-size", "--sagemaker-volume-size", "３０"),
    row("--sagemaker-runtime-seconds", "--sagemaker-runtime-seconds", "+5"),
    row("--sagemaker-runtime-seconds", "--sagemaker-runtime-seconds", "1e3"),
    row("--sagemaker-wait", "--sagemaker-wait", "maybe"),
    row("--sagemaker-download", "--sagemaker-download", "perhaps"),
    row("--sagemaker-dry-run", "--sagemaker-dry-run", "2"),
    row("--data-mode", "--data-mode", "Stream"),
    row("--data-distribution", "--data-distribution", "Random"),
    row("--out-mode", "--out-mode", "Sometimes"),
    row("--sagemaker-env", "--sagemaker-env", "NOEQUALS"),
    row("--sagemaker-bogus", "--sagemaker-bogus", "1"),
    row("--sagemaker-instance-count", "--sagemaker-instance-count"),
    # image, KMS, VPC, prefix forms
    row("--sagemaker-image", "--sagemaker-image", "not a uri"),
    row("--sagemaker-image", "--sagemaker-image", "img:1"),
    row("--sagemaker-image", "--sagemaker-image", f"{ECR}/Upper:1"),
    row("--sagemaker-image", "--sagemaker-image", f"{ECR}/x@sha256:abc"),
    row("--sagemaker-image", "--sagemaker-image", f"{ECR}/x:1@sha256:{'0' * 64}"),
    row("--sagemaker-image", "--sagemaker-image", f"https://{ECR}/x:1"),
    row("--sagemaker-image", "--sagemaker-image", f"{ECR}/{'x' * 250}"),
    row("--sagemaker-output-kms-key", "--sagemaker-output-kms-key", "abc"),
    row("--sagemaker-output-kms-key", "--sagemaker-output-kms-key", f"key/{GOOD_KEY}"),
    row("--sagemaker-output-kms-key", "--sagemaker-output-kms-key", "alias/bad alias"),
    row("--sagemaker-volume-kms-key", "--sagemaker-volume-kms-key", "arn:aws:kms:x:1:key/x"),
    row("--sagemaker-volume-kms-key", "--sagemaker-volume-kms-key", "alias/"),
    row("--sagemaker-s3-kms-keys", "--sagemaker-s3-kms-keys", f"{GOOD_KEY},alias/bad alias"),
    row("--sagemaker-subnets", "--sagemaker-subnets", "subnet-1", SGS, SG),
    row("--sagemaker-subnets", "--sagemaker-subnets", "subnet-0123ABCD,x", SGS, SG),
    row(SGS, "--sagemaker-subnets", SUBNET, SGS, "sg-1"),
    row(SGS, "--sagemaker-subnets", SUBNET),
    row("--sagemaker-prefix", "--sagemaker-prefix", "../../escape"),
    row("--sagemaker-prefix", "--sagemaker-prefix", "/abs"),
    row("--sagemaker-prefix", "--sagemaker-prefix", "a//b"),
    row("--sagemaker-prefix", "--sagemaker-prefix", "a/./b"),
    row("--sagemaker-prefix", "--sagemaker-prefix", "a b"),
    # environment and tags
    row("AWS_SECRET_ACCESS_KEY", "--sagemaker-env", "AWS_SECRET_ACCESS_KEY=x"),
    row("AWS_ACCESS_KEY_ID", "--sagemaker-env", "A=1,AWS_ACCESS_KEY_ID=x"),
    row("AWS_SESSION_TOKEN", "--sagemaker-env", "AWS_SESSION_TOKEN=x"),
    row("AWS_SECURITY_TOKEN", "--sagemaker-env", "AWS_SECURITY_TOKEN=x"),
    row("aws_profile", "--sagemaker-env", "aws_profile=prod"),
    row("AWS_CONTAINER_CREDENTIALS_FULL_URI", ENV, "AWS_CONTAINER_CREDENTIALS_FULL_URI=/"),
    row("AWS_SHARED_CREDENTIALS_FILE", "--sagemaker-env", "AWS_SHARED_CREDENTIALS_FILE=/c"),
    row("AWS_WEB_IDENTITY_TOKEN_FILE", "--sagemaker-env", "AWS_WEB_IDENTITY_TOKEN_FILE=/t"),
    row("--sagemaker-env", "--sagemaker-env", "AWS_SAGEMAKER_REMOTE_SCRIPT=x"),
    row("--sagemaker-env", "--sagemaker-env", "1BAD=x"),
    row("--sagemaker-env", "--sagemaker-env", "A=" + "v" * 257),
    row("--sagemaker-env", "--sagemaker-env", ",".join(f"K{i}=v" for i in range(93))),
    row("--sagemaker-tags", "--sagemaker-tags", "Source=me"),
    row("--sagemaker-tags", "--sagemaker-tags", "aws:x=1"),
    row("--sagemaker-tags", "--sagemaker-tags", "k=bad#value"),
    # the job
    row("--sagemaker-job-name", "--sagemaker-job-name", "bad_name"),
    row("--sagemaker-job-name", "--sagemaker-job-name", "-lead"),
    row("--sagemaker-job-name", "--sagemaker-job-name", "x" * 64),
    row("--sagemaker-instance", "--sagemaker-instance", "t3.medium"),
    row("--sagemaker-instance-count", "--sagemaker-instance-count", "101"),
    row("--sagemaker-volume-size", "--sagemaker-volume-size", "20000"),
    row("--sagemaker-runtime-seconds", "--sagemaker-runtime-seconds", "777601"),
    row("--sagemaker-role", "--sagemaker-role", "bad role!"),
    row("--sagemaker-python", "--sagemaker-python", "python3 'unclosed"),
    row("--sagemaker-python", "--sagemaker-python", ""),
    # files, inputs, outputs, mounts
    row("--sagemaker-script", "--sagemaker-script", "missing.py"),
    row("--sagemaker-requirements", "--sagemaker-requirements", "missing.txt"),
    row("--sagemaker-configuration-script", "--sagemaker-configuration-script", "missing.sh"),
    row("--helpers", "--helpers", "missing_dir"),
    row("--data", "--data", "missing_data"),
    row("--data", "--data", "s3://"),
    row("--data", "--data", "s3://Bad_Bucket/x"),
    row("--data", "--data", "s3://bucket/" + "k" * 1100),
    row("--data", "--data", "job:bad_name/x"),
    row("--out-s3", "--out-s3", "notaurl"),
    row("--sagemaker-input-mount", "--sagemaker-input-mount", "/tmp/in"),
    row("--sagemaker-output-mount", "--sagemaker-output-mount", "/opt/ml/processing/code"),
    row("overlap", "--sagemaker-input-mount", f"{PROC}/x", OUT_MOUNT, f"{PROC}/x/y"),
    row("--sagemaker-bucket", "--sagemaker-bucket", "Bad_Bucket"),
    row("--sagemaker-bucket", "--sagemaker-bucket", "ab"),
    row("--sagemaker-download", "--sagemaker-download", "yes", "--sagemaker-wait", "no"),
    row("--sagemaker-output-json", "--sagemaker-output-json", "/no/such/dir/x.json"),
    row("--out", "--sagemaker-download", "yes", "--out", "data"),
    row("--out", "--sagemaker-download", "yes", "--out", "data/sub"),
    row("--out", "--sagemaker-download", "yes", "--out", "."),
    row("--out", "--sagemaker-download", "yes", "--out", "notes.txt"),
    row("--out", "--sagemaker-download", "yes", "--out", "data-link"),
    row("--out", "--sagemaker-download", "yes", "--out", "notes.txt/sub"),
    # a download's folder holding what no download replaces (issue 23 points 1-2)
    row("--out", "--sagemaker-download", "yes", "--out", "results-with-link"),
    row("--out", "--sagemaker-download", "yes", "--out", "results-with-fifo"),
    # settings read later, refused first
    row("AWS_SAGEMAKER_REMOTE_TRANSFER", env={"AWS_SAGEMAKER_REMOTE_TRANSFER": "bogus"}),
    row(PASS, env={PASS: "maybe"}),
    row("--sagemaker-image", "--sagemaker-region", "mars-north-1"),
    # found while resolving names (read-only calls)
    row("--sagemaker-profile", "--sagemaker-profile", "no-such-profile"),
    row("--data", "--data", "job:no-such-job/out"),
    row("--data", "--data", "s3://no-such-bucket-aws-sagemaker-remote/data"),
]  # fmt: skip


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    (folder / "data" / "sub").mkdir(parents=True)
    (folder / "data" / "a.txt").write_text("alpha")
    (folder / "helpers").mkdir()
    (folder / "helpers" / "__init__.py").write_text("")
    (folder / "requirements.txt").write_text("tabulate\n")
    (folder / "notes.txt").write_text("not a folder")
    (folder / "data-link").symlink_to(folder / "data")
    (folder / "job.py").write_text(SCRIPT)
    (folder / "results-with-link" / "sub").mkdir(parents=True)
    (folder / "results-with-link" / "sub" / "escape").symlink_to(tmp_path)
    (folder / "results-with-fifo").mkdir()
    os.mkfifo(folder / "results-with-fifo" / "pipe")
    return folder


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory):
    """A SeaweedFS of this module's own: each row compares every bucket and object before and
    after, and the session's server holds what the other tests left (thousands of objects)."""
    with started_s3_server(tmp_path_factory.mktemp("seaweedfs-bad-input")) as server:
        yield server.info


@pytest.fixture(scope="module", autouse=True)
def _warm():
    """Each script runs as a fork of this process (tests/forked.py), which imports once what
    their remote runs import."""
    warm()


@pytest.fixture
def sandbox(aws_env, tmp_path, monkeypatch) -> Path:
    """Every folder of ours (XDG and AWS_SAGEMAKER_REMOTE_HOME) below one that must stay empty."""
    root = tmp_path / "xdg"
    our_folders_under(monkeypatch, root)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    return root


def s3_state(s3) -> tuple:
    buckets = sorted(b["Name"] for b in s3.list_buckets().get("Buckets", []))
    objects = set()
    for name in buckets:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name):
            objects.update((name, o["Key"], o["ETag"]) for o in page.get("Contents", []))
    return buckets, objects


def files_under(root: Path) -> list:
    return sorted(str(p) for p in root.rglob("*") if not p.is_dir()) if root.exists() else []


@pytest.mark.parametrize("backend", ["aws", "local"])
@pytest.mark.parametrize(("argv", "expected", "env"), ROWS)
def test_bad_input_is_one_line_and_changes_nothing(
    project, sandbox, s3_client, backend, argv, expected, env
):
    assert_refused_cleanly(project, sandbox, s3_client, backend, argv, expected, env)


def assert_refused_cleanly(project, sandbox, s3_client, backend, argv, expected, env=None):
    iam, sagemaker = boto3.client("iam"), boto3.client("sagemaker")
    before = s3_state(s3_client)
    roles = iam.list_roles()["Roles"]
    result = run_script(
        ["job.py", "--sagemaker-run", "yes", "--sagemaker-backend", backend, *argv],
        cwd=project,
        env={**os.environ, **(env or {})},
    )
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1, result.stderr
    assert expected in lines[0], lines[0]
    assert "error:" in lines[0], lines[0]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert s3_state(s3_client) == before
    assert iam.list_roles()["Roles"] == roles
    assert sagemaker.list_processing_jobs()["ProcessingJobSummaries"] == []
    assert files_under(sandbox) == []
    assert not (project / "out").exists()


def non_utf8_name(data: Path) -> None:
    os.close(os.open(os.fsencode(data) + b"/caf\xe9.txt", os.O_CREAT | os.O_WRONLY, 0o644))


def key_over_1024_bytes(data: Path) -> None:
    deep = data.joinpath(*["d" * 250] * 4)
    deep.mkdir(parents=True)
    (deep / "file.txt").write_text("deep")


@pytest.mark.parametrize("dry_run", ["yes", "no"])
@pytest.mark.parametrize("backend", ["aws", "local"])
@pytest.mark.parametrize(
    ("make", "expected"),
    [(non_utf8_name, "--data: "), (key_over_1024_bytes, "--data: ")],
    ids=["non-utf8-name", "key-over-1024-bytes"],
)
def test_names_s3_cannot_hold_are_refused_before_staging(
    project, sandbox, s3_client, backend, dry_run, make, expected
):
    """Issue 23 point 4: one line, in the dry run too, before anything is sent."""
    make(project / "data")
    argv = ["--sagemaker-dry-run", dry_run]
    assert_refused_cleanly(project, sandbox, s3_client, backend, argv, expected)


def test_the_matrix_is_large_enough():
    assert len(ROWS) >= 60


LOCAL_RUN_ROWS = [
    "data",
    "data/sub",
    "data/sub/deeper",
    ".",
    "notes.txt",
    "notes.txt/sub",
    "data-link",
]


@pytest.mark.parametrize("out", LOCAL_RUN_ROWS)
def test_local_run_refuses_outputs_that_clash_with_inputs(project, tmp_path, out):
    """`main` would write the output where the next remote run stages an input, or into a file."""
    before = files_under(project)
    result = subprocess.run(
        [sys.executable, "job.py", "--out", out],
        capture_output=True,
        text=True,
        cwd=project,
        timeout=60,
    )
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("job.py: error: --out: "), lines[0]
    assert result.stdout == ""  # main did not run
    assert files_under(project) == before


def test_local_run_with_its_own_output_folder_runs(project):
    result = subprocess.run(
        [sys.executable, "job.py", "--out", "results"], capture_output=True, text=True, cwd=project
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ran\n"
