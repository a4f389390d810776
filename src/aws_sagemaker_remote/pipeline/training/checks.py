"""The checks only a training job needs, made before any side effect, each one line naming the
flag or parameter. Limits from botocore's SageMaker model (kinds/training.py lists the shapes):
ChannelName, MetricDefinitionList / MetricName / MetricRegex, StoppingCondition, S3Uri; the
rules from the API reference: MaxWaitTimeInSeconds "must be equal to or greater than
MaxRuntimeInSeconds" (StoppingCondition) and is "only supported when EnableManagedSpotTraining
is set to true" (the ValidationException CreateTrainingJob answers otherwise, as reported in
aws/sagemaker-python-sdk#4140); ResourceConfig.VolumeKmsKeyId "can be in any of the following
formats": a key id or a key ARN (no alias, which OutputDataConfig.KmsKeyId also takes)."""

from __future__ import annotations

import re

from ...args import is_job_reference
from ...contract import LINE_BREAKS
from ...errors import UsageError
from ...flags import flag_of
from ...kinds import training as c
from ..checks import check_s3_uri, fail
from .spec import TrainingSpec

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..spec import JobSpec


def check(spec: JobSpec) -> None:
    training: TrainingSpec = spec.extras
    _channel_names(spec)
    _emulated_modes(spec)
    _metrics(training.metrics)
    _stopping(spec, training)
    _volume_key(spec.volume_kms_key)
    if training.checkpoint_s3 is not None:
        if "sagemaker_checkpoints" in training.given and not training.checkpoints:
            raise UsageError(
                "--sagemaker-checkpoint-s3: a checkpoint URI with --sagemaker-checkpoints no; "
                "drop one of the two (--sagemaker-checkpoint-s3 default drops the URI)"
            )
        if is_job_reference(training.checkpoint_s3):
            _job_reference(training.checkpoint_s3)
            return
        check_s3_uri(
            "--sagemaker-checkpoint-s3",
            training.checkpoint_s3,
            allowed="'default', s3://bucket/prefix or job:NAME/checkpoints",
        )


def _job_reference(value: str) -> None:
    from ..jobref import split_reference

    try:
        split_reference(value)
    except UsageError as exc:
        raise UsageError(f"--sagemaker-checkpoint-s3: {exc}") from None


def _emulated_modes(spec: JobSpec) -> None:
    """The emulator gives File and FastFile channels only (a Pipe channel is a FIFO fed by
    SageMaker's agent); say so before anything is staged."""
    if spec.backend != "local":
        return
    for item in spec.inputs:
        if item.value and item.mode == "Pipe":
            raise UsageError(
                f"{flag_of(item.name + '_mode')}: 'Pipe': the local emulator delivers channels "
                "as File or FastFile only; use one of those, or run on AWS"
            )


def _channel_names(spec: JobSpec) -> None:
    """Each input is the channel of its name, each module the channel `module-NAME`."""
    names = [(flag_of(i.name), i.name) for i in spec.inputs]
    names += [(flag_of(m.name), f"module-{m.name}") for m in spec.modules]
    for flag, channel in names:
        if len(channel) > c.MAX_CHANNEL_NAME or not re.fullmatch(
            c.CHANNEL_NAME_PATTERN, channel, flags=re.ASCII
        ):
            raise UsageError(
                f"{flag}: its channel name {channel!r} is not one SageMaker allows: 1-"
                f"{c.MAX_CHANNEL_NAME} characters of A-Z a-z 0-9 . - _ (rename the input or module)"
            )


def _volume_key(key: str | None) -> None:
    if key and (key.startswith("alias/") or ":alias/" in key):
        raise fail(
            "--sagemaker-volume-kms-key",
            key,
            "a training job's volume key is a key id or key ARN, not an alias (SageMaker's "
            f"ResourceConfig.VolumeKmsKeyId); its ARN: aws kms describe-key --key-id {key} "
            "--query KeyMetadata.Arn",
        )


def _metrics(metrics: dict) -> None:
    if len(metrics) > c.MAX_METRICS:
        raise UsageError(f"metrics: {len(metrics)} given; SageMaker allows at most {c.MAX_METRICS}")
    for name, regex in metrics.items():
        if not _one_line(name, c.MAX_METRIC_NAME):
            raise fail(
                "metrics", name, f"a metric name is 1-{c.MAX_METRIC_NAME} characters on one line"
            )
        if not _one_line(regex, c.MAX_METRIC_REGEX):
            raise fail(
                f"metrics[{name!r}]",
                regex[:60],
                f"a metric regex is 1-{c.MAX_METRIC_REGEX} characters on one line",
            )
        try:
            re.compile(regex)
        except re.error as exc:
            raise fail(
                f"metrics[{name!r}]",
                regex,
                f"not a regular expression ({exc}); the emulator and the watcher apply it with "
                "Python's re",
            ) from None


def _one_line(text: str, longest: int) -> bool:
    """The model's `.+` pattern, where `.` (Java's) matches no line terminator."""
    return 1 <= len(text) <= longest and not any(ch in LINE_BREAKS for ch in text)


def _stopping(spec: JobSpec, training: TrainingSpec) -> None:
    if not training.spot:
        if "sagemaker_max_wait" in training.given:
            raise UsageError(
                "--sagemaker-max-wait: only with --sagemaker-spot yes (SageMaker accepts "
                "MaxWaitTimeInSeconds only for managed spot training)"
            )
        return
    if "sagemaker_checkpoints" in training.given and not training.checkpoints:
        raise UsageError(
            "--sagemaker-checkpoints: no is not possible with --sagemaker-spot yes (a spot job "
            "that is interrupted resumes from its checkpoints)"
        )
    wait = training.max_wait or 0
    if wait < spec.runtime_seconds:
        raise fail(
            "--sagemaker-max-wait",
            wait,
            f"must be at least --sagemaker-runtime-seconds ({spec.runtime_seconds}): it is the "
            "time waiting for spot capacity plus the time running",
        )
