"""Two submissions of one input at once, one of them interrupted half way through staging: the
other's job still sees every file (nothing shared is ever deleted); and an interrupted submission
run again sends only what is missing (its journal says what it had sent)."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import boto3
from s3proxy import Faults, S3Proxy

SCRIPT = textwrap.dedent(
    """
    import hashlib, json, os
    from aws_sagemaker_remote import sagemaker_processing_main

    def main(args):
        digests = {}
        for folder, _, files in os.walk(args.data):
            for name in files:
                path = os.path.join(folder, name)
                rel = os.path.relpath(path, args.data)
                digests[rel] = hashlib.sha256(open(path, "rb").read()).hexdigest()
        os.makedirs(args.out, exist_ok=True)
        with open(os.path.join(args.out, "seen.json"), "w") as f:
            json.dump(digests, f, sort_keys=True)

    sagemaker_processing_main(main=main, inputs={"data": "data"}, outputs={"out": "out"})
    """
)


def make_input(folder, count=300):
    folder.mkdir()
    for i in range(count):
        (folder / f"part-{i:03d}.bin").write_bytes(os.urandom(4096 + i))
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def start(script, data, out, env, prefix):
    return subprocess.Popen(
        [sys.executable, str(script), "--sagemaker-run", "yes", "--sagemaker-download", "yes",
         "--data", str(data), "--out", str(out), "--sagemaker-prefix", prefix],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def staged_input_keys(s3, prefix, expected):
    """The input's contents in the store (objects/<sha256>; the code pieces go there too)."""
    bucket = "sagemaker-us-east-1-000000000000"
    contents = {f"{prefix}/objects/{sha}" for sha in expected.values()}
    keys = []
    try:
        for page in s3.get_paginator("list_objects_v2").paginate(
            Bucket=bucket, Prefix=f"{prefix}/objects/"
        ):
            keys += [o["Key"] for o in page.get("Contents", []) if o["Key"] in contents]
    except s3.exceptions.NoSuchBucket:
        return []
    return keys


def journal_contents(s3, prefix):
    """The contents the journals of runs cut short list (records/partial/)."""
    bucket = "sagemaker-us-east-1-000000000000"
    found = set()
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=f"{prefix}/records/partial/")
    for item in listed.get("Contents", []):
        body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        found |= {row[3] for row in json.loads(body)["files"]}
    return found


def wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def interrupt(process):
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    return err


def test_an_interrupted_submission_takes_nothing_from_a_concurrent_one(emulator_env, tmp_path):
    script = tmp_path / "job.py"
    script.write_text(SCRIPT)
    expected = make_input(tmp_path / "data")
    with S3Proxy(emulator_env["AWS_ENDPOINT_URL_S3"], Faults(delay=0.02)) as proxy:
        env = {**emulator_env, "AWS_ENDPOINT_URL_S3": proxy.endpoint}
        s3 = boto3.client("s3", endpoint_url=emulator_env["AWS_ENDPOINT_URL_S3"])
        prefix = f"conc-{tmp_path.name}"
        first = start(script, tmp_path / "data", tmp_path / "out-1", env, prefix)
        second = start(script, tmp_path / "data", tmp_path / "out-2", env, prefix)
        wait_for(lambda: len(staged_input_keys(s3, prefix, expected)) >= 20)
        interrupt(first)
        out, err = second.communicate(timeout=300)
    assert second.returncode == 0, out + err
    assert json.loads((tmp_path / "out-2" / "seen.json").read_text()) == expected


def test_an_interrupted_submission_resumes_where_it_stopped(emulator_env, tmp_path):
    script = tmp_path / "job.py"
    script.write_text(SCRIPT)
    expected = make_input(tmp_path / "data")
    s3 = boto3.client("s3", endpoint_url=emulator_env["AWS_ENDPOINT_URL_S3"])
    prefix = f"resume-{tmp_path.name}"
    with S3Proxy(emulator_env["AWS_ENDPOINT_URL_S3"], Faults(delay=0.2)) as proxy:
        env = {**emulator_env, "AWS_ENDPOINT_URL_S3": proxy.endpoint}
        first = start(script, tmp_path / "data", tmp_path / "out-1", env, prefix)
        wait_for(lambda: len(staged_input_keys(s3, prefix, expected)) >= 20)
        interrupt(first)
    present = len(staged_input_keys(s3, prefix, expected))
    assert 20 <= present < len(expected)
    journaled = journal_contents(s3, prefix) & set(expected.values())
    assert journaled  # what the first run knew it had sent
    with S3Proxy(emulator_env["AWS_ENDPOINT_URL_S3"]) as proxy:
        env = {**emulator_env, "AWS_ENDPOINT_URL_S3": proxy.endpoint}
        again = start(script, tmp_path / "data", tmp_path / "out-2", env, prefix)
        out, err = again.communicate(timeout=300)
    assert again.returncode == 0, out + err
    shas = set(expected.values())
    sent = {s.target.rsplit("/", 1)[-1] for s in proxy.requests("PUT")} & shas
    # exactly what the first run had not journaled: a request in flight when it was cut short
    # may have landed unknown to it, and is sent again (the same bytes to the same key)
    assert sent == shas - journaled
    assert json.loads((tmp_path / "out-2" / "seen.json").read_text()) == expected
