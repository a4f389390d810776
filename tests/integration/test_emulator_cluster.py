"""The dockerless emulator backend, end to end: several instances, Continuous outputs, logs and
listing (job environments and requirements: test_emulator_environments.py)."""

from __future__ import annotations

import time

import pytest
from emulator_support import (
    INPUT,
    OUTPUT,
    SAFETY_TIMEOUT,
    all_events,
    get,
    instance_path,
    keys,
    put,
    s3_input,
    s3_output,
    submit,
    wait,
)

from aws_sagemaker_remote.kinds import PROCESSING
from aws_sagemaker_remote.kinds.processing import LOG_GROUP

# ---------------------------------------------------------------------- several instances


SEEN_SCRIPT = """
import os, sys
data, out = sys.argv[1], sys.argv[2]
names = sorted(os.listdir(data))
open(os.path.join(out, os.environ["HOST_FILE_PREFIX"] + "-" + str(len(names)) + "-"
     + str(os.getpid())), "w").write("\\n".join(names))
"""


def _seen_by_instance(backend, s3_client, bucket, name, distribution):
    for n in range(10):
        put(s3_client, bucket, f"{name}-data/part-{n:02d}.txt", f"row {n}")
    inputs = [s3_input("data", f"s3://{bucket}/{name}-data", INPUT, distribution)]
    outputs = [s3_output("result", f"s3://{bucket}/results/{name}", OUTPUT)]
    submit(
        backend,
        s3_client,
        bucket,
        name,
        SEEN_SCRIPT,
        count=3,
        arguments=[INPUT, OUTPUT],
        inputs=inputs,
        outputs=outputs,
        env={"HOST_FILE_PREFIX": "seen"},
    )
    assert wait(backend, name)["ProcessingJobStatus"] == "Completed"
    result_keys = keys(s3_client, bucket, f"results/{name}/")
    assert len(result_keys) == 3  # every instance's files went to the same S3Uri
    return [get(s3_client, bucket, key).decode().split("\n") for key in result_keys]


def test_sharded_input_gives_each_object_to_exactly_one_instance(backend, s3_client, bucket):
    seen = _seen_by_instance(backend, s3_client, bucket, "sharded", "ShardedByS3Key")
    everything = [name for names in seen for name in names]
    assert sorted(everything) == [f"part-{n:02d}.txt" for n in range(10)]  # no overlap, all
    assert sorted(len(names) for names in seen) == [3, 3, 4]
    # Deterministic: instance i gets sorted keys i-1, i-1+N, ...
    [report] = instance_path(backend, "sharded", OUTPUT, host="algo-2").iterdir()
    assert report.read_text().split("\n") == ["part-01.txt", "part-04.txt", "part-07.txt"]


def test_fully_replicated_input_gives_each_instance_everything(backend, s3_client, bucket):
    seen = _seen_by_instance(backend, s3_client, bucket, "replicated", "FullyReplicated")
    for names in seen:
        assert names == [f"part-{n:02d}.txt" for n in range(10)]


def test_continuous_output_is_uploaded_while_the_job_runs(backend, s3_client, bucket):
    script = """
    import os, sys, time
    out, release = sys.argv[1], sys.argv[2]
    open(os.path.join(out, "early.txt"), "w").write("early")
    while not os.path.exists(release):
        time.sleep(0.05)
    open(os.path.join(out, "late.txt"), "w").write("late")
    """
    name = "continuous"
    outputs = [s3_output("result", f"s3://{bucket}/results/{name}", OUTPUT, "Continuous")]
    release = "/opt/ml/processing/release"
    submit(backend, s3_client, bucket, name, script, arguments=[OUTPUT, release], outputs=outputs)
    deadline = time.monotonic() + SAFETY_TIMEOUT
    while keys(s3_client, bucket, f"results/{name}/") != [f"results/{name}/early.txt"]:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    status = backend.describe_job(PROCESSING, name)["ProcessingJobStatus"]
    assert status == "InProgress"
    instance_path(backend, name, release).write_text("go")
    assert wait(backend, name)["ProcessingJobStatus"] == "Completed"
    assert get(s3_client, bucket, f"results/{name}/late.txt") == b"late"


