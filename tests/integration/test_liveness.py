"""The emulator's verdict on a job whose runner may not have started yet, or has died: InProgress
until the runner ends, Failed once it is gone without a final status, never a false Failed."""

from __future__ import annotations

import os
import signal
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from emulator_support import SAFETY_TIMEOUT, TERMINAL, make_request, put, runner_log, wait

from aws_sagemaker_remote.kinds import PROCESSING

ROUNDS = 60
WORKERS = 4
GATED = "import os, sys, time\nwhile not os.path.exists(sys.argv[1]):\n    time.sleep(0.02)\n"


def quick_request(name: str) -> dict:
    """A job with no channel whose entrypoint exits at once: the round costs only the runner."""
    request = make_request(name, "unused", entrypoint=("python3", "-c", "pass"))
    request.pop("ProcessingInputs")
    return request


def statuses_until_terminal(backend, name: str) -> list:
    seen = []
    deadline = time.monotonic() + SAFETY_TIMEOUT
    while not seen or seen[-1] not in TERMINAL:
        assert time.monotonic() < deadline, f"{name}: {seen[-5:]}\n{runner_log(backend, name)}"
        seen.append(backend.describe_job(PROCESSING, name)["ProcessingJobStatus"])
        time.sleep(0.01)
    return seen


def test_describe_right_after_create_is_in_progress(backend, s3_client, bucket, tmp_path):
    gate = tmp_path / "gate"
    put(s3_client, bucket, "gated/code/script.py", GATED)
    backend.create_job(PROCESSING, make_request("gated", bucket, arguments=[str(gate)]))
    early = [backend.describe_job(PROCESSING, "gated")["ProcessingJobStatus"] for _ in range(50)]
    assert early == ["InProgress"] * 50
    gate.write_text("go")
    assert wait(backend, "gated")["ProcessingJobStatus"] == "Completed"


def test_a_runner_killed_before_it_recorded_itself_fails_the_job(backend):
    backend.create_job(PROCESSING, quick_request("killed-early"))
    os.kill(
        int((backend.job_dir(PROCESSING, "killed-early") / "runner.pid").read_text()),
        signal.SIGKILL,
    )
    description = wait(backend, "killed-early")
    assert description["ProcessingJobStatus"] == "Failed"
    assert "runner ended unexpectedly" in description["FailureReason"]


def test_a_runner_killed_while_downloading_fails_the_job(backend, s3_client, bucket, tmp_path):
    gate = tmp_path / "gate"
    put(s3_client, bucket, "killed-late/code/script.py", GATED)
    backend.create_job(PROCESSING, make_request("killed-late", bucket, arguments=[str(gate)]))
    record = backend.job_dir(PROCESSING, "killed-late") / "runner.json"
    deadline = time.monotonic() + SAFETY_TIMEOUT
    while not record.exists():
        assert time.monotonic() < deadline, "the runner never recorded itself"
        time.sleep(0.01)
    os.kill(
        int((backend.job_dir(PROCESSING, "killed-late") / "runner.pid").read_text()), signal.SIGKILL
    )
    description = wait(backend, "killed-late")
    assert description["ProcessingJobStatus"] == "Failed"
    assert "runner ended unexpectedly" in description["FailureReason"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pid start times need /proc")
def test_no_false_verdict_in_many_create_then_describe_rounds(backend):
    """Each round creates a job and describes it until it ends, WORKERS rounds at a time: every
    status seen is InProgress until the one Completed. (Whether the first describe still sees the
    job running depends on scheduling; the gated test above pins that down without timing.)"""

    def one_round(index: int) -> list:
        name = f"round-{index}"
        backend.create_job(PROCESSING, quick_request(name))
        return statuses_until_terminal(backend, name)

    with ThreadPoolExecutor(WORKERS) as pool:
        rounds = list(pool.map(one_round, range(ROUNDS)))
    bad = {i: seen for i, seen in enumerate(rounds) if seen[-1] != "Completed"}
    assert bad == {}, {i: runner_log(backend, f"round-{i}") for i in list(bad)[:3]}
    for seen in rounds:
        assert set(seen[:-1]) <= {"InProgress"}, seen


def test_a_job_whose_runner_died_has_an_end_time_and_a_duration(
    backend, s3_client, bucket, tmp_path
):
    """Issue 23 point 8: not InProgress forever, not Duration "-": Failed, ended when the runner
    was last seen at work, the same in every describe."""
    from aws_sagemaker_remote.cli.text import describe_lines

    gate = tmp_path / "gate"
    put(s3_client, bucket, "dies/code/script.py", GATED)
    backend.create_job(PROCESSING, make_request("dies", bucket, arguments=[str(gate)]))
    logs = backend.job_dir(PROCESSING, "dies") / "logs"
    deadline = time.monotonic() + SAFETY_TIMEOUT
    while not any(logs.glob("*")):
        assert time.monotonic() < deadline, "the job never started its script"
        time.sleep(0.01)
    os.kill(int((backend.job_dir(PROCESSING, "dies") / "runner.pid").read_text()), signal.SIGKILL)
    first = wait(backend, "dies")
    time.sleep(1.1)
    again = backend.describe_job(PROCESSING, "dies")
    assert first["ProcessingJobStatus"] == "Failed"
    ended = first["ProcessingEndTime"]
    assert again["ProcessingEndTime"] == ended
    assert again["LastModifiedTime"] == ended
    assert ended >= first["CreationTime"]
    lines = describe_lines(again, backend)
    duration = next(line for line in lines if line.startswith("Duration:"))
    assert duration.split()[1] != "-"
    assert any(line.startswith("Ended:") for line in lines)
