"""A full disk (issue 23 point 3): in the emulator's home, the job fails at once with a reason
naming the folder; during a download, one line naming the output, the path and that the outputs
are still in S3, and no temporary file left. On a size-limited tmpfs where this process may
mount one (root), else with ENOSPC injected where the write happens."""

from __future__ import annotations

import errno
import io
import os
import subprocess
import time
from types import SimpleNamespace

import pytest
from botocore.exceptions import ClientError
from emulator_support import make_request, put, submit, wait

from aws_sagemaker_remote.backends.local import LocalBackend, store
from aws_sagemaker_remote.backends.local.handoff import CALLER, Emulation
from aws_sagemaker_remote.backends.local.logfile import LogWriter
from aws_sagemaker_remote.backends.local.runner.workers import Worker
from aws_sagemaker_remote.errors import TransferError
from aws_sagemaker_remote.follow.outputs import download_outputs
from aws_sagemaker_remote.kinds import PROCESSING

CHATTY = """
import sys, time
for i in range(200000):
    print("x" * 100, i)
time.sleep(600)
"""


@pytest.fixture
def small_disk(tmp_path):
    """A 6 MiB tmpfs (skipped where mounting is not allowed)."""
    folder = tmp_path / "small"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_full_disk_fails_the_emulated_job_at_once(
    aws_env, s3_client, bucket, small_disk, monkeypatch
):
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_HOME", str(small_disk))
    backend = LocalBackend()
    started = time.monotonic()
    submit(backend, s3_client, bucket, "fills-disk", CHATTY)
    description = wait(backend, "fills-disk")
    assert time.monotonic() - started < 60  # not at the end of its 600 s runtime limit
    assert description["ProcessingJobStatus"] == "Failed"
    reason = description["FailureReason"]
    # the log fills the disk, or (with a job environment to build first) the environment does
    assert (
        "cannot write the job's log in" in reason
        or "cannot build the job's environment in" in reason
    )
    assert str(small_disk) in reason
    assert "No space left on device" in reason


class FullLog(LogWriter):
    """A log whose disk filled after the first line."""

    def __init__(self, path):
        super().__init__(path)
        self.lines = 0

    def write(self, message, timestamp_ms=None):
        if self.lines:
            raise OSError(errno.ENOSPC, "No space left on device")
        self.lines += 1
        super().write(message, timestamp_ms)


def test_a_worker_whose_log_is_full_says_why_and_never_blocks_the_script(tmp_path):
    """Injected ENOSPC: the script writes 20 MB (far past a pipe's buffer) and still ends."""
    log = FullLog(tmp_path / "logs" / "algo-1.jsonl")
    script = "import sys\nfor i in range(200000): print('y' * 100)\n"
    worker = Worker(["python3", "-c", script], {"PATH": "/usr/bin:/bin"}, tmp_path, log)
    deadline = time.monotonic() + 60
    while worker.poll() is None:
        assert time.monotonic() < deadline, "the script blocked on its output"
        time.sleep(0.05)
    worker.finish()
    assert worker.poll() == 0
    assert worker.log_error.endswith("No space left on device")
    assert str(tmp_path / "logs") in worker.log_error


def processing_description(bucket):
    return {
        "ProcessingJobName": "dl-full",
        "ProcessingJobStatus": "Completed",
        "ProcessingOutputConfig": {
            "Outputs": [
                {
                    "OutputName": "out",
                    "S3Output": {
                        "S3Uri": f"s3://{bucket}/p/out",
                        "LocalPath": "/opt/ml/processing/output/out",
                        "S3UploadMode": "EndOfJob",
                    },
                }
            ]
        },
    }


