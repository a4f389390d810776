"""The watcher against a fake backend: state sequences, logs, Ctrl-C, exit codes, JSON."""

from __future__ import annotations

import io
import json

import pytest
from watch_support import JOB, FakeBackend, FakeLogs, NotFound, no_sleep, run

from aws_sagemaker_remote.follow import watch
from aws_sagemaker_remote.follow.logtail import LogTailer, format_line, host_of
from aws_sagemaker_remote.follow.report import summary_lines
from aws_sagemaker_remote.kinds import PROCESSING
from aws_sagemaker_remote.kinds.processing import LOG_GROUP

# ---------------------------------------------------------------- log tailer


def test_tailer_reads_every_event_once_across_polls_and_pages():
    logs = FakeLogs(page_size=2)
    logs.add("algo-1-1", "a", "b", "c")
    tailer = LogTailer(logs, JOB, LOG_GROUP)
    assert [e[2] for e in tailer.poll()] == ["a", "b", "c"]
    assert tailer.poll() == []
    logs.add("algo-1-1", "d", "e")
    assert [e[2] for e in tailer.poll()] == ["d", "e"]


def test_tailer_discovers_new_streams_and_orders_by_time():
    logs = FakeLogs()
    logs.add("algo-1-1", "one", start=10)
    tailer = LogTailer(logs, JOB, LOG_GROUP)
    assert tailer.poll() == [("algo-1-1", 10, "one")]
    logs.add("algo-2-1", "two", start=5)
    logs.add("algo-1-1", "three", start=20)
    assert [(e[0], e[2]) for e in tailer.poll()] == [("algo-2-1", "two"), ("algo-1-1", "three")]
    assert tailer.stream_count == 2


def test_tailer_missing_group_means_no_events_yet():
    logs = FakeLogs()
    logs.group_exists = False
    assert LogTailer(logs, JOB, LOG_GROUP).poll() == []


def test_tailer_ignores_other_jobs_streams():
    logs = FakeLogs()
    logs.streams[f"{JOB}-other/algo-1-1"] = [{"timestamp": 1, "message": "nope"}]
    assert LogTailer(logs, JOB, LOG_GROUP).poll() == []


def test_format_line_prefix_only_when_several_hosts():
    assert host_of("algo-2-1700000000") == "algo-2"
    assert format_line("algo-1", "hello\n", multi=False) == "hello"
    assert format_line("algo-1", "hello", multi=True) == "[algo-1] hello"


# ---------------------------------------------------------------- follow


def test_follow_failed_job_exit_1_with_reason_and_last_lines():
    backend = FakeBackend(
        ["InProgress", "InProgress", "Failed"],
        reason="AlgorithmError: script exited with code 3",
        on_describe={1: ["starting"], 2: [f"line {i}" for i in range(30)], 3: ["Traceback: boom"]},
    )
    code, text = run(backend)
    assert code == 1
    assert "starting" in text
    assert text.count("Traceback: boom") == 1  # streamed, not repeated in the summary
    message = text[text.index(f"Job {JOB} Failed.") :]
    assert "FailureReason: AlgorithmError: script exited with code 3" in message
    assert "line 29" not in message


def test_follow_completed_exit_0_and_logs_in_order():
    backend = FakeBackend(
        ["InProgress", "Completed"], on_describe={1: ["first"], 2: ["second", "third"]}
    )
    code, text = run(backend)
    assert code == 0
    assert text.index("first") < text.index("second") < text.index("third")
    assert text.count("second") == 1
    assert f"Job {JOB} Completed." in text


def test_follow_returns_final_description_and_drains_logs_after_terminal():
    logs = FakeLogs()
    backend = FakeBackend(["InProgress", "Completed"], logs=logs)
    original = logs.get_log_events
    calls = []

    def late_events(**kwargs):
        # the line lands just after the poll that saw the terminal state read the stream
        calls.append(kwargs)
        result = original(**kwargs)
        if backend.describes == 2 and not any("late" in e["message"] for e in logs.streams[stream]):
            logs.add("algo-1-1700000000", "late line", start=9000)
        return result

    stream = f"{JOB}/algo-1-1700000000"
    logs.add("algo-1-1700000000", "early", start=1)
    logs.get_log_events = late_events
    out = io.StringIO()
    description = watch.Follower(backend, JOB, PROCESSING, out=out, sleep=no_sleep).run()
    assert description["ProcessingJobStatus"] == "Completed"
    assert "early" in out.getvalue()
    assert "late line" in out.getvalue()


