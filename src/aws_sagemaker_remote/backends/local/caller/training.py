"""The training job as the emulator's caller side answers for it.

- What a CreateTrainingJob request may hold to be run here, and what AWS refuses that botocore
  lets through (MetricDefinitions' regexes, a marketplace algorithm, channels that are not S3
  prefixes, a checkpoint folder outside /opt/ml).
- CreateTrainingJob's own check of its channels: AWS refuses the request at once when a
  channel's S3 prefix holds no object, with a ValidationException whose text users search for
  (seen in public reports of the error, e.g. "No S3 objects found under S3 URL "s3://kedro-data"
  given in input data source. Please ensure that the bucket exists in the selected region
  (us-east-1), that objects exist under that S3 prefix, and that the role "arn:..." has
  "s3:ListBucket" permissions on bucket "kedro-data".").
- Its status: the first SecondaryStatusTransition of a new job, as the SDK's log shows it
  ("Starting - Starting the training job", e.g. aws/amazon-sagemaker-examples issue #842);
  ModelArtifacts, a required member of DescribeTrainingJobResponse (botocore); its list summary
  (botocore's TrainingJobSummary, less WarmPoolStatus and TrainingPlanArn, never set here).
"""

from __future__ import annotations

import posixpath
import re
from typing import Any, Dict, Iterable

from ....aws.errors import aws_error_code
from ....contract import DEFAULT_RUNTIME_SECONDS, OPT_ML
from ....kinds.training import TRAINING
from ....s3.uri import parse as parse_s3_uri
from .awserror import validation_error
from .emulated import EmulatedKind
from .problems import data_type_problems, duplicate_names, entrypoint_problems, uri_problems

FIRST_MESSAGE = "Starting the training job"


class Training(EmulatedKind):
    summary_fields = (
        "TrainingJobName",
        "TrainingJobArn",
        "CreationTime",
        "TrainingEndTime",
        "LastModifiedTime",
        "TrainingJobStatus",
        "SecondaryStatus",
    )
    jobs_folder = "training-jobs"
    unmatched_filters = ("WarmPoolStatusEquals", "TrainingPlanArnEquals")  # no warm pools, plans

    def request_problems(self, request: Dict[str, Any]) -> Iterable[str]:
        spec = request.get("AlgorithmSpecification")
        if spec is None:
            yield "AlgorithmSpecification is required"
            return
        if spec.get("AlgorithmName"):
            yield "AlgorithmSpecification.AlgorithmName (a marketplace algorithm) is not supported"
        yield from entrypoint_problems("AlgorithmSpecification", spec)
        for metric in spec.get("MetricDefinitions", []):
            yield from _regex_problems(metric)
        resources = request.get("ResourceConfig", {})
        if resources.get("InstanceGroups") or resources.get("InstanceCount", 0) < 1:
            yield "ResourceConfig.InstanceCount (at least 1) is required (not InstanceGroups)"
        channels = request.get("InputDataConfig", [])
        yield from duplicate_names("InputDataConfig", [c["ChannelName"] for c in channels])
        for channel in channels:
            yield from _channel_problems(channel, spec.get("TrainingInputMode", "File"))
        output = request["OutputDataConfig"]
        yield from uri_problems("OutputDataConfig.S3OutputPath", output["S3OutputPath"])
        if output.get("CompressionType", "GZIP") != "GZIP":
            yield "OutputDataConfig.CompressionType NONE is not supported"
        yield from _checkpoint_problems(request.get("CheckpointConfig"))
        yield from _spot_problems(request)

    def before_create(self, s3_client: Any, request: Dict[str, Any], region: str) -> None:
        check_channels_have_data(s3_client, request, region)

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

    def lost(self, status: Dict[str, Any], reason: str, ended: float) -> None:
        super().lost(status, reason, ended)
        status["SecondaryStatus"] = "Failed"

    def described(self, request: Dict[str, Any]) -> Dict[str, Any]:
        model = next(o.uri for o in TRAINING.outputs(request) if o.name == "model")
        return {"ModelArtifacts": {"S3ModelArtifacts": model}}


def _regex_problems(metric: Dict[str, str]) -> Iterable[str]:
    try:
        re.compile(metric["Regex"])
    except re.error as error:
        yield f"metric {metric['Name']!r}: Regex {metric['Regex']!r} is not valid: {error}"


def _channel_problems(channel: Dict[str, Any], default_mode: str) -> Iterable[str]:
    where = f"channel {channel['ChannelName']!r}"
    if channel["ChannelName"] in (".", ".."):
        yield f"{where}: the name would not be a folder of /opt/ml/input/data"
    s3 = channel["DataSource"].get("S3DataSource")
    if s3 is None:
        yield f"{where}: only S3DataSource is supported (not FileSystemDataSource)"
        return
    yield from data_type_problems(where, s3["S3DataType"])
    if channel.get("CompressionType", "None") != "None":
        yield f"{where}: CompressionType {channel['CompressionType']} is not supported"
    if channel.get("InputMode", default_mode) == "Pipe":
        yield f"{where}: Pipe input mode is not supported (use File or FastFile)"
    yield from uri_problems(where, s3["S3Uri"])


def _checkpoint_problems(config: Any) -> Iterable[str]:
    if config is None:
        return
    yield from uri_problems("CheckpointConfig.S3Uri", config["S3Uri"])
    local = posixpath.normpath(config.get("LocalPath") or TRAINING.checkpoint_dir)
    if not local.startswith(OPT_ML + "/"):
        yield f"CheckpointConfig.LocalPath {local!r} must be a directory under {OPT_ML}/"


def _spot_problems(request: Dict[str, Any]) -> Iterable[str]:
    """`MaxWaitTimeInSeconds` "must be equal to or greater than MaxRuntimeInSeconds", and managed
    spot training needs it (botocore StoppingCondition; Developer Guide,
    model-managed-spot-training.html)."""
    if not request.get("EnableManagedSpotTraining"):
        return
    stopping = request.get("StoppingCondition", {})
    wait = stopping.get("MaxWaitTimeInSeconds")
    if wait is None:
        yield "EnableManagedSpotTraining needs StoppingCondition.MaxWaitTimeInSeconds"
    elif wait < stopping.get("MaxRuntimeInSeconds", DEFAULT_RUNTIME_SECONDS):
        yield "StoppingCondition.MaxWaitTimeInSeconds must be at least MaxRuntimeInSeconds"


UNLISTABLE = ("NoSuchBucket", "AccessDenied", "AllAccessDisabled")


def check_channels_have_data(s3_client, request: Dict[str, Any], region: str) -> None:
    for channel in TRAINING.channels(request):
        location = parse_s3_uri(channel.uri)
        try:
            found = s3_client.list_objects_v2(
                Bucket=location.bucket, Prefix=location.key, MaxKeys=1
            ).get("KeyCount", 0)
        except Exception as error:
            if aws_error_code(error) not in UNLISTABLE:
                raise
            found = 0  # no bucket, or no right to list it: AWS says the same
        if not found:
            raise validation_error(
                "CreateTrainingJob",
                f'No S3 objects found under S3 URL "{channel.uri}" given in input data source. '
                f"Please ensure that the bucket exists in the selected region ({region}), that "
                f'objects exist under that S3 prefix, and that the role "{request["RoleArn"]}" '
                f'has "s3:ListBucket" permissions on bucket "{location.bucket}".',
            )


EMULATED = Training(TRAINING)
