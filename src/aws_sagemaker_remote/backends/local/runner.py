"""The detached process that runs one emulated job: `python -m ...runner JOB_DIR`.

Steps: lay out each instance, download the inputs, pick the interpreter (requirements venv or
this one), start every instance, supervise (stop requests, MaxRuntimeInSeconds, Continuous
uploads), upload EndOfJob outputs after success, write the final status.

A job that exceeds MaxRuntimeInSeconds ends `Stopped`, as AWS documents for its stopping
condition ("After the condition is met, the processing job is stopped").

FailureReason and ExitMessage are set as SageMaker Processing sets them: a container that exits
non-zero fails the job with FailureReason `AlgorithmError: See job logs for more information`
(aws/sagemaker-spark-container test_sagemaker_spark_errors.py); ExitMessage is the first 1 KB of
each container's /opt/ml/output/message, concatenated across containers and truncated to 1 KB,
in every terminal state; a message file that is not UTF-8 fails the job with a ClientError
(SageMaker Developer Guide, byoc-metadata.html). /opt/ml/output/failure means nothing to a
processing job (it is the training contract), so it is ignored.
"""

from __future__ import annotations

import os
import re
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional

from ...contract import ALGORITHM_ERROR, MAX_MESSAGE_BYTES, OUTPUT_MESSAGE_FILE
from ...paths import venvs_dir
from ...procs import start_time
from . import channels, layout
from .jobenv import RUNNER_PROFILE_VAR, script_base
from .layout import Instance
from .logs import LogWriter
from .store import (
    REQUEST_FILE,
    RUNNER_RECORD,
    read_json,
    stop_requested_at,
    update_status,
    write_json,
)
from .venvs import requirements_interpreter
from .workers import Worker

POLL_SECONDS = 0.1
CONTINUOUS_SECONDS = 1.0
DEFAULT_STOP_GRACE = 10.0
REQUIREMENTS_VAR = "AWS_SAGEMAKER_REMOTE_REQUIREMENTS"
PYTHON_VAR = "AWS_SAGEMAKER_REMOTE_PYTHON"
CONFIGURATION_VARS = (
    "AWS_SAGEMAKER_REMOTE_CONFIGURATION_SCRIPT",
    "AWS_SAGEMAKER_REMOTE_CONFIGURATION_COMMAND",
)
JOB_FILE_VAR = "AWS_SAGEMAKER_REMOTE_JOB_FILE"
INTERPRETER_RE = re.compile(r"^python(\d+(\.\d+)?)?$")


@dataclass
class Outcome:
    status: str
    failure_reason: Optional[str] = None
    exit_message: Optional[str] = None


def main(argv: Optional[List[str]] = None) -> int:
    job_dir = Path((argv if argv is not None else sys.argv[1:])[0]).resolve()
    write_json(job_dir / RUNNER_RECORD, {"pid": os.getpid(), "start": start_time(os.getpid())})
    try:
        outcome = Job(job_dir).run()
    except Exception as error:  # noqa: BLE001 - the status must still end, with a reason
        traceback.print_exc()
        outcome = Outcome("Failed", f"InternalServerError: emulator error: {error}")
    finish(job_dir, outcome)
    return 0


def finish(job_dir: Path, outcome: Outcome) -> None:
    fields: Dict[str, Any] = {
        "ProcessingJobStatus": outcome.status,
        "ProcessingEndTime": time.time(),
    }
    if outcome.failure_reason:
        fields["FailureReason"] = truncate(outcome.failure_reason)
    if outcome.exit_message:
        fields["ExitMessage"] = truncate(outcome.exit_message)
    update_status(job_dir, **fields)


def truncate(text: str) -> str:
    return text.encode("utf-8")[:MAX_MESSAGE_BYTES].decode("utf-8", "ignore")


