"""`job:` references as a newcomer types them (issue 21, point 1): `latest` and a unique start
of a job's name, as the job commands take them; an ambiguous start listed; a training job's
checkpoints (`--sagemaker-checkpoint-s3 job:NAME/checkpoints`) and the line a stopped job
prints that resumes it, pasted as printed. Through the emulator, each command a process."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import textwrap
from pathlib import Path

from e2e_support import ctrl_c_after, run_cli, run_script

PRODUCER = """
import os
from aws_sagemaker_remote import sagemaker_processing_main

def main(args):
    os.makedirs(args.summary, exist_ok=True)
    with open(os.path.join(args.summary, "count.txt"), "w") as f:
        f.write(str(args.count))

sagemaker_processing_main(main=main, outputs={"summary": "summary"},
                          additional_arguments=[{"dest": "--count", "default": 0}])
"""

CONSUMER = """
import os
from aws_sagemaker_remote import sagemaker_processing_main

def main(args):
    print("count is", open(os.path.join(args.data, "count.txt")).read())

sagemaker_processing_main(main=main, inputs={"data": "data"})
"""

STEPS = """
import os, time
from aws_sagemaker_remote import sagemaker_training_main

def main(args):
    state = os.path.join(args.checkpoint_dir, "step")
    start = int(open(state).read()) + 1 if os.path.exists(state) else 0
    if start:
        print(f"resumed at step {start}", flush=True)
    for step in range(start, 5):
        os.makedirs(args.checkpoint_dir, exist_ok=True)
        with open(state + ".tmp", "w") as handle:
            handle.write(str(step))
        os.replace(state + ".tmp", state)
        print(f"step {step}", flush=True)
        while step == 2 and not start:  # the first job waits here to be stopped
            time.sleep(0.05)

sagemaker_training_main(main=main, checkpoints=True)
"""


def write(folder: Path, name: str, source: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(source))
    return path


def produce(script: Path, name: str, count: int) -> None:
    done = run_script(script, "--sagemaker-run", "yes", "--sagemaker-job-name", name,
                      "--count", str(count))  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_latest_and_a_unique_start_name_a_job_in_references(emulator_env, tmp_path):
    producer = write(tmp_path, "produce.py", PRODUCER)
    consumer = write(tmp_path, "consume.py", CONSUMER)
    produce(producer, "refs-alpha-1", 1)
    produce(producer, "refs-beta", 2)
    for reference, count in (
        ("job:latest/summary", 2),
        ("job:refs-al/summary", 1),
        ("job:refs-beta", 2),  # its only output
    ):
        local = run_script(consumer, "--data", reference)
        assert local.returncode == 0, (reference, local.stderr)
        assert f"count is {count}" in local.stdout, reference
    remote = run_script(consumer, "--sagemaker-run", "yes", "--data", "job:refs-b/summary")
    assert remote.returncode == 0, remote.stderr
    assert "count is 2" in remote.stdout
    produce(producer, "refs-alpha-2", 3)
    ambiguous = run_script(consumer, "--data", "job:refs-alpha/summary")
    assert ambiguous.returncode == 2
    assert ambiguous.stderr.count("\n") == 1
    assert "--data: 'job:refs-alpha/summary': 'refs-alpha' is the start of 2" in ambiguous.stderr
    assert "refs-alpha-2, refs-alpha-1" in ambiguous.stderr
    missing = run_script(consumer, "--sagemaker-run", "yes", "--data", "job:nothing-like/x")
    assert missing.returncode == 2
    assert "no processing or training job named 'nothing-like' or starting with it" in (
        missing.stderr
    )


def stop_at_step_2(script: Path, *argv: str) -> str:
    """Run the script's job, Ctrl-C it once it logged step 2; its output."""
    code, printed = ctrl_c_after(script, "step 2", "--sagemaker-run", "yes", *argv)
    assert code == 130, printed
    return printed


def test_a_stopped_training_job_prints_the_line_that_resumes_it(emulator_env, tmp_path):
    script = write(tmp_path, "steps.py", STEPS)
    shown = stop_at_step_2(script, "--sagemaker-job-name", "first-steps")
    line = re.search(r"^Resume it from its checkpoints: (.*)$", shown, re.M)
    assert line, shown
    command = shlex.split(line.group(1))
    assert command[-2:] == ["--sagemaker-checkpoint-s3", "job:first-steps/checkpoints"]
    assert "--sagemaker-job-name" not in command  # a second job cannot take the same name
    resumed = subprocess.run(command, capture_output=True, text=True, timeout=180,
                             env=dict(os.environ))  # fmt: skip
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "resumed at step 3" in resumed.stdout
    assert "step 0" not in resumed.stdout

    again = run_cli("training", "rerun", "first-steps", "--resume")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "resumed at step" in again.stdout
    fresh = run_cli("training", "rerun", "first-steps", "--no-wait")
    assert fresh.returncode == 0, fresh.stderr
    plain = run_cli("processing", "rerun", "--help")
    assert "--resume" not in plain.stdout  # processing jobs keep no checkpoints


def test_a_checkpoint_reference_to_a_job_without_checkpoints_is_refused(emulator_env, tmp_path):
    producer = write(tmp_path, "produce.py", PRODUCER)
    produce(producer, "no-checkpoints", 1)
    script = write(tmp_path, "steps.py", STEPS)
    refused = run_script(script, "--sagemaker-run", "yes",
                         "--sagemaker-checkpoint-s3", "job:no-checkpoints/checkpoints")  # fmt: skip
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1
    assert "--sagemaker-checkpoint-s3: 'job:no-checkpoints/checkpoints': job no-checkpoints " in (
        refused.stderr
    )
    assert "kept no checkpoints" in refused.stderr
    bad = run_script(script, "--sagemaker-run", "yes", "--sagemaker-checkpoint-s3", "job:x/model")
    assert bad.returncode == 2
    assert "expected job:NAME/checkpoints" in bad.stderr
