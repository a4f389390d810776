"""Prune raced against submits, against another prune, against a paused or killed submit
(docs/staging.md, invariants (a) and (b)). Each round either fails loudly or delivers every byte
of the version it staged, and a rerun afterwards is whole.

Prunes here keep nothing by age (`--older-than 1m` with the clock a day ahead): whatever survives
survives because a lease, a job or a record protects it. A prune is started at a chosen point of
a submit by running it from there, in the submit's own thread: the submit's lease is then live,
exactly as when another process prunes at that moment."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from test_staging import delivered, on_disk, piece

from aws_sagemaker_remote.backends.local import LocalBackend
from aws_sagemaker_remote.cli import jobs, prune
from aws_sagemaker_remote.errors import Error
from aws_sagemaker_remote.kinds import PROCESSING
from aws_sagemaker_remote.s3 import lease as leases
from aws_sagemaker_remote.s3 import staging
from aws_sagemaker_remote.s3.lease import PruneMarker, StoreBusy
from aws_sagemaker_remote.s3.staging import stage
from aws_sagemaker_remote.s3.transfer import list_keys


@pytest.fixture(autouse=True)
def setting(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(prune, "_now", lambda: datetime.now(timezone.utc) + timedelta(days=1))


@pytest.fixture
def data(tmp_path):
    root = tmp_path / "data"
    root.mkdir()
    for i in range(60):
        (root / f"f{i:02d}.bin").write_bytes(os.urandom(1000 + i))
    return root


def prune_now(bucket: str, *extra: str) -> str:
    """`processing prune`, keeping nothing by age; returns what it printed."""
    out = io.StringIO()
    argv = [
        "prune",
        "--backend",
        "local",
        "--bucket",
        bucket,
        "--prefix",
        "p",
        "--older-than",
        "1m",
    ]
    jobs.main([*argv, *extra], out=out, backend=LocalBackend(), kind=PROCESSING)
    return out.getvalue()


def changed(root, name="f07.bin"):
    (root / name).write_bytes(os.urandom(1500))


STEPS = ["check", "gather", "send", "commit", "_copy_prefixes"]


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("layout", ["manifest", "prefix"])
def test_prune_at_each_step_of_a_resubmit(s3_client, bucket, data, monkeypatch, step, layout):
    """The issue's race: an input staged earlier, pruned while the same input, one file
    changed, is submitted again. Whatever the step, the new version is whole."""
    stage(s3_client, [piece(bucket, data, layout=layout)], out=io.StringIO())
    changed(data)
    second = piece(bucket, data, layout=layout)
    real = getattr(staging._Run, step)
    pruned = []

    def with_a_prune_first(run, *args):
        pruned.append(prune_now(bucket))
        return real(run, *args)

    monkeypatch.setattr(staging._Run, step, with_a_prune_first)
    try:
        stage(s3_client, [second], out=io.StringIO())
    except StoreBusy:
        pytest.fail("a prune that honours the lease needs no loud failure here")
    monkeypatch.setattr(staging._Run, step, real)
    assert pruned, "the prune ran"
    assert delivered(s3_client, bucket, second) == on_disk(data)
    prune_now(bucket)  # nothing holds the version now: no lease, no job, nothing young
    assert list_keys(s3_client, bucket, "p/objects/") == {}
    rerun = stage(s3_client, [second], out=io.StringIO())
    assert rerun.files_uploaded == 60
    assert delivered(s3_client, bucket, second) == on_disk(data)


def test_a_submit_waits_for_a_running_prune_then_goes_on(s3_client, bucket, data, monkeypatch):
    """A prune that started first: the submit does not look at the store until it is done."""
    monkeypatch.setenv(leases.LEASE_ENV, "20")
    store = piece(bucket, data).store
    marker = PruneMarker(s3_client, store).start()
    out = io.StringIO()
    staged = {}
    thread = threading.Thread(
        target=lambda: staged.update(r=stage(s3_client, [piece(bucket, data)], out=out))
    )
    thread.start()
    time.sleep(3)
    assert thread.is_alive()
    assert list_keys(s3_client, bucket, "p/objects/") == {}
    marker.finish()
    thread.join(60)
    assert "waiting for the prune of s3://" in out.getvalue()
    assert delivered(s3_client, bucket, piece(bucket, data)) == on_disk(data)


def test_a_submit_fails_loudly_when_a_prune_outlasts_its_wait(s3_client, bucket, data, monkeypatch):
    monkeypatch.setenv(leases.LEASE_ENV, "3")
    store = piece(bucket, data).store
    marker = PruneMarker(s3_client, store).start()  # renewed from its own thread
    try:
        with pytest.raises(StoreBusy, match="a prune is running .*nothing was created"):
            stage(s3_client, [piece(bucket, data)], out=io.StringIO())
    finally:
        marker.finish()
    assert list_keys(s3_client, bucket, "p/leases/") == {}
    assert list_keys(s3_client, bucket, "p/objects/") == {}


def test_a_submit_paused_past_its_lease_while_a_prune_ran_fails_loudly(
    s3_client, bucket, data, monkeypatch
):
    """A process stopped (SIGSTOP, a laptop asleep) for longer than its lease lasts may be
    taken for dead: a prune then removes what it relied on. It must not create its job."""
    monkeypatch.setenv(leases.LEASE_ENV, "4")
    stage(s3_client, [piece(bucket, data)], out=io.StringIO())
    changed(data)
    second = piece(bucket, data)
    real_commit = staging._Run.commit

    def paused_then_commit(run, pending):
        run.lease.beat.stop()  # its renewals stop, as they would in a stopped process
        time.sleep(5)
        prune_now(bucket)
        return real_commit(run, pending)

    monkeypatch.setattr(staging._Run, "commit", paused_then_commit)
    with pytest.raises(StoreBusy, match="paused for longer than its lease lasts while a prune ran"):
        stage(s3_client, [second], out=io.StringIO())
    monkeypatch.setattr(staging._Run, "commit", real_commit)
    monkeypatch.setenv(leases.LEASE_ENV, "600")
    stage(s3_client, [second], out=io.StringIO())
    assert delivered(s3_client, bucket, second) == on_disk(data)


def test_a_journal_written_after_a_lapse_while_a_prune_ran_is_not_left_behind(
    s3_client, bucket, data, monkeypatch
):
    """Paused mid-upload past its lease while a prune removed what it had sent, a submit that
    goes on to write its journal must not leave it: the next run would trust that journal and
    stage a partial input."""
    monkeypatch.setenv(leases.LEASE_ENV, "4")
    stage(s3_client, [piece(bucket, data)], out=io.StringIO())
    changed(data)
    second = piece(bucket, data)
    runs = []
    real_send, real_flush = staging._Run.send, staging.Journal.flush

    def remember(run, pending):
        runs.append(run)
        return real_send(run, pending)

    def paused_then_flush(journal):
        runs[0].lease.beat.stop()
        time.sleep(5)
        prune_now(bucket)
        return real_flush(journal)

    monkeypatch.setattr(staging._Run, "send", remember)
    monkeypatch.setattr(staging.Journal, "flush", paused_then_flush)
    with pytest.raises(StoreBusy, match="paused for longer than its lease lasts while a prune ran"):
        stage(s3_client, [second], out=io.StringIO())
    monkeypatch.setattr(staging.Journal, "flush", real_flush)
    journals = second.store.journal_key("")[: -len(".json")]
    listed = s3_client.list_objects_v2(Bucket=bucket, Prefix=journals).get("Contents", [])
    assert listed == []
    monkeypatch.setenv(leases.LEASE_ENV, "600")
    stage(s3_client, [second], out=io.StringIO())
    assert delivered(s3_client, bucket, second) == on_disk(data)


def test_two_prunes_at_once_one_stops_loudly(s3_client, bucket, data):
    stage(s3_client, [piece(bucket, data)], out=io.StringIO())
    marker = PruneMarker(s3_client, piece(bucket, data).store).start()
    try:
        with pytest.raises(Error, match="another prune is running"):
            prune_now(bucket)
    finally:
        marker.finish()
    assert "freed" in prune_now(bucket)


def test_a_live_lease_keeps_what_it_names(s3_client, bucket, data):
    """A submit in flight (its lease live, no job yet) keeps its versions and what it sent."""
    first = piece(bucket, data)
    report = stage(s3_client, [first], out=io.StringIO(), hold=True)
    try:
        prune_now(bucket)
        assert delivered(s3_client, bucket, first) == on_disk(data)
    finally:
        report.abandon()
    prune_now(bucket)
    assert list_keys(s3_client, bucket, "p/objects/") == {}
    assert list_keys(s3_client, bucket, "p/records/") == {}


KILLED = textwrap.dedent(
    """
    import io, os, sys, time
    from aws_sagemaker_remote.s3 import journal, staging
    from aws_sagemaker_remote.s3.digest import piece_digest, piece_files
    from aws_sagemaker_remote.s3.uploads import Upload
    import boto3

    bucket, folder = sys.argv[1], sys.argv[2]
    files = piece_files(folder, lf=False, skip_junk=False)
    upload = Upload(None, f"s3://{bucket}/p/", f"inputs/data-{piece_digest(files)}", files,
                    "data", "manifest")
    journal.JOURNAL_EVERY = 10
    def hang(run, pending):
        print("sent", flush=True)
        time.sleep(600)
    staging._Run.commit = hang
    staging.stage(boto3.client("s3"), [upload], out=io.StringIO())
    """
)


def test_a_killed_submit_leaves_nothing_a_prune_or_a_rerun_trips_over(
    s3_client, bucket, data, tmp_path
):
    """kill -9 after every object was sent, before any record: its lease is seen dead at once
    (same host, its process gone); the rerun resumes from its journal and is whole."""
    script = tmp_path / "killed.py"
    script.write_text(KILLED)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    env["AWS_SAGEMAKER_REMOTE_HOME"] = str(tmp_path / "killed-home")
    process = subprocess.Popen(
        [sys.executable, str(script), bucket, str(data)], env=env, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline().strip() == "sent"
    process.send_signal(signal.SIGKILL)
    process.wait(30)
    assert len(list_keys(s3_client, bucket, "p/leases/")) == 1
    assert len(list_keys(s3_client, bucket, "p/objects/")) == 60
    report = stage(s3_client, [piece(bucket, data)], out=io.StringIO())
    assert report.files_uploaded < 60  # its journal said what was there
    assert delivered(s3_client, bucket, piece(bucket, data)) == on_disk(data)
    prune_now(bucket)
    assert list_keys(s3_client, bucket, "p/leases/") == {}


def test_prune_removes_keys_xml_cannot_carry_and_prints_them_escaped(s3_client, bucket, tmp_path):
    root = tmp_path / "hostile"
    root.mkdir()
    (root / "bell\x07and\x01ctl").write_bytes(b"x")
    (root / "cr\rlf\n").write_bytes(b"y")
    (root / "fine.txt").write_bytes(b"z")
    upload = piece(bucket, root, "hostile", "prefix")
    stage(s3_client, [upload], out=io.StringIO())
    assert len(list_keys(s3_client, bucket, upload.store.prefix_key(upload.version))) == 3
    text = prune_now(bucket)
    assert not any(char in text for char in "\x07\x01\r")
    assert [k for k in list_keys(s3_client, bucket, "p/") if "/prunes/" not in k] == []


def test_prune_prints_one_line_per_version(s3_client, bucket, data):
    stage(s3_client, [piece(bucket, data)], out=io.StringIO())
    changed(data)
    stage(s3_client, [piece(bucket, data)], out=io.StringIO())
    text = prune_now(bucket, "--dry-run")
    versions = [line for line in text.splitlines() if "/inputs/data-" in line]
    assert len(versions) == 2
    assert all(line.startswith("would remove s3://") for line in versions)
    assert "stored content(s)" in text
    assert json.dumps(text)  # one string, nothing raw