# ---------------------------------------------------------------------- logs, list


def test_logs_are_readable_with_tokens(backend, s3_client, bucket):
    from botocore.exceptions import ClientError

    script = "for n in range(5):\n    print('line', n)\n"
    submit(backend, s3_client, bucket, "logged", script, count=2)
    description = wait(backend, "logged")
    assert description["ProcessingJobStatus"] == "Completed"
    streams = backend.logs.describe_log_streams(
        logGroupName=LOG_GROUP, logStreamNamePrefix="logged/"
    )["logStreams"]
    epoch = int(description["CreationTime"].timestamp())
    names = [stream["logStreamName"] for stream in streams]
    assert names == [f"logged/algo-1-{epoch}", f"logged/algo-2-{epoch}"]
    for stream in names:
        assert [m for m in all_events(backend, stream) if m.startswith("line")] == [
            f"line {n}" for n in range(5)
        ]
    # Paging forward one event at a time; at the end the same token comes back.
    token, messages = None, []
    for _ in range(100):
        kwargs = {"nextToken": token} if token else {"startFromHead": True}
        page = backend.logs.get_log_events(
            logGroupName=LOG_GROUP, logStreamName=names[0], limit=1, **kwargs
        )
        assert len(page["events"]) <= 1
        for event in page["events"]:
            assert set(event) == {"timestamp", "message", "ingestionTime"}
            messages.append(event["message"])
        if page["nextForwardToken"] == token:
            break
        token = page["nextForwardToken"]
    assert messages == all_events(backend, names[0])
    # Without startFromHead the latest events come first (as CloudWatch does).
    tail = backend.logs.get_log_events(logGroupName=LOG_GROUP, logStreamName=names[0], limit=2)
    assert [e["message"] for e in tail["events"]] == ["line 3", "line 4"]
    for kwargs in (
        {"logGroupName": LOG_GROUP, "logStreamName": "logged/algo-9-1"},
        {"logGroupName": "/aws/other", "logStreamName": names[0]},
    ):
        with pytest.raises(ClientError) as error:
            backend.logs.get_log_events(**kwargs)
        assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_list_filters_sorts_and_pages(backend, s3_client, bucket):
    submit(backend, s3_client, bucket, "list-ok", "print('ok')")
    submit(backend, s3_client, bucket, "list-bad", "raise SystemExit(2)")
    wait(backend, "list-ok")
    wait(backend, "list-bad")
    summaries = backend.list_jobs(
        PROCESSING, NameContains="list-", SortBy="Name", SortOrder="Ascending"
    )["ProcessingJobSummaries"]
    assert [s["ProcessingJobName"] for s in summaries] == ["list-bad", "list-ok"]
    assert set(summaries[0]) >= {
        "ProcessingJobName",
        "ProcessingJobArn",
        "CreationTime",
        "LastModifiedTime",
        "ProcessingEndTime",
        "ProcessingJobStatus",
        "FailureReason",
    }
    failed = backend.list_jobs(PROCESSING, StatusEquals="Failed")["ProcessingJobSummaries"]
    assert [s["ProcessingJobName"] for s in failed] == ["list-bad"]
    first = backend.list_jobs(PROCESSING, MaxResults=1)  # newest first by default
    assert [s["ProcessingJobName"] for s in first["ProcessingJobSummaries"]] == ["list-bad"]
    second = backend.list_jobs(PROCESSING, MaxResults=1, NextToken=first["NextToken"])
    assert [s["ProcessingJobName"] for s in second["ProcessingJobSummaries"]] == ["list-ok"]
    assert "NextToken" not in second