def test_backoff_doubles_without_logs_and_resets_on_new_logs():
    backend = FakeBackend(["InProgress"] * 6 + ["Completed"], on_describe={4: ["news"]})
    slept = []
    watch.Follower(
        backend,
        JOB,
        PROCESSING,
        out=io.StringIO(),
        poll_seconds=1,
        max_poll_seconds=4,
        sleep=slept.append,
    ).run()
    assert slept == [2, 4, 4, 1, 2, 4, 5]  # the last: a longer pause, one more read


def test_throttling_backs_off_and_keeps_following():
    backend = FakeBackend(["InProgress", "Completed"])
    original = backend.describe_processing_job
    throttled = []

    def describe(ProcessingJobName):  # noqa: N803
        if not throttled:
            throttled.append(1)
            raise NotFound("ThrottlingException")
        return original(ProcessingJobName=ProcessingJobName)

    backend.describe_processing_job = describe
    slept = []
    description = watch.Follower(
        backend,
        JOB,
        PROCESSING,
        out=io.StringIO(),
        poll_seconds=1,
        max_poll_seconds=8,
        sleep=slept.append,
    ).run()
    assert description["ProcessingJobStatus"] == "Completed"
    assert slept == [2, 4, 5]


def test_other_errors_propagate():
    backend = FakeBackend(["InProgress"])

    def describe(ProcessingJobName):  # noqa: N803
        raise NotFound("AccessDeniedException")

    backend.describe_processing_job = describe
    with pytest.raises(NotFound):
        watch.Follower(backend, JOB, PROCESSING, out=io.StringIO(), sleep=no_sleep).run()


def test_multi_instance_lines_are_prefixed():
    logs = FakeLogs()
    logs.add("algo-1-1", "from one", start=1)
    logs.add("algo-2-1", "from two", start=2)
    code, text = run(FakeBackend(["Completed"], logs=logs))
    assert "[algo-1] from one" in text
    assert "[algo-2] from two" in text


def test_single_instance_lines_are_not_prefixed():
    logs = FakeLogs()
    logs.add("algo-1-1", "alone", start=1)
    code, text = run(FakeBackend(["Completed"], logs=logs))
    assert "alone" in text
    assert "[algo-1]" not in text


def test_exit_codes():
    for status, code in (("Completed", 0), ("Failed", 1), ("Stopped", 1)):
        assert watch.exit_code({"ProcessingJobName": JOB, "ProcessingJobStatus": status}) == code


def test_stopped_message_has_status_and_reason():
    description = {
        "ProcessingJobName": JOB,
        "ProcessingJobStatus": "Stopped",
        "FailureReason": "by user",
    }
    text = watch.finish_message(description, ["a", "b"], streamed=False)
    assert "Stopped" in text
    assert "by user" in text
    assert "Last 2 log lines:\n  a\n  b" in text
    assert "  b" not in watch.finish_message(description, ["a", "b"])


# ---------------------------------------------------------------- Ctrl-C


class Interrupts:
    def __init__(self, count):
        self.count = count
        self.calls = 0

    def __call__(self, _seconds):
        self.calls += 1
        if self.calls <= self.count:
            raise KeyboardInterrupt


def test_first_interrupt_stops_job_and_follows_to_the_end():
    backend = FakeBackend(["InProgress"], on_describe={3: ["shutting down"]})
    code, text = run(backend, sleep=Interrupts(1))
    assert code == 130
    assert backend.stops == [JOB]
    assert "stopping job" in text.lower()
    assert "shutting down" in text
    assert f"Job {JOB} Stopped." in text


