"""`make demo`'s script, as a newcomer runs it after `aws-sagemaker-remote s3 start`: it uses that
server and leaves it running."""

from __future__ import annotations

import os
import subprocess
import sys

from e2e_support import EXAMPLES


def test_demo_reuses_the_running_s3_server(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        PIP_NO_INDEX="1",
        AWS_EC2_METADATA_DISABLED="true",
    )

    def s3(*argv):
        return subprocess.run(
            [sys.executable, "-m", "aws_sagemaker_remote", "s3", *argv],
            capture_output=True, text=True, timeout=120, env=env,
        )  # fmt: skip

    started = s3("start")
    assert started.returncode == 0, started.stderr
    try:
        demo = subprocess.run(
            [sys.executable, str(EXAMPLES / "demo.py")],
            capture_output=True, text=True, timeout=600, env=env,
        )  # fmt: skip
        assert demo.returncode == 0, demo.stdout + demo.stderr
        assert "Using the S3 server already running" in demo.stdout
        assert "local run and job outputs identical: yes" in demo.stdout
        assert "model trained here and by the job identical: yes" in demo.stdout
        assert "Status  Training" in demo.stdout
        assert "Stop the embedded S3 server" not in demo.stdout
        assert s3("status").returncode == 0
    finally:
        s3("stop")
