"""How following ends and what shows before the first log line (issue 8 points 3, 4, 7; issue 11
point 4): logs read until a poll brings nothing new, FailureReason and ExitMessage once, the
runtime limit named, a waiting line, colour only on a terminal and never with NO_COLOR."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import pytest
from watch_support import JOB, FakeBackend, FakeLogs, no_sleep, run

from aws_sagemaker_remote.follow import watch
from aws_sagemaker_remote.follow.console import WaitingLine, elapsed_text, use_color
from aws_sagemaker_remote.kinds import PROCESSING

STREAM = "algo-1-1700000000"
T0 = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


class Terminal(io.StringIO):
    def isatty(self):
        return True


# ---------------------------------------------------------------- logs after the end


def test_logs_are_read_until_a_poll_brings_nothing_new():
    """CloudWatch lags: lines keep landing for two polls after the terminal status."""
    logs = FakeLogs()
    logs.add(STREAM, "during", start=1)
    backend = FakeBackend(["InProgress", "Completed"], logs=logs)
    late = [["late 1"], ["late 2", "late 3"]]

    def sleep(_seconds):
        if backend.describes == 2 and late:
            logs.add(STREAM, *late.pop(0), start=5000 + len(late) * 10)

    code, text = run(backend, sleep=sleep)
    assert code == 0
    for line in ("during", "late 1", "late 2", "late 3"):
        assert text.count(line) == 1
    assert text.index("late 3") < text.index(f"Job {JOB} Completed.")


def test_after_the_end_one_long_pause_then_polls_until_nothing_new():
    logs = FakeLogs()
    backend = FakeBackend(["Completed"], logs=logs)
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        if len(slept) <= 2:
            logs.add(STREAM, f"late {len(slept)}", start=100 * len(slept))

    follower = watch.Follower(
        backend, JOB, PROCESSING, out=io.StringIO(), poll_seconds=1, sleep=sleep
    )
    follower.run()
    assert slept == [5, 1, 1]  # 5 polls (the SDK's 10 s on AWS), then until a poll is empty
    assert follower.events_seen == 2


def test_a_job_that_ended_long_ago_is_read_once_without_waiting():
    logs = FakeLogs()
    logs.add(STREAM, "old line", start=1)
    ended = datetime.now(timezone.utc) - timedelta(hours=2)
    backend = FakeBackend(["Failed"], logs=logs, extra={"ProcessingEndTime": ended})
    slept = []
    code, text = run(backend, sleep=slept.append)
    assert code == 1
    assert slept == []
    assert text.count("old line") == 1


# ---------------------------------------------------------------- the finish message


def test_failure_reason_and_exit_message_each_once():
    logs = FakeLogs()
    logs.add(STREAM, "Traceback (most recent call last):", "ValueError: bad row 7", start=1)
    backend = FakeBackend(
        ["InProgress", "Failed"],
        reason="AlgorithmError: See job logs for more information",
        logs=logs,
        extra={"ExitMessage": "ValueError: bad row 7"},
    )
    code, text = run(backend)
    assert code == 1
    assert text.count("Traceback") == 1
    assert "Last " not in text
    summary = text[text.index(f"Job {JOB} Failed.") :].splitlines()
    assert summary == [
        f"Job {JOB} Failed.",
        "FailureReason: AlgorithmError: See job logs for more information",
        "ExitMessage: ValueError: bad row 7",
    ]


def test_completed_job_shows_its_exit_message():
    text = watch.finish_message(
        {"ProcessingJobName": JOB, "ProcessingJobStatus": "Completed", "ExitMessage": "42 rows"}
    )
    assert text == f"Job {JOB} Completed.\nExitMessage: 42 rows"


def stopped(seconds, limit=60):
    return {
        "ProcessingJobName": JOB,
        "ProcessingJobStatus": "Stopped",
        "StoppingCondition": {"MaxRuntimeInSeconds": limit},
        "CreationTime": T0 - timedelta(minutes=4),
        "ProcessingStartTime": T0,
        "ProcessingEndTime": T0 + timedelta(seconds=seconds),
    }


def test_job_stopped_by_the_runtime_limit_says_so():
    text = watch.finish_message(stopped(61))
    assert text.splitlines()[0] == (
        f"Job {JOB} stopped: MaxRuntimeInSeconds (60 s) reached; "
        "raise it with --sagemaker-runtime-seconds"
    )
    assert watch.exit_code(stopped(61)) == 1


def test_job_stopped_before_its_limit_is_just_stopped():
    assert watch.finish_message(stopped(30)) == f"Job {JOB} Stopped."
    assert watch.finish_message(stopped(61), stopped_by_us=True) == f"Job {JOB} Stopped."


def test_watcher_names_the_limit_of_a_job_it_followed_to_its_end():
    extra = {k: v for k, v in stopped(61).items() if k != "ProcessingJobStatus"}
    backend = FakeBackend(["InProgress", "Stopped"], extra=extra)
    code, text = run(backend)
    assert code == 1
    assert "stopped: MaxRuntimeInSeconds (60 s) reached" in text


# ---------------------------------------------------------------- the waiting line


def test_waiting_line_is_one_line_per_status_change_off_a_terminal():
    logs = FakeLogs()
    backend = FakeBackend(
        ["InProgress", "InProgress", "Stopping", "InProgress", "Completed"],
        logs=logs,
        on_describe={4: ["hello"]},
        extra={"CreationTime": datetime.now(timezone.utc)},
    )
    code, text = run(backend)
    assert code == 0
    waiting = [line for line in text.splitlines() if "waiting for the first log line" in line]
    assert [line.split(":")[0] for line in waiting] == ["InProgress", "Stopping"]
    assert "\r" not in text
    assert text.index(waiting[-1]) < text.index("hello")


def test_waiting_line_updates_in_place_on_a_terminal_and_is_erased_by_the_first_log_line(
    monkeypatch,
):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    now = [1000.0]

    def sleep(seconds):
        now[0] += seconds

    backend = FakeBackend(
        ["InProgress", "InProgress", "Completed"],
        on_describe={3: ["first line"]},
        extra={"CreationTime": datetime.fromtimestamp(990.0, timezone.utc)},
    )
    out = Terminal()
    follower = watch.Follower(
        backend, JOB, PROCESSING, out=out, poll_seconds=3, sleep=sleep, clock=lambda: now[0]
    )
    code = watch.watch_with_interrupts(follower)
    assert code == 0
    text = out.getvalue()
    frames = text.split("\r\033[K")
    shown = [f for f in frames if "waiting for the first log line" in f]
    assert [f.split("(")[-1] for f in shown[:5]] == ["10s)", "11s)", "12s)", "13s)", "14s)"]
    assert "\033[36mInProgress\033[0m" in shown[0]
    erased = text.index("first line")
    assert text[:erased].endswith("\r\033[K")
    assert "\033[32mJob " in text  # Completed, green


def test_no_waiting_line_once_logs_flow_or_when_logs_are_not_printed():
    backend = FakeBackend(["InProgress", "InProgress", "Completed"], on_describe={1: ["go"]})
    code, text = run(backend)
    assert "waiting" not in text
    out = io.StringIO()
    follower = watch.Follower(
        FakeBackend(["InProgress", "Completed"]),
        JOB,
        PROCESSING,
        out=out,
        sleep=no_sleep,
        print_logs=False,
    )
    watch.watch_with_interrupts(follower)
    assert "waiting" not in out.getvalue()


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "0s"), (59, "59s"), (61, "1m01s"), (3725, "1h02m05s"), (-3, "0s")]
)
def test_elapsed_text(seconds, text):
    assert elapsed_text(seconds) == text


def test_waiting_line_counts_from_creation_time():
    line = WaitingLine(io.StringIO(), clock=lambda: T0.timestamp() + 65, tty=False)
    line.start_at(T0)
    line.show("InProgress")
    assert line.out.getvalue() == "InProgress: waiting for the first log line (1m05s)\n"


# ---------------------------------------------------------------- colour


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch):
    monkeypatch.delenv("TERM", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_color(Terminal())
    assert not use_color(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_color(Terminal())
    monkeypatch.setenv("NO_COLOR", "")  # no-color.org: only a non-empty value counts
    assert use_color(Terminal())
    monkeypatch.setenv("TERM", "dumb")
    assert not use_color(Terminal())


def test_finish_line_is_coloured_by_status():
    failed = {"ProcessingJobName": JOB, "ProcessingJobStatus": "Failed"}
    assert watch.finish_message(failed, color=True) == f"\033[31mJob {JOB} Failed.\033[0m"
    assert watch.finish_message(failed) == f"Job {JOB} Failed."


# ---------------------------------------------------------------- the summary


def test_summary_prints_the_runtime_limit():
    from aws_sagemaker_remote.follow.report import summary_lines

    request = {"ProcessingJobName": JOB, "StoppingCondition": {"MaxRuntimeInSeconds": 86400}}
    lines = summary_lines(request, arn="arn:x", region="us-east-1", backend="aws")
    assert "Runtime:   at most 86400 s (24h00m00s, MaxRuntimeInSeconds)" in lines
