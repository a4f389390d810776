"""A training job's end other than by itself, in the emulator: StopTrainingJob, its runtime
limit, and a managed spot job whose instances are reclaimed and which goes on from its last
checkpoint."""

from __future__ import annotations

import json

import pytest
from emulator_support import instance_path
from training_emulator_support import (
    archive_members,
    log_messages,
    stage_code,
    submit_training,
    training_request,
    transitions,
    wait_training,
    wait_until,
)

from aws_sagemaker_remote.kinds import TRAINING

# Saves its model when SageMaker's SIGTERM comes, as the 120-second window is meant for.
SIGTERM_TRAIN = """
import os, signal, sys, time
from pathlib import Path

def save(signum, frame):
    Path(os.environ["SM_MODEL_DIR"], "on-sigterm.txt").write_text("saved on SIGTERM")
    sys.exit(0)

signal.signal(signal.SIGTERM, save)
Path(os.environ["SM_OUTPUT_DATA_DIR"], "ready").write_text("")
time.sleep(60)
"""


def test_stop_sends_sigterm_and_uploads_what_the_script_saved(backend, s3_client, bucket):
    from botocore.exceptions import ClientError

    submit_training(backend, s3_client, bucket, "train-stop", SIGTERM_TRAIN)
    ready = instance_path(backend, "train-stop", "/opt/ml/output/data/ready", kind=TRAINING)
    wait_until(ready.exists, "the script's start")
    backend.stop_job(TRAINING, "train-stop")
    stopping = backend.describe_job(TRAINING, "train-stop")
    assert stopping["TrainingJobStatus"] in ("Stopping", "Stopped")
    assert stopping["SecondaryStatus"] in ("Stopping", "Stopped")
    description = wait_training(backend, "train-stop")
    assert description["TrainingJobStatus"] == "Stopped"
    assert description["SecondaryStatus"] == "Stopped"
    assert transitions(description) == [
        "Starting", "Downloading", "Training", "Stopping", "Stopped"
    ]  # fmt: skip
    assert "FailureReason" not in description
    model = archive_members(s3_client, bucket, "out/train-stop/output/model.tar.gz")
    assert model == {"on-sigterm.txt": b"saved on SIGTERM"}
    output = archive_members(s3_client, bucket, "out/train-stop/output/output.tar.gz")
    assert output == {"ready": b""}
    with pytest.raises(ClientError) as error:
        backend.stop_job(TRAINING, "train-stop")
    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert "Stopped" in str(error.value)


SLEEPING_TRAIN = """
import time
print("sleeping", flush=True)
time.sleep(60)
"""


def test_the_runtime_and_spot_wait_limits_stop_jobs_as_aws_names_it(backend, s3_client, bucket):
    submit_training(backend, s3_client, bucket, "train-limit", SLEEPING_TRAIN, max_runtime=1)
    request = training_request("train-wait", bucket, max_runtime=1, spot=True)
    request["StoppingCondition"]["MaxWaitTimeInSeconds"] = 1  # counts from creation: first
    stage_code(s3_client, bucket, "train-wait", SLEEPING_TRAIN)
    backend.create_job(TRAINING, request)
    for name, secondary in (
        ("train-limit", "MaxRuntimeExceeded"),
        ("train-wait", "MaxWaitTimeExceeded"),
    ):
        description = wait_training(backend, name)
        assert description["TrainingJobStatus"] == "Stopped"
        assert description["SecondaryStatus"] == secondary
        assert transitions(description)[-3:] == ["Training", "Stopping", secondary]
        assert "FailureReason" not in description


# Steps 0..5, a checkpoint after each; the first run hangs after step 2 until it is reclaimed.
CHECKPOINTING_TRAIN = """
import json, os, sys, time
from pathlib import Path

checkpoints = Path(sys.argv[sys.argv.index("--checkpoint-dir") + 1])
state = checkpoints / "step.txt"
start = int(state.read_text()) if state.exists() else 0
(checkpoints / f"started-at-{start}").write_text("")
for step in range(start, 6):
    print(f"step {step}", flush=True)
    state.write_text(str(step + 1))
    if start == 0 and step == 2:
        time.sleep(60)
report = {"resumed_from": start, "checkpoints": sorted(p.name for p in checkpoints.iterdir())}
Path(os.environ["SM_MODEL_DIR"], "report.json").write_text(json.dumps(report))
"""


def test_an_interrupted_spot_job_restarts_from_its_last_checkpoint(backend, s3_client, bucket):
    from botocore.exceptions import ClientError

    submit_training(
        backend, s3_client, bucket, "train-spot", CHECKPOINTING_TRAIN,
        arguments=["--checkpoint-dir", "/opt/ml/checkpoints"], spot=True,
    )  # fmt: skip
    state = instance_path(backend, "train-spot", "/opt/ml/checkpoints/step.txt", kind=TRAINING)
    wait_until(lambda: state.exists() and state.read_text() == "3", "step 2's checkpoint")
    backend.interrupt_job(TRAINING, "train-spot")
    description = wait_training(backend, "train-spot")
    assert description["TrainingJobStatus"] == "Completed", description.get("FailureReason")
    assert transitions(description) == [
        "Starting", "Downloading", "Training", "Interrupted",
        "Starting", "Downloading", "Training", "Uploading", "Completed",
    ]  # fmt: skip
    report = json.loads(
        archive_members(s3_client, bucket, "out/train-spot/output/model.tar.gz")["report.json"]
    )
    assert report["resumed_from"] == 3
    assert report["checkpoints"] == ["started-at-0", "started-at-3", "step.txt"]
    saved = s3_client.get_object(Bucket=bucket, Key="train-spot/checkpoints/step.txt")
    assert saved["Body"].read() == b"6"
    stream = backend.logs.describe_log_streams(
        logGroupName="/aws/sagemaker/TrainingJobs", logStreamNamePrefix="train-spot/"
    )["logStreams"][0]["logStreamName"]
    steps = [m for m in log_messages(backend, stream) if m.startswith("step ")]
    assert steps == ["step 0", "step 1", "step 2", "step 3", "step 4", "step 5"]
    with pytest.raises(ClientError) as error:  # only a running spot job can be interrupted
        backend.interrupt_job(TRAINING, "train-spot")
    assert error.value.response["Error"]["Code"] == "ValidationException"


def test_a_killed_runner_fails_the_job_and_ends_its_script(backend, s3_client, bucket):
    import os
    import signal

    submit_training(backend, s3_client, bucket, "train-lost", SIGTERM_TRAIN)
    ready = instance_path(backend, "train-lost", "/opt/ml/output/data/ready", kind=TRAINING)
    wait_until(ready.exists, "the script's start")
    os.kill(
        int((backend.job_dir(TRAINING, "train-lost") / "runner.pid").read_text()), signal.SIGKILL
    )
    description = wait_training(backend, "train-lost")
    assert description["TrainingJobStatus"] == "Failed"
    assert description["SecondaryStatus"] == "Failed"
    assert "runner ended unexpectedly" in description["FailureReason"]
    saved = instance_path(backend, "train-lost", "/opt/ml/model/on-sigterm.txt", kind=TRAINING)
    wait_until(saved.exists, "the script's SIGTERM when its runner died")
