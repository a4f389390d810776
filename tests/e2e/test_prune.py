"""`processing prune` through the emulator: staged content of old jobs goes, what a recent job
reads stays, and a dry run removes nothing. S3 cannot be made to forget when an object was
written, so the clock of the prune is moved forward instead and the emulator's job times with it."""

from __future__ import annotations

import contextlib
import io
import json
from datetime import datetime, timedelta, timezone

import pytest
from e2e_support import EXAMPLES, run_script

from aws_sagemaker_remote.backends.local import LocalBackend
from aws_sagemaker_remote.backends.local.store import STATUS_FILE
from aws_sagemaker_remote.cli import jobs, prune

SCRIPT = EXAMPLES / "word_count" / "word_count.py"
BUCKET = "sagemaker-us-east-1-000000000000"
LATER = datetime.now(timezone.utc) + timedelta(days=30)


def job_with_input(tmp_path, name: str, prefix: str) -> None:
    data = tmp_path / f"data-{name}"
    data.mkdir()
    (data / "words.txt").write_text(f"{name} words for {name}\n")
    result = run_script(
        SCRIPT,
        "--sagemaker-run", "yes",
        "--sagemaker-job-name", name,
        "--sagemaker-prefix", prefix,
        "--data", data,
        "--counts", tmp_path / f"out-{name}",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def set_times(backend: LocalBackend, name: str, when: datetime) -> None:
    path = backend.job_dir(name) / STATUS_FILE
    status = json.loads(path.read_text())
    status["CreationTime"] = status["ProcessingEndTime"] = when.timestamp()
    path.write_text(json.dumps(status))


@pytest.fixture
def prefix(tmp_path) -> str:
    """A staging prefix of this test's own: the session's S3 server is shared."""
    return f"prune-{tmp_path.name}"


def data_pieces(s3_client, prefix: str) -> set:
    """The versions of inputs in the store, by their records."""
    listed = s3_client.list_objects_v2(Bucket=BUCKET, Prefix=f"{prefix}/manifests/inputs/")
    return {o["Key"].rsplit("/", 1)[1][: -len(".json")] for o in listed.get("Contents", [])}


def prune_cli(prefix: str, *argv) -> str:
    out = io.StringIO()
    assert jobs.main(["prune", "--backend", "local", "--prefix", prefix, *argv], out=out) == 0
    return out.getvalue()


@pytest.fixture
def two_jobs(emulator_env, tmp_path, s3_client, monkeypatch, prefix):
    job_with_input(tmp_path, "old-job", prefix)
    job_with_input(tmp_path, "recent-job", prefix)
    backend = LocalBackend()
    set_times(backend, "old-job", LATER - timedelta(days=20))
    set_times(backend, "recent-job", LATER - timedelta(hours=1))
    monkeypatch.setattr(prune, "_now", lambda: LATER)
    assert len(data_pieces(s3_client, prefix)) == 2
    return backend


def test_a_dry_run_lists_and_removes_nothing(two_jobs, s3_client, prefix):
    before = data_pieces(s3_client, prefix)
    text = prune_cli(prefix, "--older-than", "7d", "--dry-run")
    assert "would remove emulator job old-job" in text
    assert "would remove s3://" in text
    assert data_pieces(s3_client, prefix) == before
    assert two_jobs.job_dir("old-job").exists()


def test_prune_keeps_what_recent_jobs_read(two_jobs, s3_client, prefix):
    recent = two_jobs.describe_processing_job(ProcessingJobName="recent-job")
    read_by_recent = {
        c["S3Input"]["S3Uri"].rsplit("/", 1)[1][: -len(".manifest")]
        for c in recent["ProcessingInputs"]
        if c["InputName"] == "data"
    }
    text = prune_cli(prefix, "--older-than", "7d")
    assert data_pieces(s3_client, prefix) == read_by_recent
    assert not two_jobs.job_dir("old-job").exists()
    assert two_jobs.job_dir("recent-job").exists()
    assert "freed " in text
    rerun = jobs.main(["rerun", "--backend", "local", "recent-job"], out=io.StringIO())
    assert rerun == 0  # every channel of the recent job still delivers whole


def test_lifecycle_rule_is_opt_in_and_reversible(emulator_env, s3_client, prefix):
    with contextlib.suppress(s3_client.exceptions.BucketAlreadyOwnedByYou):
        s3_client.create_bucket(Bucket=BUCKET)
    prune_cli(prefix, "--lifecycle", "30")
    rules = s3_client.get_bucket_lifecycle_configuration(Bucket=BUCKET)["Rules"]
    prefixes = sorted(r["Filter"]["Prefix"] for r in rules)
    assert f"{prefix}/inputs/" in prefixes
    marker = s3_client.get_object(Bucket=BUCKET, Key=f"{prefix}/lifecycle.json")
    assert json.loads(marker["Body"].read()) == {"days": 30}
    prune_cli(prefix, "--lifecycle", "off")
    listed = s3_client.list_objects_v2(Bucket=BUCKET, Prefix=f"{prefix}/lifecycle")
    assert listed["KeyCount"] == 0
