"""`aws-sagemaker-remote s3 serve | start | stop | status` as a user runs them, the default data
folder, the capacity of one server, and what never reaches SeaweedFS (issue 11 point 5, issue 10
point 7)."""

from __future__ import annotations

import concurrent.futures
import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from aws_sagemaker_remote.s3server import STATE_FILE, S3Server, S3ServerInfo
from aws_sagemaker_remote.s3server.processes import pid_alive, terminate_pid
from aws_sagemaker_remote.s3server.readiness import s3_client


def run(*argv: str, env: dict, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "aws_sagemaker_remote", "s3", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=cwd,
    )


def exported(text: str) -> dict:
    pairs = [line[len("export ") :].split("=", 1) for line in text.splitlines()]
    return dict(pairs)


def info_of(text: str) -> S3ServerInfo:
    env = exported("\n".join(line for line in text.splitlines() if line.startswith("export ")))
    return S3ServerInfo(
        env["AWS_ENDPOINT_URL_S3"], env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]
    )


@pytest.fixture
def user_env(tmp_path: Path) -> dict:
    """A user's shell: XDG data folder in tmp, no AWS_SAGEMAKER_REMOTE_HOME."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_SAGEMAKER_REMOTE_")}
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg-data")
    return env


@pytest.fixture
def stopper(user_env):
    folders = []
    yield folders.append
    for folder in folders:
        run("stop", "--dir", str(folder), env=user_env)
    run("stop", env=user_env)


def test_s3_help_lists_every_subcommand(user_env):
    result = run("--help", env=user_env)
    assert result.returncode == 0, result.stderr
    for sub in ("serve", "start", "stop", "status"):
        assert f"    {sub} " in result.stdout
    serve = run("serve", "--help", env=user_env)
    assert serve.returncode == 0
    folder = Path(user_env["XDG_DATA_HOME"]) / "aws-sagemaker-remote" / "s3"
    assert f"--dir DIR data folder (default: {folder})" in " ".join(serve.stdout.split())


def test_start_status_stop_with_data_under_xdg(user_env, tmp_path, stopper):
    stopper(None)
    folder = Path(user_env["XDG_DATA_HOME"]) / "aws-sagemaker-remote" / "s3"
    down = run("status", env=user_env)
    assert down.returncode == 3
    assert "No S3 server runs" in down.stderr
    started = run("start", env=user_env, cwd=tmp_path)
    assert started.returncode == 0, started.stderr
    assert f"data in {folder}" in started.stdout
    assert "export " not in started.stdout  # the keys are the emulator's business
    info = info_of(run("status", "--env", env=user_env).stdout)
    assert f"endpoint: {info.endpoint}" in started.stdout
    s3_client(info).create_bucket(Bucket="kept")
    s3_client(info).put_object(Bucket="kept", Key="k", Body=b"v")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    status = run("status", "--env", env=user_env, cwd=elsewhere)
    assert status.returncode == 0
    assert exported(status.stdout)["AWS_ENDPOINT_URL_S3"] == info.endpoint
    again = run("start", env=user_env, cwd=elsewhere)
    assert "already running" in again.stdout
    assert f"endpoint: {info.endpoint}" in again.stdout
    pid = json.loads((folder / STATE_FILE).read_text())["pid"]
    stopped = run("stop", env=user_env)
    assert stopped.returncode == 0
    assert "S3 server stopped" in stopped.stdout
    assert not pid_alive(pid)
    assert run("status", env=user_env).returncode == 3
    assert "No S3 server runs" in run("stop", env=user_env).stdout
    assert run("start", env=user_env).returncode == 0
    restarted = info_of(run("status", "--env", env=user_env).stdout)
    assert s3_client(restarted).get_object(Bucket="kept", Key="k")["Body"].read() == b"v"


def test_home_variable_puts_the_data_under_it(user_env, tmp_path, stopper):
    env = {**user_env, "AWS_SAGEMAKER_REMOTE_HOME": str(tmp_path / "home")}
    stopper(tmp_path / "home" / "s3")
    started = run("start", env=env)
    assert started.returncode == 0, started.stderr
    assert f"data in {tmp_path / 'home' / 's3'}" in started.stdout
    assert run("status", "--dir", str(tmp_path / "home" / "s3"), env=user_env).returncode == 0


def test_concurrent_starts_share_one_server(user_env, tmp_path, stopper):
    folder = tmp_path / "shared"
    stopper(folder)
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        results = list(
            pool.map(lambda _: run("start", "--dir", str(folder), env=user_env), range(3))
        )
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    endpoints = {line for r in results for line in r.stdout.splitlines() if "endpoint" in line}
    assert len(endpoints) == 1
    assert sum("started" in r.stdout for r in results) == 1


def test_foreground_serve_ends_cleanly_when_stopped_from_another_terminal(user_env, tmp_path):
    folder = tmp_path / "fg"
    serve = subprocess.Popen(
        [sys.executable, "-m", "aws_sagemaker_remote", "s3", "serve", "--dir", str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=user_env,
    )
    try:
        assert serve.stdout is not None
        for line in serve.stdout:
            if line.startswith("Press Ctrl-C"):
                break
        second = run("serve", "--dir", str(folder), env=user_env)
        assert second.returncode == 1
        assert "already runs" in second.stderr
        assert "s3 stop" in second.stderr
        assert run("stop", "--dir", str(folder), env=user_env).returncode == 0
        _, err = serve.communicate(timeout=60)
        assert serve.returncode == 0, err
        assert "stopped (aws-sagemaker-remote s3 stop)" in err
    finally:
        if serve.poll() is None:
            serve.send_signal(signal.SIGINT)
            serve.communicate(timeout=60)


def test_a_process_that_ignores_sigterm_is_killed_after_the_grace_period():
    stubborn = subprocess.Popen(
        [sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, "
         "signal.SIG_IGN); print('ready', flush=True); time.sleep(600)"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert stubborn.stdout is not None
    assert stubborn.stdout.readline() == "ready\n"
    stubborn.send_signal(signal.SIGTERM)
    assert stubborn.poll() is None
    terminate_pid(stubborn.pid, grace=0.5)
    assert not pid_alive(stubborn.pid)
    stubborn.stdout.close()


def test_the_callers_aws_keys_never_reach_seaweedfs(tmp_path, monkeypatch):
    """weed mini would make the caller's AWS_ACCESS_KEY_ID/SECRET an S3 user of its own."""
    secret = "CallerSecretKey" + uuid.uuid4().hex
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIACALLERKEY0000001")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    monkeypatch.setenv("S3_BUCKET", "made-from-the-environment")
    with S3Server(tmp_path / "s3") as info:
        caller = S3ServerInfo(info.endpoint, "AKIACALLERKEY0000001", secret)
        from botocore.exceptions import ClientError

        with pytest.raises(ClientError):
            s3_client(caller).list_buckets()
        names = {b["Name"] for b in s3_client(info).list_buckets()["Buckets"]}
        assert "made-from-the-environment" not in names
    leaked = [p for p in (tmp_path / "s3").rglob("*") if p.is_file() and secret.encode() in
              p.read_bytes()]  # fmt: skip
    assert leaked == []


def test_fifty_buckets_each_take_writes(s3_client: Any):
    """SeaweedFS's default volume growth filled up after ~14 buckets ("No writable volumes")."""
    names = [f"capacity-{i:02d}-{uuid.uuid4().hex[:6]}" for i in range(50)]
    try:
        for name in names:
            s3_client.create_bucket(Bucket=name)
            s3_client.put_object(Bucket=name, Key="a", Body=name.encode())
            s3_client.put_object(Bucket=name, Key="b", Body=b"x" * 100_000)
        for name in names:
            assert s3_client.get_object(Bucket=name, Key="a")["Body"].read() == name.encode()
            assert s3_client.head_object(Bucket=name, Key="b")["ContentLength"] == 100_000
    finally:
        for name in names:
            for key in ("a", "b"):
                s3_client.delete_object(Bucket=name, Key=key)
            s3_client.delete_bucket(Bucket=name)
