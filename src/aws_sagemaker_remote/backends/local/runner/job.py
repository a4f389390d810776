"""The detached process that runs one emulated job: `python -m ...runner JOB_DIR`.

Steps, for a job of any kind: lay out each instance, download the input channels, make the
job's environment (environments/: the image's Python and packages plus the requirements, one
fresh environment per instance) and its GPU facts, start every instance, supervise (stop requests,
runtime limits, what the kind syncs while it runs), then let the kind end the job: its uploads,
its final status (the kind's Life, life.py: runner/processing.py, runner/training/). A job on
managed spot capacity may be interrupted (`LocalBackend.interrupt_job`): its instances are
killed and it starts again on new ones.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import time
import traceback
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from ....container import protocol
from ....kinds import home, kind_of
from ....paths import venvs_dir
from ....procs import start_time
from ..handoff import RUNNER_S3_DIR_VAR
from ..logfile import LogWriter
from ..s3endpoint import S3ServerInfo, runner_s3
from ..store import (
    DISK_RESERVE,
    REQUEST_FILE,
    RUNNER_RECORD,
    read_json,
    stop_requested_at,
    write_json,
)
from . import channels
from .environments import BuildError, JobEnvironment, prepare
from .gpus import gpu_facts
from .instance import Instance, instances, map_argument, map_env_value
from .jobenv import script_base
from .life import Life, Outcome, Stop
from .workers import Worker

POLL_SECONDS = 0.1
SYNC_SECONDS = 1.0
RESERVE_BYTES = 64 * 1024  # a final status.json and its temporary copy, many times over
INTERPRETER_RE = re.compile(r"^python(\d+(\.\d+)?)?$")


def main(argv: Optional[List[str]] = None) -> int:
    job_dir = Path((argv if argv is not None else sys.argv[1:])[0]).resolve()
    write_json(job_dir / RUNNER_RECORD, {"pid": os.getpid(), "start": start_time(os.getpid())})
    reserve_space(job_dir)
    job = Job(job_dir)
    try:
        outcome = job.run()
    except Exception as error:  # noqa: BLE001 - the status must still end, with a reason
        traceback.print_exc()
        outcome = Outcome("Failed", f"InternalServerError: emulator error: {error}")
    release_space(job_dir)
    job.life.finish(outcome)
    return 0


class Job:
    def __init__(self, job_dir: Path) -> None:
        self.job_dir = job_dir
        self.request = read_json(job_dir / REQUEST_FILE)
        self.kind = kind_of(self.request)
        self.instances = instances(job_dir, self.kind.instance_count(self.request))
        self.channels = self.kind.channels(self.request)
        self.logs = {i.index: LogWriter(i.log_file) for i in self.instances}
        self.s3 = None
        self.s3_server = None  # the embedded S3 server the caller chose (s3endpoint.py)
        self.environment: Optional[JobEnvironment] = None
        self.gpu_variables: Dict[str, str] = {}
        self.life: Life = home(__package__, self.kind).life(self)

    def run(self) -> Outcome:
        self.life.started()
        try:
            return self._run()
        finally:
            channels.drop_inputs(self.channels, self.instances)
            if self.environment is not None:
                self.environment.close()
            for writer in self.logs.values():
                writer.close()

    def _run(self) -> Outcome:
        if self.life.needs_s3() or os.environ.get(RUNNER_S3_DIR_VAR):
            self.s3, self.s3_server, _ = runner_s3(os.environ)  # boto3: ~0.3 s
        while True:
            outcome, supervisor = self._attempt()
            if outcome is not None:
                return outcome
            if supervisor.log_error is not None:
                return Outcome("Failed", supervisor.log_error)
            if not supervisor.interrupted:
                return self.life.outcome(supervisor.stop, supervisor)
            self.life.interrupted()
            for instance in self.instances:  # a reclaimed instance is gone with its disk
                channels.remove_tree(instance.root)

    def _attempt(self) -> Tuple[Optional[Outcome], Optional[Supervisor]]:
        """Run the instances once: (an outcome reached before they ran, or their supervisor)."""
        for instance in self.instances:
            self.life.prepare(instance)
        self.life.downloading()
        try:
            channels.download_inputs(
                self.s3, self.channels, self.instances, self._log_to, self.life.noun
            )
            self.life.restore()
        except channels.ChannelError as error:
            return self.life.failed_early(str(error)), None
        if stop_requested_at(self.job_dir) is not None:
            return self.life.outcome(Stop("Stopped", "stopped before it ran"), None), None
        try:
            environment = self._environment()
        except BuildError as error:
            return self.life.failed_early(f"ClientError: job environment: {error}"), None
        except OSError as error:  # a full or read-only disk: name the folder, as AWS names none
            where, why = venvs_dir(self.job_dir.parent), error.strerror or error
            reason = f"InternalServerError: cannot build the job's environment in {where}: {why}"
            return self.life.failed_early(reason), None
        except Exception as error:  # noqa: BLE001 - any failure here fails the job, with it
            traceback.print_exc()
            return self.life.failed_early(f"InternalServerError: job environment: {error}"), None
        workers: List[Worker] = []
        try:
            for instance in self.instances:
                workers.append(self._start(instance, environment.python_for(instance)))
        except OSError as error:
            for worker in workers:
                worker.kill()
            reason = f"AlgorithmError: cannot run the entrypoint: {error}"
            return self.life.failed_early(reason), None
        self.life.running()
        supervisor = Supervisor(self, workers)
        supervisor.run()
        return None, supervisor

    # ------------------------------------------------------------------ interpreter, start

    def _environment(self) -> JobEnvironment:
        """Made once per job (a spot restart keeps it; each new instance gets a fresh one of
        its own from `python_for`), after the code is downloaded: what it imports counts."""
        if self.environment is None:
            first = self.instances[0]
            app = self.kind.app(self.request)
            entry = [map_argument(t, first.root) for t in app.entrypoint + (app.arguments or [])]
            self.environment = prepare(
                self.job_dir,
                venvs_dir(self.job_dir.parent),
                app.image,
                self.request.get("Environment", {}),
                entry,
                first,
                self._log_all,
            )
            self._gpu_facts()
        return self.environment

    def _gpu_facts(self) -> None:
        facts = gpu_facts(self.kind.cluster(self.request).get("InstanceType", ""))
        if facts.warning:
            self._log_all(facts.warning)
        self.gpu_variables = facts.variables

    def _log_all(self, line: str) -> None:
        for instance in self.instances:
            self._log_to(instance, line)

    def _log_to(self, instance: Instance, line: str) -> None:
        self.logs[instance.index].write(f"[local emulator] {line}")

    def _start(self, instance: Instance, python: str) -> Worker:
        app = self.kind.app(self.request)
        command = [map_argument(t, instance.root) for t in app.entrypoint + (app.arguments or [])]
        command[0] = replace_interpreter(command[0], python)
        env = instance_environment(
            self.request, instance, python, self.gpu_variables, self.s3_server
        )
        env.update(self.life.environment())
        return Worker(command, env, instance.root, self.logs[instance.index])


class Supervisor:
    """Wait for all workers; act on stop requests, the runtime limits, a spot interruption,
    and give the kind its periodic sync."""

    def __init__(self, job: Job, workers: List[Worker]) -> None:
        self.job = job
        self.workers = workers
        self.deadlines = job.life.deadlines()
        self.stop: Optional[Stop] = None
        self.interrupted = False
        self.first_failed: Optional[int] = None  # index of the instance that failed first
        self.log_error: Optional[str] = None  # an instance's output could not be logged
        self.kill_at: Optional[float] = None

    def run(self) -> None:
        next_sync = time.monotonic() + SYNC_SECONDS
        while any(w.poll() is None for w in self.workers):
            now = time.monotonic()
            self._check_interrupt()
            self._check_stop(now)
            self._check_failed(now)
            self._check_logs(now)
            if self.kill_at is not None and now >= self.kill_at:
                for worker in self.workers:
                    worker.kill()
                self.kill_at = float("inf")
            if now >= next_sync:
                self.job.life.sync()
                next_sync = now + SYNC_SECONDS
            time.sleep(POLL_SECONDS)
        self._check_failed(time.monotonic())
        for worker in self.workers:
            worker.finish()

    def _check_interrupt(self) -> None:
        if self.interrupted or self.stop is not None or not self.job.life.interruption():
            return
        self.interrupted = True
        for worker in self.workers:
            worker.kill()  # a reclaimed instance ends at once

    def _check_stop(self, now: float) -> None:
        if self.stop is not None or self.interrupted:
            return
        if stop_requested_at(self.job.job_dir) is not None:
            self.stop = Stop("Stopped", f"Stopped by {self.job.kind.api_operation('Stop')}")
        else:
            due = [(deadline, stop) for deadline, stop in self.deadlines if now >= deadline]
            if not due:
                return
            self.stop = min(due, key=lambda item: item[0])[1]  # the limit reached first
        self.job.life.stopping()
        if self.kill_at is None:
            self._terminate_all(now)

    def _check_failed(self, now: float) -> None:
        """One failed instance fails the job: end the others as a stop would."""
        if self.first_failed is not None or self.interrupted:
            return
        for index, worker in enumerate(self.workers):
            if worker.poll() not in (None, 0):
                self.first_failed = index
                if self.kill_at is None:
                    self._terminate_all(now)
                return

    def _check_logs(self, now: float) -> None:
        """A log that cannot be written (the emulator's disk is full) fails the job at once:
        the instances are ended as a stop would end them."""
        if self.log_error is not None:
            return
        for worker in self.workers:
            if worker.log_error is not None:
                self.log_error = worker.log_error
                if self.kill_at is None:
                    self._terminate_all(now)
                return

    def _terminate_all(self, now: float) -> None:
        for worker in self.workers:
            worker.terminate()
        self.kill_at = now + self.job.life.grace()


# ---------------------------------------------------------------------- helpers


def reserve_space(job_dir: Path) -> None:
    """Room for the final status on a disk the job may fill: a file released before it is
    written (release_space)."""
    with contextlib.suppress(OSError), open(job_dir / DISK_RESERVE, "wb") as reserve:
        reserve.write(bytes(RESERVE_BYTES))


def release_space(job_dir: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(job_dir / DISK_RESERVE)


def replace_interpreter(word: str, python: str) -> str:
    """`python3` / `python` / `/usr/bin/python3.11` -> the emulator's interpreter."""
    return python if INTERPRETER_RE.match(os.path.basename(word)) else word


def container_interpreter(word: str, python: str) -> str:
    """The interpreter command the bootstrap runs the script with: a bare name the job's
    environment has (`python3`) stays as the image has it (its folder comes first on PATH, and
    the bootstrap's lines show `python3`, as on AWS); any other interpreter is replaced."""
    if os.sep not in word and os.path.exists(os.path.join(os.path.dirname(python), word)):
        return word
    return replace_interpreter(word, python)


def instance_environment(
    request: Dict,
    instance: Instance,
    python: str,
    platform: Optional[Dict[str, str]] = None,
    s3_server: Optional[S3ServerInfo] = None,
) -> Dict[str, str]:
    """A minimal base of the caller's environment (jobenv.py: no credentials unless the caller
    opts in), what the platform sets (`platform`: the instance's GPUs), then the request's
    Environment, container paths remapped."""
    env = script_base(os.environ, instance.root, s3_server)
    env.update(platform or {})
    for key, value in request.get("Environment", {}).items():
        env[key] = map_env_value(value, instance.root)
    if protocol.PYTHON in env:
        words = env[protocol.PYTHON].split(" ", 1)
        env[protocol.PYTHON] = " ".join([container_interpreter(words[0], python), *words[1:]])
    bin_dir = os.path.dirname(python)
    env["PATH"] = os.pathsep.join([bin_dir, env.get("PATH", os.defpath)])
    if python != sys.executable:
        env["VIRTUAL_ENV"] = os.path.dirname(bin_dir)
    env[protocol.PATH_MAP] = instance.path_map
    return env
