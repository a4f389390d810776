"""`processing prune` through the emulator: staged content of old jobs goes, what a recent job
reads stays, and a dry run removes nothing. S3 cannot be made to forget when an object was
written, so the clock of the prune is moved forward instead and the emulator's job times with it."""

from __future__ import annotations

import contextlib
import io
import json
import time
from datetime import datetime, timedelta, timezone

import pytest
from e2e_support import EXAMPLES, run_script

from aws_sagemaker_remote.backends.local import LocalBackend
from aws_sagemaker_remote.backends.local.store import STATUS_FILE
from aws_sagemaker_remote.cli import jobs, prune
from aws_sagemaker_remote.kinds import PROCESSING
from aws_sagemaker_remote.s3.digest import piece_digest, piece_files
from aws_sagemaker_remote.s3.staging import stage
from aws_sagemaker_remote.s3.uploads import Upload

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
    path = backend.job_dir(PROCESSING, name) / STATUS_FILE
    status = json.loads(path.read_text())
    status["CreationTime"] = status["ProcessingEndTime"] = when.timestamp()
    path.write_text(json.dumps(status))


@pytest.fixture
def prefix(tmp_path) -> str:
    """A staging prefix of this test's own: the session's S3 server is shared."""
    return f"prune-{tmp_path.name}"


def data_pieces(s3_client, prefix: str) -> set:
    """The versions of inputs in the store, by their records."""
    listed = s3_client.list_objects_v2(Bucket=BUCKET, Prefix=f"{prefix}/records/inputs/")
    return {o["Key"].rsplit("/", 1)[1][: -len(".json")] for o in listed.get("Contents", [])}


def prune_cli(prefix: str, *argv) -> str:
    out = io.StringIO()
    argv = ["prune", "--backend", "local", "--prefix", prefix, *argv]
    assert jobs.main(argv, out=out, kind=PROCESSING, prune=True) == 0
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
    assert two_jobs.job_dir(PROCESSING, "old-job").exists()


def test_prune_keeps_what_recent_jobs_read(two_jobs, s3_client, prefix):
    recent = two_jobs.describe_job(PROCESSING, "recent-job")
    read_by_recent = {
        c["S3Input"]["S3Uri"].rsplit("/", 1)[1][: -len(".manifest")]
        for c in recent["ProcessingInputs"]
        if c["InputName"] == "data"
    }
    text = prune_cli(prefix, "--older-than", "7d")
    assert data_pieces(s3_client, prefix) == read_by_recent
    assert not two_jobs.job_dir(PROCESSING, "old-job").exists()
    assert two_jobs.job_dir(PROCESSING, "recent-job").exists()
    assert "freed " in text
    rerun = jobs.main(
        ["rerun", "--backend", "local", "recent-job"], out=io.StringIO(), kind=PROCESSING
    )
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


HOLDING = """
import hashlib, json, os, time
from aws_sagemaker_remote import sagemaker_training_main

def main(args):
    if not os.path.exists(os.path.join(args.checkpoint_dir, "restarted")):
        os.makedirs(args.checkpoint_dir, exist_ok=True)
        open(os.path.join(args.checkpoint_dir, "restarted"), "w").close()
        print("holding", flush=True)
        while True:  # the first instances stay here until reclaimed
            time.sleep(0.05)
    seen = {}
    for folder, _, files in os.walk(args.data):
        for name in files:
            path = os.path.join(folder, name)
            body = open(path, "rb").read()
            seen[os.path.relpath(path, args.data)] = hashlib.sha256(body).hexdigest()
    os.makedirs(args.model_dir, exist_ok=True)
    with open(os.path.join(args.model_dir, "seen.json"), "w") as handle:
        json.dump(seen, handle, sort_keys=True)

sagemaker_training_main(main=main, spot=True, inputs={"data": "data"})
"""


def test_a_prune_keeps_what_a_live_spot_job_reads_again_after_a_restart(
    emulator_env, tmp_path, monkeypatch, prefix
):
    """The issue's case: a spot job restarted after a prune must find every input again (it
    downloads its channels anew). Live jobs keep what they read, whatever its age."""
    import hashlib

    from e2e_support import run_cli, tree_bytes

    data = tmp_path / "data"
    data.mkdir()
    for i in range(25):
        (data / f"part-{i:02d}.bin").write_bytes(f"part {i}\n".encode() * (i + 1))
    script = tmp_path / "hold.py"
    script.write_text(HOLDING)
    description = tmp_path / "job.json"
    job = run_script(script, "--sagemaker-run", "yes", "--sagemaker-wait", "no",
                     "--sagemaker-prefix", prefix, "--data", data,
                     "--sagemaker-output-json", description)  # fmt: skip
    assert job.returncode == 0, job.stderr
    name = json.loads(description.read_text())["TrainingJobName"]
    deadline = datetime.now(timezone.utc) + timedelta(seconds=60)
    while "holding" not in run_cli("training", "logs", name).stdout:
        assert datetime.now(timezone.utc) < deadline, "the job never started"
        time.sleep(0.3)
    older = tmp_path / "older"
    older.mkdir()
    (older / "part-00.bin").write_bytes(b"an earlier version of the input")
    files = piece_files(older, lf=False, skip_junk=False)
    stale = Upload(older, f"s3://{BUCKET}/{prefix}/", f"inputs/data-{piece_digest(files)}", files)
    stage(LocalBackend().s3, [stale], out=io.StringIO())
    monkeypatch.setattr(prune, "_now", lambda: datetime.now(timezone.utc) + timedelta(days=1))
    out = io.StringIO()
    argv = ["prune", "--backend", "local", "--prefix", prefix, "--older-than", "1m"]
    assert jobs.main(argv, out=out, kind=PROCESSING, prune=True) == 0  # either kind's jobs
    assert f"removing s3://{BUCKET}/{prefix}/{stale.version}" in out.getvalue()
    assert len(data_pieces(LocalBackend().s3, prefix)) == 1  # the job's version only
    assert run_cli("training", "interrupt", name).returncode == 0
    waited = run_cli("training", "wait", name)
    assert waited.returncode == 0, waited.stdout + waited.stderr
    assert run_cli("training", "download", name, "--output", str(tmp_path / "out")).returncode == 0
    seen = json.loads((tmp_path / "out" / "model" / "seen.json").read_text())
    expected = {rel: hashlib.sha256(body).hexdigest() for rel, body in tree_bytes(data).items()}
    assert seen == expected
