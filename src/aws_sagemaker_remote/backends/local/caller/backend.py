"""The dockerless emulator's caller side: the Backend that creates, describes, lists, stops and
interrupts emulated jobs of every kind, each kind's jobs under their own names as on AWS
(store.kind_root), and starts a detached runner per job (runner/)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional

from ....contract import RERUN_TAG, is_job_name
from ....contract import TERMINAL_STATES as TERMINAL
from ....kinds import KINDS, JobKind, home
from ....procs import same_process
from ...base import Backend
from ..handoff import (
    EMULATION_FILE,
    RUNNER_MODULE,
    RUNNER_PROFILE_VAR,
    RUNNER_S3_DIR_VAR,
    Emulation,
)
from ..store import (
    LOGS_DIR,
    RUNNER_LOG,
    RUNNER_PID,
    RUNNER_RECORD,
    JobStore,
    job_arn,
    kind_root,
    read_json,
    update_status,
)
from .awserror import client_error, job_not_found, validation_error
from .emulated import EmulatedKind
from .logs import LocalLogs
from .validation import (
    output_members,
    validate_create_request,
    validate_job_name,
    validate_params,
)

DEFAULT_MAX_RESULTS = 10
# Timestamps inside list members of a training job's status.
NESTED_TIMES = {
    "SecondaryStatusTransitions": ("StartTime", "EndTime"),
    "FinalMetricDataList": ("Timestamp",),
}


class LocalBackend(Backend):
    name = "local"
    # Logs and status are local files: the watcher can look often (AWS needs a gentler pace).
    poll_seconds = 0.05
    max_poll_seconds = 0.2

    interrupts = True

    def __init__(
        self,
        root: Optional[Path] = None,
        region: str = "us-east-1",
        profile: Optional[str] = None,
        emulation: Optional[Emulation] = None,
    ) -> None:
        """`emulation`: how this backend's jobs are run beyond their requests (handoff.py); None
        for the defaults, or, for a rerun (its `RerunOf` tag), the first run's settings."""
        super().__init__(s3=self._make_s3_client, logs=lambda: LocalLogs(self._stores, region))
        self.store = JobStore(root)  # the first kind's jobs; each other's beside them
        self._stores = {
            kind.name: JobStore(kind_root(self.store.root, emulated(kind).jobs_folder))
            for kind in KINDS.values()
        }
        self.region = region
        self.profile = profile
        self._s3_server_dir: Optional[Path] = None
        self.emulation = emulation

    @property
    def root(self) -> Path:
        return self.store.root

    def _make_s3_client(self) -> Any:
        """The caller's own S3 endpoint, else the embedded server `aws-sagemaker-remote s3
        start` runs (s3endpoint.py: checked as it is made; one line when there is none)."""
        from ..s3endpoint import emulator_s3

        chosen = emulator_s3(self.profile, self.region)
        self._s3_server_dir = chosen.server_dir
        return chosen.client

    def job_dir(self, kind: JobKind, name: str) -> Path:
        return self._stores[kind.name].job_dir(name)

    def job_names(self, kind: JobKind) -> List[str]:
        """The names of the kind's jobs, read from their folders (emulator only)."""
        return sorted(self._stores[kind.name].names())

    # ------------------------------------------------------------------ the operations

    def create_job(self, kind: JobKind, request: Dict[str, Any]) -> Dict[str, Any]:
        return self._create(kind, request)

    def describe_job(self, kind: JobKind, name: str) -> Dict[str, Any]:
        return self._describe(kind, {kind.field("Name"): name})

    def list_jobs(self, kind: JobKind, **kwargs: Any) -> Dict[str, Any]:
        return self._list(kind, kwargs)

    def stop_job(self, kind: JobKind, name: str) -> Dict[str, Any]:
        return self._stop(kind, {kind.field("Name"): name})

    def interrupt_job(self, kind: JobKind, name: str) -> Dict[str, Any]:
        """Emulator only (no such AWS operation): reclaim the instances of a running managed
        spot training job, as EC2 does when it takes Spot capacity back. The runner kills them,
        syncs the checkpoints and restarts the job on new instances."""
        operation = f"Interrupt{kind.title}Job"
        name = self._existing_job(kind, kind.api_operation("Stop"), {kind.field("Name"): name})
        store = self._stores[kind.name]
        if not kind.spot(store.request(name)):
            raise validation_error(
                operation, f"The {kind.name} job {name} is not a managed spot job"
            )
        status = self._status(kind, name)[kind.field("Status")]
        if status != "InProgress":
            raise validation_error(operation, f"The {kind.name} job {name} is in status {status}")
        store.request_interrupt(name)
        return {"ResponseMetadata": _metadata()}

    # ------------------------------------------------------------------ create

    def _create(self, kind: JobKind, request: Dict[str, Any]) -> Dict[str, Any]:
        operation = kind.api_operation("Create")
        validate_create_request(kind, request)
        name = request[kind.field("Name")]
        arn = job_arn(self.region, name, kind)
        emulated(kind).before_create(self.s3, request, self.region)
        status = emulated(kind).initial_status(arn, time.time())
        emulation = {EMULATION_FILE: self._emulation_of(kind, request).as_json()}
        try:
            job_dir = self._stores[kind.name].create(name, request, status, emulation)
        except FileExistsError:
            raise validation_error(
                operation,
                "Job name must be unique within an AWS account and region, and a job with "
                f"this name already exists ({arn})",
            ) from None
        except OSError as error:  # the emulator's home is full or not writable: no job made
            raise client_error(
                operation,
                "InternalFailure",
                f"emulator error: cannot store the job in {self._stores[kind.name].root}: "
                f"{error.strerror or error}",
                500,
            ) from None
        try:
            self._spawn_runner(job_dir)
        except BaseException as error:  # no runner: the job must not stay InProgress
            update_status(
                job_dir,
                **{kind.field("Status"): "Failed", kind.end_field(): time.time()},
                FailureReason=f"InternalServerError: the job runner could not start: {error}",
            )
            raise
        return {kind.field("Arn"): arn, "ResponseMetadata": _metadata()}

    def _emulation_of(self, kind: JobKind, request: Dict[str, Any]) -> Emulation:
        if self.emulation is not None:
            return self.emulation
        store = self._stores[kind.name]
        for tag in request.get("Tags", []):
            first = tag.get("Value", "")
            if tag.get("Key") == RERUN_TAG and is_job_name(first) and store.exists(first):
                # a rerun has no pre-flight: its job's log says what the first run's did
                return replace(Emulation.read(store.job_dir(first)), image_warned=False)
        return Emulation()

    def _spawn_runner(self, job_dir: Path) -> None:
        env = dict(os.environ)
        env["AWS_DEFAULT_REGION"] = env["AWS_REGION"] = self.region
        if self.profile:  # the runner's session is made as the caller's is (s3endpoint.py)
            env[RUNNER_PROFILE_VAR] = self.profile
        # The S3 the caller chose (asking for self.s3 makes the choice if nothing has yet).
        if self.s3 is not None and self._s3_server_dir is not None:
            env[RUNNER_S3_DIR_VAR] = str(self._s3_server_dir)
        package_root = str(Path(__file__).resolve().parents[4])  # importable however installed
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        command = [sys.executable, "-m", RUNNER_MODULE, str(job_dir)]
        with open(job_dir / RUNNER_LOG, "ab") as log:
            process = subprocess.Popen(
                command,
                cwd=str(job_dir),
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # survives the caller, and the caller's Ctrl-C
            )
        (job_dir / RUNNER_PID).write_text(str(process.pid), encoding="utf-8")
        # Reap it when it ends while we are still alive (no zombie, no ResourceWarning).
        threading.Thread(target=process.wait, daemon=True).start()

    # ------------------------------------------------------------------ describe / list

    def _existing_job(self, kind: JobKind, op: str, kwargs: Dict[str, Any]) -> str:
        """The job name of a describe/stop call, checked as AWS checks it."""
        validate_params(op, kwargs)
        name = kwargs[kind.field("Name")]
        validate_job_name(op, name, kind)
        if not self._stores[kind.name].exists(name):
            raise job_not_found(op, name)
        return name

    def _describe(self, kind: JobKind, kwargs: Dict[str, Any]) -> Dict[str, Any]:
        op = kind.api_operation("Describe")
        name = self._existing_job(kind, op, kwargs)
        allowed = set(output_members(op))
        stored = self._stores[kind.name].request(name)
        request = {k: v for k, v in stored.items() if k in allowed}
        response = {**request, **emulated(kind).described(stored), **self._status(kind, name)}
        response["ResponseMetadata"] = _metadata()
        return response

    def _status(self, kind: JobKind, name: str) -> Dict[str, Any]:
        view, store = emulated(kind), self._stores[kind.name]
        field = view.status_field
        status = store.status(name)
        if status[field] not in TERMINAL and not runner_alive(store.job_dir(name)):
            status = store.status(name)  # it may have finished since the first read
            if status[field] not in TERMINAL:
                view.lost(
                    status,
                    "InternalServerError: the emulator's job runner ended unexpectedly "
                    f"(see {store.job_dir(name) / RUNNER_LOG})",
                    last_sign_of_life(store.job_dir(name), status["LastModifiedTime"]),
                )
        stop_time = store.stop_requested_at(name)
        if status[field] == "InProgress" and stop_time is not None:
            view.stopping(status)
            status["LastModifiedTime"] = max(status["LastModifiedTime"], stop_time)
        status[kind.field("Name")] = name
        return as_datetimes(status, kind.time_fields())

    def _list(self, kind: JobKind, kwargs: Dict[str, Any]) -> Dict[str, Any]:
        op = kind.api_operation("List")
        validate_params(op, kwargs)
        view = emulated(kind)
        jobs = [self._status(kind, name) for name in self._stores[kind.name].names()]
        jobs = [job for job in jobs if _matches(kind, job, kwargs, emulated(kind))]
        sort_by = {"Name": kind.field("Name"), "Status": view.status_field}.get(
            kwargs.get("SortBy", "CreationTime"), "CreationTime"
        )
        descending = kwargs.get("SortOrder", "Descending") == "Descending"
        jobs.sort(key=lambda job: job[sort_by], reverse=descending)
        start = _start_index(op, kwargs.get("NextToken"))
        size = kwargs.get("MaxResults", DEFAULT_MAX_RESULTS)
        page = jobs[start : start + size]
        response: Dict[str, Any] = {
            kind.field("Summaries"): [
                {k: job[k] for k in view.summary_fields if k in job} for job in page
            ],
            "ResponseMetadata": _metadata(),
        }
        if start + size < len(jobs):
            response["NextToken"] = str(start + size)
        return response

    # ------------------------------------------------------------------ stop

    def _stop(self, kind: JobKind, kwargs: Dict[str, Any]) -> Dict[str, Any]:
        op = kind.api_operation("Stop")
        name = self._existing_job(kind, op, kwargs)
        status = self._status(kind, name)[kind.field("Status")]
        if status in TERMINAL:
            raise validation_error(
                op, f"The {kind.name} job {name} is in status {status} and cannot be stopped"
            )
        self._stores[kind.name].request_stop(name)
        return {"ResponseMetadata": _metadata()}

    # ------------------------------------------------------------------ tags

    def list_tags(self, ResourceArn: str) -> List[Dict[str, str]]:  # noqa: N803
        """The request's Tags (this emulator keeps them with the request, as AWS keeps them)."""
        validate_params("ListTags", {"ResourceArn": ResourceArn})
        name = ResourceArn.rsplit("/", 1)[-1]
        for kind in KINDS.values():
            store = self._stores[kind.name]
            if ResourceArn == job_arn(self.region, name, kind) and store.exists(name):
                return list(store.request(name).get("Tags", []))
        raise validation_error("ListTags", f"Resource {ResourceArn} was not found")


