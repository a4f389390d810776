"""A spot training job whose instances are taken back (`training interrupt`, the emulator's
spot reclaim) goes on from its last checkpoint: no step is lost, only the one cut short is
repeated. The first instances hold at step 2 until reclaimed, so the test does not race the
script's own pace."""

from __future__ import annotations

import json
import time

from e2e_support import run_cli, run_script

STEPPING = """
import os, time
from aws_sagemaker_remote import sagemaker_training_main

def main(args):
    state = os.path.join(args.checkpoint_dir, "step")
    start = int(open(state).read()) + 1 if os.path.exists(state) else 0
    if start:
        print(f"resumed at step {start}", flush=True)
    for step in range(start, args.steps):
        os.makedirs(args.checkpoint_dir, exist_ok=True)
        with open(state + ".tmp", "w") as handle:
            handle.write(str(step))
        os.replace(state + ".tmp", state)
        print(f"step {step}", flush=True)
        while step == 2 and not start:  # the first instances stay here until reclaimed
            time.sleep(0.05)
        time.sleep(args.pause)
    os.makedirs(args.model_dir, exist_ok=True)
    with open(os.path.join(args.model_dir, "done"), "w") as handle:
        handle.write(str(args.steps))

sagemaker_training_main(main=main, spot=True, additional_arguments=[
    {"dest": "--steps", "type": int, "default": 8},
    {"dest": "--pause", "type": float, "default": 0.4},
])
"""


def test_an_interrupted_spot_job_goes_on_from_its_checkpoint(emulator_env, tmp_path):
    script = tmp_path / "steps.py"
    script.write_text(STEPPING)
    description = tmp_path / "job.json"
    job = run_script(script, "--sagemaker-run", "yes", "--sagemaker-wait", "no",
                     "--sagemaker-output-json", description)  # fmt: skip
    assert job.returncode == 0, job.stderr
    name = json.loads(description.read_text())["TrainingJobName"]
    deadline = time.monotonic() + 60
    while "step 2" not in run_cli("training", "logs", name).stdout:
        assert time.monotonic() < deadline, "the job never reached step 2"
        time.sleep(0.3)
    interrupted = run_cli("training", "interrupt", name)
    assert interrupted.returncode == 0, interrupted.stderr
    assert interrupted.stdout.startswith(f"Interrupting job {name}")

    waited = run_cli("training", "wait", name)
    assert waited.returncode == 0, waited.stdout + waited.stderr
    logs = run_cli("training", "logs", name).stdout
    # statuses among the log lines by time (issue 21, point 2)
    assert logs.index("step 2\n") < logs.index("Status  Interrupted") < logs.index("resumed at")
    assert logs.index("Status  Uploading") > logs.index("step 7\n")
    assert logs.rstrip("\n").endswith("Status  Completed: Training job completed")
    resumed = int(logs.split("resumed at step ")[1].split()[0])
    assert 2 < resumed < 8  # not from the start
    counts = [logs.count(f"step {step}\n") for step in range(8)]
    # every step ran; only the one the reclaim cut short (if any) ran twice
    assert min(counts) == 1, logs
    assert sum(counts) <= 9, logs
    described = json.loads(run_cli("training", "describe", name, "--json").stdout)
    steps = [t["Status"] for t in described["SecondaryStatusTransitions"]]
    assert "Interrupted" in steps
    assert steps[-1] == "Completed"

    again = run_cli("training", "interrupt", name)  # only a running spot job
    assert again.returncode != 0
    assert "is in status Completed" in again.stderr
