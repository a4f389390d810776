"""A team without AWS types nothing (issue 20, point 4): `aws-sagemaker-remote s3 start` once,
`backend = "local"` in the project's pyproject.toml, and in a shell that exports no endpoint but
holds the user's own (different) AWS keys, an emulated job runs, its outputs come back and the
job commands work. The user's keys reach nothing: not the job, not the server, not a file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
from helpers import our_folders_under

from aws_sagemaker_remote.aws.credentials import is_credential_name

SCRIPT = textwrap.dedent(
    """
    import json, os, shutil
    from aws_sagemaker_remote import sagemaker_processing_main

    def main(args):
        os.makedirs(args.out, exist_ok=True)
        shutil.copy(os.path.join(args.data, "a.txt"), args.out)
        with open(os.path.join(args.out, "environment.json"), "w") as f:
            json.dump(dict(os.environ), f)
        print("script ran")

    if __name__ == "__main__":
        sagemaker_processing_main(main=main, inputs={"data": "data"}, outputs={"out": "out"})
    """
)
USER_KEY = "AKIAUSERSHELL" + uuid.uuid4().hex[:7].upper()
USER_SECRET = "UserShellSecret" + uuid.uuid4().hex
USER_TOKEN = "UserShellToken" + uuid.uuid4().hex


@pytest.fixture
def shell(tmp_path, monkeypatch) -> dict:
    """The user's shell: their own AWS keys, no endpoint, no AWS config; our folders in tmp."""
    for name in list(os.environ):
        if name.startswith(("AWS_", "XDG_")):
            monkeypatch.delenv(name)
    our_folders_under(monkeypatch, tmp_path / "ours")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", USER_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", USER_SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", USER_TOKEN)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_LOG_SETTLE", "0")
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    return dict(os.environ)


@pytest.fixture
def server(shell) -> dict:
    """`aws-sagemaker-remote s3 start`, stopped at the end; its `s3 status --env` variables
    (read here only to check what the job saw)."""
    started = cli("s3", "start")
    assert started.returncode == 0, started.stderr
    try:
        status = cli("s3", "status", "--env")
        assert status.returncode == 0, status.stderr
        yield dict(line[len("export ") :].split("=", 1) for line in status.stdout.splitlines())
    finally:
        cli("s3", "stop")


@pytest.fixture
def project(tmp_path) -> Path:
    folder = tmp_path / "project"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "a.txt").write_text("alpha")
    (folder / "job.py").write_text(SCRIPT)
    (folder / "pyproject.toml").write_text(
        '[project]\nname = "team"\n\n[tool.aws-sagemaker-remote]\nbackend = "local"\n'
    )
    return folder


def cli(*argv: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "aws_sagemaker_remote", *argv],
        capture_output=True, text=True, timeout=180, cwd=cwd, env=dict(os.environ),
    )  # fmt: skip


def run(project: Path, *argv: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "job.py", "--sagemaker-run", "yes", *argv],
        capture_output=True, text=True, timeout=300, cwd=project, env={**os.environ, **env},
    )  # fmt: skip


def test_an_emulated_job_finds_the_server_and_leaves_the_user_s_keys_alone(
    shell, server, project, tmp_path
):
    result = run(project, "--sagemaker-job-name", "found-1", "--sagemaker-download", "yes")
    assert result.returncode == 0, result.stderr
    assert (project / "out" / "a.txt").read_text() == "alpha"
    seen = json.loads((project / "out" / "environment.json").read_text())
    assert seen["AWS_ENDPOINT_URL_S3"] == server["AWS_ENDPOINT_URL_S3"]
    assert {k for k in seen if is_credential_name(k)} == {
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_CONFIG_FILE",
    }

    logs = cli("processing", "logs", "found-1", cwd=project)
    assert logs.returncode == 0, logs.stderr
    assert "script ran" in logs.stdout
    fetched = cli("processing", "download", "latest", "--output", str(tmp_path / "dl"),
                  cwd=project)  # fmt: skip
    assert fetched.returncode == 0, fetched.stderr
    assert (tmp_path / "dl" / "out" / "a.txt").read_text() == "alpha"

    opted = run(project, "--sagemaker-job-name", "found-2", "--sagemaker-download", "yes",
                AWS_SAGEMAKER_REMOTE_PASS_CREDENTIALS="1")  # fmt: skip
    assert opted.returncode == 0, opted.stderr
    seen = json.loads((project / "out" / "environment.json").read_text())
    assert seen["AWS_ACCESS_KEY_ID"] == server["AWS_ACCESS_KEY_ID"]  # the job's S3 is the server
    assert "AWS_SESSION_TOKEN" not in seen

    assert os.environ["AWS_ACCESS_KEY_ID"] == USER_KEY  # the shell is as it was
    state = tmp_path / "ours" / "home" / "s3"
    for name in ("server.json", "identities.json"):  # the endpoint, the server's keys
        assert (state / name).stat().st_mode & 0o777 == 0o600, name
    outputs = [result, logs, fetched, opted]
    places = {f"output {i}": r.stdout + r.stderr for i, r in enumerate(outputs)}
    places.update(_small_files(tmp_path / "ours"))
    places.update(_small_files(project))
    secrets = (USER_KEY, USER_SECRET, USER_TOKEN)
    leaks = {where for where, text in places.items() for secret in secrets if secret in text}
    assert leaks == set()


def test_the_job_commands_without_a_server_say_to_start_it(shell, project, tmp_path):
    result = run(project)
    assert result.returncode == 2
    assert result.stderr.strip().endswith("start one with `aws-sagemaker-remote s3 start`")
    assert result.stderr.count("\n") == 1
    listed = cli("processing", "list", cwd=project)  # no S3 needed: the jobs are files
    assert listed.returncode == 0, listed.stderr


def _small_files(root: Path) -> dict:
    """Text of every regular file below `root` under 50 MB (the server's volumes are sparse)."""
    found = {}
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink() and path.stat().st_size < 50_000_000:
            found[str(path)] = path.read_bytes().decode("utf-8", "replace")
    return found
