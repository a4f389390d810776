"""The emulator finds the embedded S3 server by itself (issue 20, point 4): with no endpoint in
the environment it talks to the server recorded under the data folder, with that server's own
keys, while the caller's AWS credentials stay the caller's for everything else.

The server here is the session's SeaweedFS, seen through a data folder that links to it: its
state (server.json, identities.json) is what `aws-sagemaker-remote s3 start` leaves
(tests/e2e/test_found_s3_server.py runs that command itself)."""

from __future__ import annotations

import os
import textwrap
import uuid

import boto3
import pytest

from aws_sagemaker_remote.backends import get_backend
from aws_sagemaker_remote.backends.local import LocalBackend
from aws_sagemaker_remote.backends.local.handoff import RUNNER_S3_DIR_VAR
from aws_sagemaker_remote.backends.local.runner.jobenv import script_base
from aws_sagemaker_remote.backends.local.s3endpoint import runner_s3
from aws_sagemaker_remote.errors import UsageError

USER_KEY = "AKIAUSEROWN" + uuid.uuid4().hex[:9].upper()
USER_SECRET = "UserOwnSecret" + uuid.uuid4().hex


@pytest.fixture
def user_shell(s3_server_dir, tmp_path, monkeypatch):
    """A user's shell: their own (different) AWS keys, no endpoint exported, the embedded
    server recorded under the data folder."""
    for name in list(os.environ):
        if name.startswith(("AWS_", "XDG_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", USER_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", USER_SECRET)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_HOME", str(home))
    (home / "s3").symlink_to(s3_server_dir)
    return s3_server_dir


def test_the_emulator_s3_is_the_server_s_with_its_own_keys(user_shell, s3_server):
    before = dict(os.environ)
    backend = LocalBackend(region="us-east-1")
    client = backend.s3
    credentials = client._get_credentials()
    assert (credentials.access_key, credentials.secret_key) == (
        s3_server.access_key,
        s3_server.secret_key,
    )
    assert client.meta.endpoint_url == s3_server.endpoint
    client.list_buckets()
    assert dict(os.environ) == before  # nothing exported, nothing replaced
    mine = boto3.session.Session().get_credentials()
    assert (mine.access_key, mine.secret_key) == (USER_KEY, USER_SECRET)


def test_the_runner_follows_the_caller_s_choice(user_shell, s3_server):
    chosen = runner_s3({RUNNER_S3_DIR_VAR: str(user_shell)})
    assert chosen.server == s3_server
    chosen.client.list_buckets()
    with pytest.raises(RuntimeError, match="stopped; start one with `aws-sagemaker-remote s3"):
        runner_s3({RUNNER_S3_DIR_VAR: str(user_shell.parent / "no-server-here")})


def test_a_job_s_script_gets_the_server_s_endpoint_and_never_the_caller_s_keys(
    user_shell, s3_server, tmp_path
):
    caller = dict(os.environ)
    env = script_base(caller, tmp_path, s3_server)
    assert env["AWS_ENDPOINT_URL_S3"] == s3_server.endpoint
    assert "AWS_ACCESS_KEY_ID" not in env
    assert "AWS_SECRET_ACCESS_KEY" not in env
    opted_in = script_base({**caller, "AWS_SAGEMAKER_REMOTE_PASS_CREDENTIALS": "1"}, tmp_path,
                           s3_server)  # fmt: skip
    assert opted_in["AWS_ACCESS_KEY_ID"] == s3_server.access_key
    assert opted_in["AWS_SECRET_ACCESS_KEY"] == s3_server.secret_key
    assert USER_SECRET not in opted_in.values()


def test_an_endpoint_the_caller_set_still_wins(user_shell, s3_server, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", s3_server.endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_server.secret_key)
    backend = LocalBackend(region="us-east-1")
    backend.s3.list_buckets()
    assert backend._s3_server_dir is None  # the runner then uses the caller's environment


def test_without_a_server_one_line_says_to_start_it(user_shell, tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_HOME", str(tmp_path / "elsewhere"))
    with pytest.raises(UsageError) as error:
        get_backend("local").s3  # noqa: B018 - the client is made on first use
    assert str(error.value) == (
        "--sagemaker-backend local: the emulator needs an S3 server, and none runs for "
        f"{tmp_path / 'elsewhere' / 's3'} (nor is AWS_ENDPOINT_URL_S3 set); start one with "
        "`aws-sagemaker-remote s3 start`"
    )


def test_a_local_run_of_the_local_backend_reads_s3_inputs_there(user_shell, s3_server, tmp_path):
    import subprocess
    import sys

    from aws_sagemaker_remote.s3server.readiness import s3_client

    bucket = f"found-{uuid.uuid4().hex[:8]}"
    server = s3_client(s3_server)
    server.create_bucket(Bucket=bucket)
    server.put_object(Bucket=bucket, Key="in/a.txt", Body=b"from the embedded server")
    script = tmp_path / "job.py"
    script.write_text(
        textwrap.dedent(
            """
            import os
            from aws_sagemaker_remote import sagemaker_processing_main

            def main(args):
                print(open(os.path.join(args.data, "a.txt")).read())

            sagemaker_processing_main(main=main, inputs={"data": "data"})
            """
        )
    )
    (tmp_path / "pyproject.toml").write_text('[tool.aws-sagemaker-remote]\nbackend = "local"\n')
    result = subprocess.run(
        [sys.executable, str(script), "--data", f"s3://{bucket}/in/"],
        capture_output=True, text=True, timeout=120, env=dict(os.environ),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "from the embedded server"


def test_the_caller_s_credential_chain_is_not_run_for_the_embedded_server(
    user_shell, s3_server, tmp_path, monkeypatch
):
    """A credential process (an MFA prompt, an SSO refresh) runs only for the caller's own
    endpoint, never to reach the embedded server."""
    marker = tmp_path / "credential-process-ran"
    process = tmp_path / "creds.sh"
    process.write_text(
        f"#!/bin/sh\ntouch {marker}\n"
        'echo \'{"Version": 1, "AccessKeyId": "AKIAPROC", "SecretAccessKey": "proc"}\'\n'
    )
    process.chmod(0o755)
    config = tmp_path / "aws-config"
    config.write_text(f"[profile proc]\ncredential_process = {process}\nregion = us-east-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    LocalBackend(region="us-east-1", profile="proc").s3.list_buckets()
    assert not marker.exists()
