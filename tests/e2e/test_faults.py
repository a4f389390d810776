"""A whole job through the emulator while 30 % of the S3 requests fail (503 SlowDown or a dropped
connection), from staging to the job's own input downloads and output uploads."""

from __future__ import annotations

import os

from e2e_support import EXAMPLES, run_script, tree_bytes
from s3proxy import Faults, S3Proxy


def test_a_job_completes_through_a_flaky_s3(emulator_env, tmp_path, monkeypatch):
    script = EXAMPLES / "word_count" / "word_count.py"
    local = tmp_path / "local"
    assert run_script(script, "--counts", local).returncode == 0
    data = tmp_path / "data"
    data.mkdir()
    for i in range(60):
        (data / f"part-{i:02d}.txt").write_text(f"word{i} shared words here\n")
    assert run_script(script, "--data", data, "--counts", local).returncode == 0

    faults = Faults(slow_down=0.15, drop=0.15, max_faults=4)
    with S3Proxy(os.environ["AWS_ENDPOINT_URL_S3"], faults) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", proxy.endpoint)
        remote = tmp_path / "remote"
        job = run_script(
            script,
            "--sagemaker-run", "yes",
            "--sagemaker-download", "yes",
            "--data", data,
            "--counts", remote,
        )  # fmt: skip
    assert job.returncode == 0, job.stdout + job.stderr
    assert tree_bytes(remote) == tree_bytes(local) != {}
    faulted = [s for s in proxy.seen if s.status in (0, 503)]
    assert len(faulted) > 10
    assert {s.method for s in faulted} >= {"GET", "PUT"}  # the job's downloads were hit too