class Job:
    def __init__(self, job_dir: Path) -> None:
        self.job_dir = job_dir
        self.request = read_json(job_dir / REQUEST_FILE)
        count = self.request["ProcessingResources"]["ClusterConfig"]["InstanceCount"]
        self.instances = layout.instances(job_dir, count)
        self.logs = {i.index: LogWriter(i.log_file) for i in self.instances}
        self.grace = float(os.environ.get("AWS_SAGEMAKER_REMOTE_STOP_GRACE", DEFAULT_STOP_GRACE))
        self.s3 = None

    def run(self) -> Outcome:
        update_status(self.job_dir, ProcessingStartTime=time.time())
        try:
            return self._run()
        finally:
            channels.drop_inputs(self.request, self.instances)
            for writer in self.logs.values():
                writer.close()

    def _run(self) -> Outcome:
        if channels.inputs_of(self.request) or channels.outputs_of(self.request):
            self.s3 = runner_session().client("s3", config=_s3_config())  # boto3: ~0.3 s
        for instance in self.instances:
            layout.prepare(instance, self.request)
        try:
            channels.download_inputs(self.s3, self.request, self.instances, self._log_to)
        except channels.ChannelError as error:
            return Outcome("Failed", str(error))
        if stop_requested_at(self.job_dir) is not None:
            return Outcome("Stopped")
        try:
            python = self._interpreter()
        except Exception as error:  # noqa: BLE001 - any failure here fails the job, with it
            return Outcome("Failed", f"ClientError: requirements environment: {error}")
        workers: List[Worker] = []
        try:
            for instance in self.instances:
                workers.append(self._start(instance, python))
        except OSError as error:
            for worker in workers:
                worker.kill()
            return Outcome("Failed", f"AlgorithmError: cannot run the entrypoint: {error}")
        supervisor = Supervisor(self, workers)
        stopped = supervisor.run()
        return self._outcome(stopped, supervisor)

    # ------------------------------------------------------------------ interpreter, start

    def _interpreter(self) -> str:
        """The caller's interpreter, unless the job installs or configures anything: then a
        cached job venv, so the caller's environment is never changed."""
        environment = self.request.get("Environment", {})
        requirements = environment.get(REQUIREMENTS_VAR)
        first = self.instances[0]
        if not requirements and not self._configures(environment, first):
            return sys.executable
        path = first.path(requirements) if requirements else None
        if path is not None and not path.is_file():
            return sys.executable  # the bootstrap reports the missing file
        root = self.job_dir.parent
        python = requirements_interpreter(venvs_dir(root), path, first.root, self._runner_log)
        return str(python)

    @staticmethod
    def _configures(environment: Dict[str, str], instance: Instance) -> bool:
        """Whether a configuration script or command runs (it may `pip install`)."""
        if any(var in environment for var in CONFIGURATION_VARS):
            return True
        job_file = environment.get(JOB_FILE_VAR)
        if not job_file:
            return False
        try:
            return "configuration_command" in read_json(instance.path(job_file))
        except (OSError, ValueError):
            return False

    def _log_to(self, instance: Instance, line: str) -> None:
        self.logs[instance.index].write(f"[local emulator] {line}")

    def _runner_log(self, message: str) -> None:
        print(message, flush=True)

    def _start(self, instance: Instance, python: str) -> Worker:
        spec = self.request["AppSpecification"]
        command = [
            layout.map_argument(token, instance.root)
            for token in spec["ContainerEntrypoint"] + spec.get("ContainerArguments", [])
        ]
        command[0] = replace_interpreter(command[0], python)
        env = instance_environment(self.request, instance, python)
        return Worker(command, env, instance.root, self.logs[instance.index])

    # ------------------------------------------------------------------ outcome

    def _outcome(self, stopped: Optional[str], supervisor: Supervisor) -> Outcome:
        final_sync_error = final_continuous_sync(supervisor.uploader)
        try:
            message = exit_message(self.instances)
        except UnicodeDecodeError as error:
            return Outcome("Failed", f"ClientError: {OUTPUT_MESSAGE_FILE} is not UTF-8: {error}")
        if stopped:
            self._runner_log(stopped)
            return Outcome("Stopped", exit_message=message)
        if supervisor.first_failed is not None:
            return Outcome("Failed", ALGORITHM_ERROR, message)
        if final_sync_error:
            return Outcome("Failed", final_sync_error, message)
        try:
            channels.upload_outputs(self.s3, self.request, self.instances)
        except channels.ChannelError as error:
            return Outcome("Failed", str(error), message)
        return Outcome("Completed", exit_message=message)


