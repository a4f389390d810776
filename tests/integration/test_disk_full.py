"""A full disk (issue 23 point 3): in the emulator's home, the job fails at once with a reason
naming the folder; during a download, one line naming the output, the path and that the outputs
are still in S3, and no temporary file left. On a size-limited tmpfs where this process may
mount one (root), else with ENOSPC injected where the write happens."""

from __future__ import annotations

import errno
import io
import subprocess
import time
from types import SimpleNamespace

import pytest
from emulator_support import submit, wait

from aws_sagemaker_remote.backends.local import LocalBackend
from aws_sagemaker_remote.backends.local.logfile import LogWriter
from aws_sagemaker_remote.backends.local.runner.workers import Worker
from aws_sagemaker_remote.errors import TransferError
from aws_sagemaker_remote.follow.outputs import download_outputs

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
    assert "cannot write the job's log in" in reason
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