def emulated(kind: JobKind) -> EmulatedKind:
    """What the emulator's caller side knows of `kind` (caller/<kind>.py)."""
    return home(__package__, kind).EMULATED


def runner_alive(job_dir: Path) -> bool:
    """Whether the job's runner still runs. Once started it records its own pid and start time
    (so a recycled pid is told apart); until then, the pid its creator spawned is checked."""
    try:
        record = read_json(job_dir / RUNNER_RECORD)
        return same_process(int(record["pid"]), record.get("start"))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    try:
        pid = int((job_dir / RUNNER_PID).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True  # create is still spawning it
    return same_process(pid, None) or (job_dir / RUNNER_RECORD).exists()


def last_sign_of_life(job_dir: Path, last_status: float) -> float:
    """When a runner that died was last seen at work: the latest of its last status, its own
    log and record, and the job's logs. It does not move once the runner is gone, so each
    describe of the lost job shows the same end time and Duration."""
    paths = [job_dir / RUNNER_LOG, job_dir / RUNNER_RECORD, *(job_dir / LOGS_DIR).glob("*")]
    times = [last_status]
    for path in paths:
        with contextlib.suppress(OSError):
            times.append(path.stat().st_mtime)
    return max(times)


def _metadata() -> Dict[str, Any]:
    return {"RequestId": str(uuid.uuid4()), "HTTPStatusCode": 200, "RetryAttempts": 0}


def as_datetimes(status: Dict[str, Any], fields) -> Dict[str, Any]:
    """Epoch seconds as stored -> the datetimes boto3 returns, nested ones included."""
    for field in fields:
        if field in status:
            status[field] = _datetime(status[field])
    for field, names in NESTED_TIMES.items():
        for item in status.get(field, []):
            for name in names:
                if name in item:
                    item[name] = _datetime(item[name])
    return status


def _datetime(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, timezone.utc)


def _matches(
    kind: JobKind, job: Dict[str, Any], kwargs: Dict[str, Any], known: EmulatedKind
) -> bool:
    if kwargs.get("NameContains", "") not in job[kind.field("Name")]:
        return False
    status = job[kind.field("Status")]
    if kwargs.get("StatusEquals", status) != status:
        return False
    if any(key in kwargs for key in known.unmatched_filters):
        return False  # filters on what the emulator never has
    for key, field, after in (
        ("CreationTimeAfter", "CreationTime", True),
        ("CreationTimeBefore", "CreationTime", False),
        ("LastModifiedTimeAfter", "LastModifiedTime", True),
        ("LastModifiedTimeBefore", "LastModifiedTime", False),
    ):
        if key in kwargs:
            bound = _epoch(kwargs[key])
            value = job[field].timestamp()
            if (value <= bound) if after else (value >= bound):
                return False
    return True


def _epoch(value: Any) -> float:
    """A Timestamp parameter as botocore accepts it: datetime, ISO 8601 string or epoch."""
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    return float(value)


def _start_index(op: str, token: Optional[str]) -> int:
    if token is None:
        return 0
    if not token.isdigit():
        raise validation_error(op, "The NextToken is not valid.")
    return int(token)


__all__: List[str] = ["LocalBackend"]