class Supervisor:
    """Wait for all workers; act on stop requests, the runtime limit and Continuous outputs."""

    def __init__(self, job: Job, workers: List[Worker]) -> None:
        self.job = job
        self.workers = workers
        limit = job.request.get("StoppingCondition", {}).get("MaxRuntimeInSeconds")
        self.deadline = time.monotonic() + limit if limit else None
        self.limit = limit
        self.uploader = channels.ContinuousUploader(job.s3, job.request, job.instances)
        self.stop_reason: Optional[str] = None
        self.first_failed: Optional[int] = None  # index of the instance that failed first
        self.kill_at: Optional[float] = None

    def run(self) -> Optional[str]:
        next_sync = time.monotonic() + CONTINUOUS_SECONDS
        while any(w.poll() is None for w in self.workers):
            now = time.monotonic()
            self._check_stop(now)
            self._check_failed(now)
            if self.kill_at is not None and now >= self.kill_at:
                for worker in self.workers:
                    worker.kill()
                self.kill_at = float("inf")
            if now >= next_sync:
                self._sync()
                next_sync = now + CONTINUOUS_SECONDS
            time.sleep(POLL_SECONDS)
        self._check_failed(time.monotonic())
        for worker in self.workers:
            worker.finish()
        return self.stop_reason

    def _check_stop(self, now: float) -> None:
        if self.stop_reason is not None:
            return
        if stop_requested_at(self.job.job_dir) is not None:
            self.stop_reason = "Stopped by StopProcessingJob"
        elif self.deadline is not None and now >= self.deadline:
            self.stop_reason = f"Stopped: MaxRuntimeInSeconds ({self.limit}) exceeded"
        else:
            return
        if self.kill_at is None:
            self._terminate_all(now)

    def _check_failed(self, now: float) -> None:
        """One failed instance fails the job: end the others as a stop would."""
        if self.first_failed is not None:
            return
        for index, worker in enumerate(self.workers):
            if worker.poll() not in (None, 0):
                self.first_failed = index
                if self.kill_at is None:
                    self._terminate_all(now)
                return

    def _terminate_all(self, now: float) -> None:
        for worker in self.workers:
            worker.terminate()
        self.kill_at = now + self.job.grace

    def _sync(self) -> None:
        try:
            self.uploader.sync()
        except Exception as error:  # noqa: BLE001 - retried at the next tick and at the end
            print(f"Continuous upload failed: {error}", flush=True)


# ---------------------------------------------------------------------- helpers


def final_continuous_sync(uploader: channels.ContinuousUploader) -> Optional[str]:
    """Upload what changed since the last tick; the error message, if any."""
    try:
        uploader.sync()
    except Exception as error:  # noqa: BLE001 - becomes the job's FailureReason
        return f"ClientError: Failed to upload Continuous outputs: {error}"
    return None


def replace_interpreter(word: str, python: str) -> str:
    """`python3` / `python` / `/usr/bin/python3.11` -> the emulator's interpreter."""
    return python if INTERPRETER_RE.match(os.path.basename(word)) else word


def instance_environment(
    request: Dict[str, Any], instance: Instance, python: str
) -> Dict[str, str]:
    """A minimal base of the caller's environment (jobenv.py: no credentials unless the caller
    opts in) plus the request's Environment, container paths remapped."""
    env = script_base(os.environ, instance.root)
    for key, value in request.get("Environment", {}).items():
        env[key] = layout.map_env_value(value, instance.root)
    if PYTHON_VAR in env:
        words = env[PYTHON_VAR].split(" ", 1)
        env[PYTHON_VAR] = " ".join([replace_interpreter(words[0], python), *words[1:]])
    bin_dir = os.path.dirname(python)
    env["PATH"] = os.pathsep.join([bin_dir, env.get("PATH", os.defpath)])
    if python != sys.executable:
        env["VIRTUAL_ENV"] = os.path.dirname(bin_dir)
    env[layout.PATH_MAP_VAR] = instance.path_map
    return env


def exit_message(instances: List[Instance]) -> Optional[str]:
    """The first 1 KB of each instance's message file, concatenated, truncated to 1 KB.
    Raises UnicodeDecodeError when a file is not UTF-8."""
    parts = []
    for instance in instances:
        try:
            data = instance.path(OUTPUT_MESSAGE_FILE).read_bytes()
        except OSError:
            continue
        data.decode("utf-8")  # the whole file must be UTF-8, not only its first KB
        parts.append(data[:MAX_MESSAGE_BYTES].decode("utf-8", "ignore"))
    return truncate("".join(parts)) or None


def runner_session():
    """The caller's session, as the caller made it: an explicit profile also makes botocore
    ignore credentials in the environment, so it is passed on as the caller gave it."""
    from ...aws.session import make_session

    return make_session(os.environ.get(RUNNER_PROFILE_VAR) or None, None)


def _s3_config():
    from ...s3.clients import client_config

    return client_config()


if __name__ == "__main__":
    sys.exit(main())
