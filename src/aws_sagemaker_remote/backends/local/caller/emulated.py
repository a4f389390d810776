"""What the caller's side of the emulator knows of a kind of job beyond its API's names
(kinds.JobKind): what its requests may hold to be run here, what it checks when a job is
created, and the fields of its status, list summary and description. Each kind's own is
`caller/<kind>.py` (its `EMULATED`)."""

from __future__ import annotations

from typing import Any, Dict, Iterable, Optional, Tuple

from ....kinds import JobKind


class EmulatedKind:
    summary_fields: Tuple[str, ...] = ()  # botocore's <Title>JobSummary members it sets
    # Its jobs' folder beside the first kind's (None: that folder itself).
    jobs_folder: Optional[str] = None
    # List*Jobs filters on what the emulator never sets: a job matches none of them.
    unmatched_filters: Tuple[str, ...] = ()

    def __init__(self, kind: JobKind) -> None:
        self.kind = kind

    @property
    def status_field(self) -> str:
        return self.kind.field("Status")

    def request_problems(self, request: Dict[str, Any]) -> Iterable[str]:
        """What AWS would refuse in a create request that botocore lets through, or what the
        emulator cannot run."""
        raise NotImplementedError

    def before_create(self, s3_client: Any, request: Dict[str, Any], region: str) -> None:
        """What the service checks against S3 when the job is created (nothing by default)."""

    def initial_status(self, arn: str, now: float) -> Dict[str, Any]:
        return {
            self.kind.field("Arn"): arn,
            self.status_field: "InProgress",
            "CreationTime": now,
            "LastModifiedTime": now,
        }

    def stopping(self, status: Dict[str, Any]) -> None:
        """What describe shows between a stop request and the runner acting on it."""
        status[self.status_field] = "Stopping"

    def lost(self, status: Dict[str, Any], reason: str, ended: float) -> None:
        """What describe shows when the job's runner ended (at `ended`) without ending the job:
        Failed, with an end time, so that it has a Duration as any failed job has."""
        status[self.status_field] = "Failed"
        status["FailureReason"] = reason
        status[self.kind.end_field()] = ended
        status["LastModifiedTime"] = ended

    def described(self, request: Dict[str, Any]) -> Dict[str, Any]:  # noqa: ARG002
        """Fields a description has beyond the request and the status."""
        return {}
