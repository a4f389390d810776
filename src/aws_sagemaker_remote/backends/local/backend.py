"""The dockerless emulator behind the boto3 SageMaker client's processing-job methods."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional

from ...contract import TERMINAL_STATES as TERMINAL
from ...procs import same_process
from ..base import Backend
from .awserror import job_not_found, validation_error
from .jobenv import RUNNER_PROFILE_VAR
from .logs import LocalLogs
from .store import (
    RUNNER_LOG,
    RUNNER_PID,
    RUNNER_RECORD,
    JobStore,
    job_arn,
    read_json,
    update_status,
)
from .validation import (
    output_members,
    validate_create_request,
    validate_job_name,
    validate_params,
)

TIME_FIELDS = ("CreationTime", "ProcessingStartTime", "ProcessingEndTime", "LastModifiedTime")
SUMMARY_FIELDS = (
    "ProcessingJobName",
    "ProcessingJobArn",
    "CreationTime",
    "ProcessingEndTime",
    "LastModifiedTime",
    "ProcessingJobStatus",
    "FailureReason",
    "ExitMessage",
)
DEFAULT_MAX_RESULTS = 10


class LocalBackend(Backend):
    name = "local"
    # Logs and status are local files: the watcher can look often (AWS needs a gentler pace).
    poll_seconds = 0.05
    max_poll_seconds = 0.2

    def __init__(
        self, root: Optional[Path] = None, region: str = "us-east-1", profile: Optional[str] = None
    ) -> None:
        self.store = JobStore(root)
        self.region = region
        self.profile = profile
        self._logs = LocalLogs(self.store, region)
        self._s3 = None

    @property
    def root(self) -> Path:
        return self.store.root

    @property
    def logs(self) -> LocalLogs:
        return self._logs

    @property
    def s3(self):
        """An S3 client of the profile's session (AWS_ENDPOINT_URL_S3 is honoured by boto3)."""
        if self._s3 is None:
            from ...aws.session import make_session
            from ...s3.clients import client_config

            session = make_session(self.profile, self.region)
            self._s3 = session.client("s3", config=client_config())
        return self._s3

    def job_dir(self, name: str) -> Path:
        return self.store.job_dir(name)

    # ------------------------------------------------------------------ create

    def create_processing_job(self, **request: Any) -> Dict[str, Any]:
        validate_create_request(request)
        name = request["ProcessingJobName"]
        arn = job_arn(self.region, name)
        now = time.time()
        status = {
            "ProcessingJobArn": arn,
            "ProcessingJobStatus": "InProgress",
            "CreationTime": now,
            "LastModifiedTime": now,
        }
        try:
            job_dir = self.store.create(name, request, status)
        except FileExistsError:
            raise validation_error(
                "CreateProcessingJob",
                "Job name must be unique within an AWS account and region, and a job with "
                f"this name already exists ({arn})",
            ) from None
        try:
            self._spawn_runner(job_dir)
        except BaseException as error:  # no runner: the job must not stay InProgress
            update_status(
                job_dir,
                ProcessingJobStatus="Failed",
                FailureReason=f"InternalServerError: the job runner could not start: {error}",
                ProcessingEndTime=time.time(),
            )
            raise
        return {"ProcessingJobArn": arn, "ResponseMetadata": _metadata()}

    def _spawn_runner(self, job_dir: Path) -> None:
        env = dict(os.environ)
        env["AWS_DEFAULT_REGION"] = env["AWS_REGION"] = self.region
        if self.profile:  # the runner's session is made as the caller's is (runner_session)
            env[RUNNER_PROFILE_VAR] = self.profile
        package_root = str(Path(__file__).resolve().parents[3])  # importable however installed
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        command = [sys.executable, "-m", "aws_sagemaker_remote.backends.local.runner", str(job_dir)]
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

    def _existing_job(self, op: str, kwargs: Dict[str, Any]) -> str:
        """The job name of a describe/stop call, checked as AWS checks it."""
        validate_params(op, kwargs)
        name = kwargs["ProcessingJobName"]
        validate_job_name(op, name)
        if not self.store.exists(name):
            raise job_not_found(op, name)
        return name

    def describe_processing_job(self, **kwargs: Any) -> Dict[str, Any]:
        op = "DescribeProcessingJob"
        name = self._existing_job(op, kwargs)
        allowed = set(output_members(op))
        request = {k: v for k, v in self.store.request(name).items() if k in allowed}
        response = {**request, **self._status(name)}
        response["ResponseMetadata"] = _metadata()
        return response

    def _status(self, name: str) -> Dict[str, Any]:
        status = self.store.status(name)
        if status["ProcessingJobStatus"] not in TERMINAL and not self._runner_alive(name):
            status = self.store.status(name)  # it may have finished since the first read
            if status["ProcessingJobStatus"] not in TERMINAL:
                status["ProcessingJobStatus"] = "Failed"
                status["FailureReason"] = (
                    "InternalServerError: the emulator's job runner ended unexpectedly "
                    f"(see {self.job_dir(name) / RUNNER_LOG})"
                )
        stop_time = self.store.stop_requested_at(name)
        if status["ProcessingJobStatus"] == "InProgress" and stop_time is not None:
            status["ProcessingJobStatus"] = "Stopping"
            status["LastModifiedTime"] = max(status["LastModifiedTime"], stop_time)
        status["ProcessingJobName"] = name
        for field in TIME_FIELDS:
            if field in status:
                status[field] = datetime.fromtimestamp(status[field], timezone.utc)
        return status

    def _runner_alive(self, name: str) -> bool:
        return runner_alive(self.job_dir(name))

    def list_processing_jobs(self, **kwargs: Any) -> Dict[str, Any]:
        validate_params("ListProcessingJobs", kwargs)
        jobs = [self._status(name) for name in self.store.names()]
        jobs = [job for job in jobs if _matches(job, kwargs)]
        sort_by = {"Name": "ProcessingJobName", "Status": "ProcessingJobStatus"}.get(
            kwargs.get("SortBy", "CreationTime"), "CreationTime"
        )
        descending = kwargs.get("SortOrder", "Descending") == "Descending"
        jobs.sort(key=lambda job: job[sort_by], reverse=descending)
        start = _start_index(kwargs.get("NextToken"))
        size = kwargs.get("MaxResults", DEFAULT_MAX_RESULTS)
        page = jobs[start : start + size]
        response: Dict[str, Any] = {
            "ProcessingJobSummaries": [
                {k: job[k] for k in SUMMARY_FIELDS if k in job} for job in page
            ],
            "ResponseMetadata": _metadata(),
        }
        if start + size < len(jobs):
            response["NextToken"] = str(start + size)
        return response

    # ------------------------------------------------------------------ stop

    def stop_processing_job(self, **kwargs: Any) -> Dict[str, Any]:
        op = "StopProcessingJob"
        name = self._existing_job(op, kwargs)
        status = self._status(name)["ProcessingJobStatus"]
        if status in TERMINAL:
            raise validation_error(
                op, f"The processing job {name} is in status {status} and cannot be stopped"
            )
        self.store.request_stop(name)
        return {"ResponseMetadata": _metadata()}

    # ------------------------------------------------------------------ tags

    # ------------------------------------------------------------------ training

    def create_training_job(self, **_request: Any) -> Dict[str, Any]:
        raise validation_error("CreateTrainingJob", "local emulator: training jobs come next")

    def describe_training_job(self, **kwargs: Any) -> Dict[str, Any]:
        raise job_not_found("DescribeTrainingJob", str(kwargs.get("TrainingJobName")))

    def list_training_jobs(self, **kwargs: Any) -> Dict[str, Any]:
        validate_params("ListTrainingJobs", kwargs)
        return {"TrainingJobSummaries": [], "ResponseMetadata": _metadata()}

    def stop_training_job(self, **kwargs: Any) -> Dict[str, Any]:
        raise job_not_found("StopTrainingJob", str(kwargs.get("TrainingJobName")))

    def list_tags(self, ResourceArn: str) -> List[Dict[str, str]]:  # noqa: N803
        """The request's Tags (this emulator keeps them with the request, as AWS keeps them)."""
        validate_params("ListTags", {"ResourceArn": ResourceArn})
        name = ResourceArn.rsplit("/", 1)[-1]
        if ResourceArn != job_arn(self.region, name) or not self.store.exists(name):
            raise validation_error("ListTags", f"Resource {ResourceArn} was not found")
        return list(self.store.request(name).get("Tags", []))


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


def _metadata() -> Dict[str, Any]:
    return {"RequestId": str(uuid.uuid4()), "HTTPStatusCode": 200, "RetryAttempts": 0}


def _matches(job: Dict[str, Any], kwargs: Dict[str, Any]) -> bool:
    if kwargs.get("NameContains", "") not in job["ProcessingJobName"]:
        return False
    if kwargs.get("StatusEquals", job["ProcessingJobStatus"]) != job["ProcessingJobStatus"]:
        return False
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


def _start_index(token: Optional[str]) -> int:
    if token is None:
        return 0
    if not token.isdigit():
        raise validation_error("ListProcessingJobs", "The NextToken is not valid.")
    return int(token)


__all__: List[str] = ["LocalBackend"]