def test_second_interrupt_detaches_without_further_polling():
    backend = FakeBackend(["InProgress"])
    code, text = run(backend, sleep=Interrupts(2))
    assert code == 130
    assert backend.stops == [JOB]
    describes_at_detach = backend.describes
    assert describes_at_detach == 2
    assert f"aws-sagemaker-remote processing logs {JOB} --follow" in text
    assert f"aws-sagemaker-remote processing stop {JOB}" in text
    assert "Stopped." not in text


def test_stop_failure_still_follows_to_the_end():
    backend = FakeBackend(["InProgress", "InProgress", "Completed"])

    def refuse(ProcessingJobName):  # noqa: N803
        raise RuntimeError("already completed")

    backend.stop_processing_job = refuse
    code, text = run(backend, sleep=Interrupts(1))
    assert code == 130
    assert "Could not stop" in text
    assert "Completed." in text


# ---------------------------------------------------------------- run_watch options


def test_no_wait_prints_how_to_follow():
    backend = FakeBackend(["InProgress"])
    code, text = run(backend, wait=False)
    assert code == 0
    assert f"processing logs {JOB} --follow" in text
    assert backend.describes == 0


def test_output_json_written_without_response_metadata(tmp_path):
    target = tmp_path / "sub" / "job.json"
    code, _ = run(FakeBackend(["InProgress", "Completed"]), output_json=str(target))
    assert code == 0
    data = json.loads(target.read_text())
    assert data["ProcessingJobName"] == JOB
    assert data["ProcessingJobStatus"] == "Completed"
    assert data["CreationTime"] == "2024-01-02T03:04:05+00:00"
    assert "ResponseMetadata" not in data


def test_output_json_also_written_when_failed(tmp_path):
    target = tmp_path / "job.json"
    code, _ = run(FakeBackend(["Failed"], reason="bad"), output_json=str(target))
    assert code == 1
    assert json.loads(target.read_text())["FailureReason"] == "bad"


def test_download_after_completed(tmp_path, monkeypatch):
    calls = []

    def fake_download(s3, uri, dest, owner, label, archive):
        calls.append((s3, uri, dest, label))
        return [dest / "x.txt"]

    monkeypatch.setattr("aws_sagemaker_remote.follow.outputs._download", fake_download)
    backend = FakeBackend(["Completed"])
    backend.s3 = object()
    local = tmp_path / "out"
    code, text = run(backend, download=True, outputs_local={"output": str(local)})
    assert code == 0
    assert calls == [(backend.s3, "s3://b/p/out", local, "output output")]
    assert "Downloaded output output" in text


def test_no_download_when_failed(monkeypatch):
    monkeypatch.setattr(
        "aws_sagemaker_remote.follow.outputs._download",
        lambda *a: pytest.fail("must not download"),
    )
    code, _ = run(FakeBackend(["Failed"]), download=True, outputs_local={"output": "x"})
    assert code == 1


# ---------------------------------------------------------------- backend choice, report


def test_summary_lines_aws_and_local():
    request = {
        "ProcessingJobName": JOB,
        "ProcessingInputs": [
            {"InputName": "code-script", "S3Input": {"S3Uri": "s3://b/p/code/script-1/s.py"}},
            {"InputName": "data", "S3Input": {"S3Uri": "s3://b/data"}},
        ],
        "ProcessingOutputConfig": {
            "Outputs": [{"OutputName": "output", "S3Output": {"S3Uri": f"s3://b/p/{JOB}/output"}}]
        },
    }
    lines = summary_lines(request, arn="arn:x", region="eu-west-1", backend="aws")
    text = "\n".join(lines)
    assert JOB in text
    assert "arn:x" in text
    assert (
        "https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1"
        f"#/processing-jobs/{JOB}"
    ) in text
    assert "cloudwatch/home?region=eu-west-1" in text
    assert JOB in lines[3]
    assert "code-script: s3://b/p/code/script-1/s.py" in text
    assert "data: s3://b/data" in text
    assert f"output: s3://b/p/{JOB}/output" in text
    local = "\n".join(
        summary_lines(request, arn="arn:x", region="us-east-1", backend="local", job_dir="/j")
    )
    assert "console.aws.amazon.com" not in local
    assert "/j" in local
