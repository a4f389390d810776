"""The backend interface: what the pipeline, the watcher and the job CLI may call.

The method names and shapes are the boto3 SageMaker client's, so the AWS backend passes calls
through and the emulator answers them as AWS would. `logs` has the CloudWatch Logs client's
`describe_log_streams` / `get_log_events`; `s3` is a boto3 S3 client. `describe_job`,
`list_jobs`, `stop_job` and `create_job` call the operation of a job kind (contract.JobKind).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, Dict, List, Optional

from ..kinds import JobKind


class Backend(ABC):
    name: str = ""
    region: str = ""
    # How often the watcher looks while nothing happens, and its back-off ceiling.
    poll_seconds: float = 2.0
    max_poll_seconds: float = 30.0

    @property
    @abstractmethod
    def s3(self) -> Any:
        """A boto3 S3 client for staging and outputs."""

    @property
    @abstractmethod
    def logs(self) -> Any:
        """A CloudWatch Logs client, or one that answers like it."""

    @abstractmethod
    def create_processing_job(self, **request: Any) -> Dict[str, Any]: ...

    @abstractmethod
    def describe_processing_job(self, **kwargs: Any) -> Dict[str, Any]: ...

    @abstractmethod
    def list_processing_jobs(self, **kwargs: Any) -> Dict[str, Any]: ...

    @abstractmethod
    def stop_processing_job(self, **kwargs: Any) -> Dict[str, Any]: ...

    @abstractmethod
    def create_training_job(self, **request: Any) -> Dict[str, Any]: ...

    @abstractmethod
    def describe_training_job(self, **kwargs: Any) -> Dict[str, Any]: ...

    @abstractmethod
    def list_training_jobs(self, **kwargs: Any) -> Dict[str, Any]: ...

    @abstractmethod
    def stop_training_job(self, **kwargs: Any) -> Dict[str, Any]: ...

    @abstractmethod
    def list_tags(self, ResourceArn: str) -> List[Dict[str, str]]:  # noqa: N803
        """Every tag of a job (DescribeProcessingJob does not return them)."""

    def job_dir(
        self,
        name: str,  # noqa: ARG002 - AWS keeps no job folder
        kind: Optional[JobKind] = None,  # noqa: ARG002
    ) -> Optional[Path]:
        """Where the job's files are on this machine: the emulator's job folder, None on AWS."""
        return None

    # ------------------------------------------------------------------ by job kind

    def create_job(self, kind: JobKind, request: Dict[str, Any]) -> Dict[str, Any]:
        return getattr(self, kind.operation("create"))(**request)

    def describe_job(self, kind: JobKind, name: str) -> Dict[str, Any]:
        return getattr(self, kind.operation("describe"))(**{kind.field("Name"): name})

    def list_jobs(self, kind: JobKind, **kwargs: Any) -> Dict[str, Any]:
        return getattr(self, kind.operation("list"))(**kwargs)

    def stop_job(self, kind: JobKind, name: str) -> Dict[str, Any]:
        return getattr(self, kind.operation("stop"))(**{kind.field("Name"): name})
