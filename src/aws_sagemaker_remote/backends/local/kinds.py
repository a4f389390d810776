"""What differs between the kinds of job the emulator runs: where a request keeps its instance
count, its command and its input channels; the fields of a job's status, its list summary and
its description.

A training channel lands at /opt/ml/input/data/<ChannelName> (fixed by SageMaker: "A directory is
created for each channel", SageMaker Developer Guide, your-algorithms-training-algo-running-
container.html); a processing input at its own LocalPath.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Tuple

from ...contract import PROCESSING, TRAINING, JobKind, kind_of

TRAINING_DATA_ROOT = "/opt/ml/input/data"
MODEL_ARTIFACT = "model.tar.gz"
OUTPUT_ARTIFACT = "output.tar.gz"
# The first SecondaryStatusTransition of a new training job, as the SDK's log shows it
# ("Starting - Starting the training job", e.g. aws/amazon-sagemaker-examples issue #842).
FIRST_MESSAGE = "Starting the training job"


@dataclass(frozen=True)
class Channel:
    """An input channel: S3 data downloaded into each instance at `local_path`."""

    name: str
    uri: str
    local_path: str  # a container path
    distribution: str  # FullyReplicated | ShardedByS3Key
    read_only: bool = False  # FastFile: "The channel directory is mounted as read-only"
    data_type: str = "S3Prefix"  # S3Prefix | ManifestFile


class Emulated:
    """A kind of job as the emulator sees its requests and statuses."""

    kind: JobKind = PROCESSING
    summary_fields: Tuple[str, ...] = ()
    noun = "input"  # what the kind calls a channel, in reasons

    @property
    def status_field(self) -> str:
        return self.kind.field("Status")

    @property
    def time_fields(self) -> Tuple[str, ...]:
        title = self.kind.title
        return ("CreationTime", f"{title}StartTime", f"{title}EndTime", "LastModifiedTime")

    def instance_count(self, request: Dict[str, Any]) -> int:
        raise NotImplementedError

    def command(self, request: Dict[str, Any]) -> List[str]:
        raise NotImplementedError

    def channels(self, request: Dict[str, Any]) -> List[Channel]:
        raise NotImplementedError

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

    def lost(self, status: Dict[str, Any], reason: str) -> None:
        """What describe shows when the job's runner ended without ending the job."""
        status[self.status_field] = "Failed"
        status["FailureReason"] = reason

    def described(self, request: Dict[str, Any]) -> Dict[str, Any]:  # noqa: ARG002
        """Fields a description has beyond the request and the status."""
        return {}


class Processing(Emulated):
    kind = PROCESSING
    summary_fields = (
        "ProcessingJobName",
        "ProcessingJobArn",
        "CreationTime",
        "ProcessingEndTime",
        "LastModifiedTime",
        "ProcessingJobStatus",
        "FailureReason",
        "ExitMessage",
    )

    def instance_count(self, request: Dict[str, Any]) -> int:
        return request["ProcessingResources"]["ClusterConfig"]["InstanceCount"]

    def command(self, request: Dict[str, Any]) -> List[str]:
        spec = request["AppSpecification"]
        return list(spec["ContainerEntrypoint"]) + list(spec.get("ContainerArguments", []))

    def channels(self, request: Dict[str, Any]) -> List[Channel]:
        return [
            Channel(
                item["InputName"],
                item["S3Input"]["S3Uri"],
                item["S3Input"]["LocalPath"],
                item["S3Input"].get("S3DataDistributionType", "FullyReplicated"),
                data_type=item["S3Input"].get("S3DataType", "S3Prefix"),
            )
            for item in request.get("ProcessingInputs", [])
        ]


class Training(Emulated):
    kind = TRAINING
    noun = "channel"
    # botocore's TrainingJobSummary, less WarmPoolStatus and TrainingPlanArn (never set here)
    summary_fields = (
        "TrainingJobName",
        "TrainingJobArn",
        "CreationTime",
        "TrainingEndTime",
        "LastModifiedTime",
        "TrainingJobStatus",
        "SecondaryStatus",
    )

    def instance_count(self, request: Dict[str, Any]) -> int:
        return request["ResourceConfig"]["InstanceCount"]

    def command(self, request: Dict[str, Any]) -> List[str]:
        spec = request["AlgorithmSpecification"]
        return list(spec["ContainerEntrypoint"]) + list(spec.get("ContainerArguments", []))

    def channels(self, request: Dict[str, Any]) -> List[Channel]:
        default_mode = request.get("AlgorithmSpecification", {}).get("TrainingInputMode")
        return [
            Channel(
                item["ChannelName"],
                item["DataSource"]["S3DataSource"]["S3Uri"],
                f"{TRAINING_DATA_ROOT}/{item['ChannelName']}",
                item["DataSource"]["S3DataSource"].get("S3DataDistributionType", "FullyReplicated"),
                item.get("InputMode", default_mode) == "FastFile",
                item["DataSource"]["S3DataSource"].get("S3DataType", "S3Prefix"),
            )
            for item in request.get("InputDataConfig", [])
        ]

    def initial_status(self, arn: str, now: float) -> Dict[str, Any]:
        status = super().initial_status(arn, now)
        status["SecondaryStatus"] = "Starting"
        status["SecondaryStatusTransitions"] = [
            {"Status": "Starting", "StartTime": now, "StatusMessage": FIRST_MESSAGE}
        ]
        return status

    def stopping(self, status: Dict[str, Any]) -> None:
        super().stopping(status)
        status["SecondaryStatus"] = "Stopping"

    def lost(self, status: Dict[str, Any], reason: str) -> None:
        super().lost(status, reason)
        status["SecondaryStatus"] = "Failed"

    def described(self, request: Dict[str, Any]) -> Dict[str, Any]:
        """ModelArtifacts is a required member of DescribeTrainingJobResponse (botocore)."""
        return {"ModelArtifacts": {"S3ModelArtifacts": artifact_uri(request, MODEL_ARTIFACT)}}


def artifact_uri(request: Dict[str, Any], name: str) -> str:
    """`<S3OutputPath>/<job>/output/<name>`: "SageMaker creates subfolders for the artifacts"
    (botocore OutputDataConfig.S3OutputPath); the layout is the SDK's and moto's."""
    base = request["OutputDataConfig"]["S3OutputPath"].rstrip("/")
    return f"{base}/{request['TrainingJobName']}/output/{name}"


EMULATED: Dict[str, Emulated] = {PROCESSING.name: Processing(), TRAINING.name: Training()}


def emulated(kind: JobKind) -> Emulated:
    return EMULATED[kind.name]


def view_of(request: Dict[str, Any]) -> Emulated:
    return emulated(kind_of(request))
