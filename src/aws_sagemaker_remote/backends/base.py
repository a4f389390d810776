"""The backend interface: what the pipeline, the watcher and the job CLI may call.

Five operations, each on a job kind's API (kinds.JobKind), with the boto3 SageMaker client's
request and response shapes: `create_job`, `describe_job`, `list_jobs`, `stop_job`, and
`list_tags` (of any job's ARN). A backend is given its two other clients: `s3` (a boto3 S3
client) and `logs` (the CloudWatch Logs client's `describe_log_streams` / `get_log_events`, or
one that answers like it), made on first use.

What only some backends have is declared here with what a backend without it does, and read
as declared (never probed): the watcher's polling pace, the emulator's job folder (`job_dir`),
taking a running spot job's instances back (`interrupts`, `interrupt_job`), and the AWS
profile its calls use (`profile`, for the job commands it prints).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from ..kinds import JobKind


class Backend(ABC):
    name: str = ""
    region: str = ""
    profile: Optional[str] = None  # the AWS profile of its session (None: the default chain)
    # How often the watcher looks while nothing happens, and its back-off ceiling.
    poll_seconds: float = 2.0
    max_poll_seconds: float = 30.0
    # Whether `interrupt_job` reclaims a running managed spot job's instances.
    interrupts: bool = False

    def __init__(self, s3: Callable[[], Any], logs: Callable[[], Any]) -> None:
        self._make_s3, self._make_logs = s3, logs
        self._s3: Any = None
        self._logs: Any = None

    @property
    def s3(self) -> Any:
        """A boto3 S3 client for staging and outputs (made on first use)."""
        if self._s3 is None:
            self._s3 = self._make_s3()
        return self._s3

    @property
    def logs(self) -> Any:
        """A CloudWatch Logs client, or one that answers like it (made on first use)."""
        if self._logs is None:
            self._logs = self._make_logs()
        return self._logs

    @abstractmethod
    def create_job(self, kind: JobKind, request: Dict[str, Any]) -> Dict[str, Any]: ...

    @abstractmethod
    def describe_job(self, kind: JobKind, name: str) -> Dict[str, Any]: ...

    @abstractmethod
    def list_jobs(self, kind: JobKind, **kwargs: Any) -> Dict[str, Any]: ...

    @abstractmethod
    def stop_job(self, kind: JobKind, name: str) -> Dict[str, Any]: ...

    @abstractmethod
    def list_tags(self, ResourceArn: str) -> List[Dict[str, str]]:  # noqa: N803
        """Every tag of a job (Describe*Job does not return them)."""

    # ------------------------------------------------------------------ optional capabilities

    def job_dir(self, kind: JobKind, name: str) -> Optional[Path]:  # noqa: ARG002
        """Where the job's files are on this machine: the emulator's job folder, None on AWS."""
        return None

    def interrupt_job(self, kind: JobKind, name: str) -> Dict[str, Any]:
        """Reclaim a running spot job's instances (only where `interrupts` is True)."""
        raise NotImplementedError(f"{self.name}: no {kind.name} job {name} can be interrupted")