@pytest.mark.usefixtures("mode")
def test_a_full_disk_during_a_download_is_one_line_and_leaves_nothing(
    s3_client, bucket, small_disk
):
    s3_client.put_object(Bucket=bucket, Key="p/out/a.bin", Body=bytes(2 * 1024 * 1024))
    s3_client.put_object(Bucket=bucket, Key="p/out/b.bin", Body=bytes(9 * 1024 * 1024))
    dest = small_disk / "dl"
    with pytest.raises(TransferError) as raised:
        download_outputs(
            SimpleNamespace(s3=s3_client),
            processing_description(bucket),
            {"out": str(dest)},
            out=io.StringIO(),
        )
    line = str(raised.value)
    assert "\n" not in line
    assert line.startswith("output out: the disk is full")
    assert str(dest) in line
    assert f"still in S3 at s3://{bucket}/p/out" in line
    assert list(dest.iterdir()) == []


def quick_job(s3_client, bucket, name):
    put(s3_client, bucket, f"{name}/code/script.py", "print('made it')\n")
    return make_request(name, bucket)


def fill(path):
    with open(path, "wb") as stream:
        while True:
            stream.write(bytes(1024 * 1024))
            stream.flush()


def assert_not_half_visible(backend, name, error):
    """Issue 23 point 5: a create that failed for a full disk made no job at all."""
    assert error.response["Error"]["Code"] == "InternalFailure"
    message = error.response["Error"]["Message"]
    assert "No space left on device" in message
    assert str(backend.job_dir(PROCESSING, name).parent) in message
    with pytest.raises(ClientError, match="Could not find requested job"):
        backend.describe_job(PROCESSING, name)
    root = backend.job_dir(PROCESSING, name).parent
    assert not [p.name for p in root.iterdir() if name in p.name]


def test_a_job_created_on_a_full_disk_is_never_half_visible(
    aws_env, s3_client, bucket, small_disk, monkeypatch
):
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_HOME", str(small_disk))
    backend = LocalBackend()
    request = quick_job(s3_client, bucket, "on-full")
    filler = small_disk / "filler"
    with pytest.raises(OSError, match="No space left"):
        fill(filler)
    with pytest.raises(ClientError) as raised:
        backend.create_job(PROCESSING, request)
    assert_not_half_visible(backend, "on-full", raised.value)
    filler.unlink()
    backend.emulation = Emulation(environment=CALLER)  # no environment to build on 6 MiB
    backend.create_job(PROCESSING, request)  # the name was never taken
    assert wait(backend, "on-full")["ProcessingJobStatus"] == "Completed"


def test_an_injected_enospc_while_storing_a_job_leaves_no_trace(
    backend, s3_client, bucket, monkeypatch
):
    request = quick_job(s3_client, bucket, "enospc")
    real_dump = store.json.dump
    calls = []

    def dump(data, stream, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # the status, after the request was written
            stream.write('{"half')
            raise OSError(errno.ENOSPC, "No space left on device")
        real_dump(data, stream, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(store.json, "dump", dump)
        with pytest.raises(ClientError) as raised:
            backend.create_job(PROCESSING, request)
    assert_not_half_visible(backend, "enospc", raised.value)
    backend.create_job(PROCESSING, request)
    final = wait(backend, "enospc")
    assert final["ProcessingJobStatus"] == "Completed", final.get("FailureReason")


def test_a_creator_killed_mid_create_leaves_nothing_the_next_create_keeps(
    backend, s3_client, bucket
):
    """A job folder being written by a creator that is gone is removed; a live one's is not."""
    gone = subprocess.Popen(["true"])
    gone.wait()
    root = backend.job_dir(PROCESSING, "x").parent
    root.mkdir(parents=True, exist_ok=True)
    abandoned = root / f"{store.CREATING}{gone.pid}.half.abc123"
    live = root / f"{store.CREATING}{os.getpid()}.other.def456"
    for folder in (abandoned, live):
        folder.mkdir()
        (folder / store.REQUEST_FILE).write_text("{}")
    backend.create_job(PROCESSING, quick_job(s3_client, bucket, "after-kill"))
    assert not abandoned.exists()
    assert live.exists()
    assert "half" not in [
        job["ProcessingJobName"] for job in backend.list_jobs(PROCESSING)["ProcessingJobSummaries"]
    ]
    assert wait(backend, "after-kill")["ProcessingJobStatus"] == "Completed"
