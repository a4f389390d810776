"""SageMaker's side of the contract, each rule once: names, limits, container paths, states.

Taken from the CreateProcessingJob API reference and botocore's SageMaker service model (the
`min`/`max`/`pattern` of its shapes). Standard library only: the local path imports it.
"""

from __future__ import annotations

import re

# ----------------------------------------------------------------- names

S3_SCHEME = "s3://"

JOB_NAME_PATTERN = r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$"
MAX_JOB_NAME_LENGTH = 63
ENV_KEY_PATTERN = r"[a-zA-Z_][a-zA-Z0-9_]*"
KMS_PATTERN = r"[a-zA-Z0-9:/_-]*"
PLACEHOLDER_ACCOUNT = "000000000000"  # the emulator's account, and the dry run's without AWS


def is_job_name(name: str) -> bool:
    return len(name) <= MAX_JOB_NAME_LENGTH and bool(re.fullmatch(JOB_NAME_PATTERN, name))


def job_name_rule() -> str:
    return (
        f"it must match {JOB_NAME_PATTERN} and be at most {MAX_JOB_NAME_LENGTH} characters "
        "(letters, digits and hyphens, starting and ending with a letter or digit)"
    )


# ----------------------------------------------------------------- tags

MAX_TAGS = 50
MAX_TAG_KEY = 128
MAX_TAG_VALUE = 256
_TAG_PUNCTUATION = frozenset("_.:/=+-@")


def tag_char_ok(ch: str) -> bool:
    """AWS's tag pattern `[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]`: letters, spaces, numbers, _.:/=+-@."""
    import unicodedata

    return ch in _TAG_PUNCTUATION or unicodedata.category(ch)[0] in "LZN"


def tag_text_ok(text: str) -> bool:
    return all(tag_char_ok(ch) for ch in text)


# ----------------------------------------------------------------- limits of CreateProcessingJob

MAX_INPUTS = 10
MAX_OUTPUTS = 10
MAX_CHANNELS = 10
MAX_ENV_ENTRIES = 100
MAX_ENV_VALUE = 256
MAX_ARGUMENTS = 100
MAX_ARGUMENT = 256
MAX_S3_URI = 1024
MAX_SUBNETS = 16
MAX_SECURITY_GROUPS = 5
MAX_VOLUME_GB = 16384
MAX_INSTANCE_COUNT = 100
MAX_RUNTIME_SECONDS = 777600
MAX_IMAGE_URI = 255
MAX_KMS_KEY = 2048
MAX_MESSAGE_BYTES = 1024  # FailureReason and ExitMessage

# ----------------------------------------------------------------- instance types

# Families with local NVMe instance storage, where SageMaker refuses VolumeKmsKeyId ("You can't
# request a VolumeKmsKeyId when using an instance type with local storage", botocore's
# ProcessingClusterConfig). The rule of the official SDK (sagemaker-core common_utils.py
# `volume_size_supported`): a "d" in the family, or one of these families.
LOCAL_NVME_FAMILIES = ("g5", "g6", "g7e", "p5", "p6-b200", "trn1", "trn2")


def has_local_instance_storage(instance_type: str) -> bool:
    parts = instance_type.split(".")
    family = parts[1] if len(parts) > 2 else ""
    return "d" in family or family.startswith(LOCAL_NVME_FAMILIES)


# ----------------------------------------------------------------- container paths

OPT_ML = "/opt/ml"
PROCESSING_ROOT = OPT_ML + "/processing"
CODE_ROOT = PROCESSING_ROOT + "/code"
OUTPUT_MESSAGE_FILE = OPT_ML + "/output/message"  # processing publishes it as ExitMessage
RESOURCE_CONFIG_FILE = OPT_ML + "/config/resourceconfig.json"
SHARED_CODE_CHANNEL = "code"  # the channel of all code pieces past 10 channels (at CODE_ROOT)

# ----------------------------------------------------------------- jobs and their logs

PROCESSING_LOG_GROUP = "/aws/sagemaker/ProcessingJobs"
TRAINING_LOG_GROUP = "/aws/sagemaker/TrainingJobs"
# FailureReason of a processing job whose container exited non-zero (observed on AWS:
# aws/sagemaker-spark-container test/integration/sagemaker/test_sagemaker_spark_errors.py).
ALGORITHM_ERROR = "AlgorithmError: See job logs for more information"
TERMINAL_STATES = ("Completed", "Failed", "Stopped")
PROCESSING_STATES = ("InProgress", "Completed", "Failed", "Stopping", "Stopped")


class JobKind:
    """What differs between SageMaker's job APIs of one kind: the names of its operations and
    fields, its log group, its console page. Everything else about a job is shared."""

    __slots__ = ("name", "title", "log_group", "console_page", "resources")

    def __init__(self, name: str, title: str, log_group: str, console_page: str, resources):
        self.name = name  # processing | training
        self.title = title  # Processing | Training
        self.log_group = log_group
        self.console_page = console_page
        self.resources = resources  # the path to InstanceCount in a description

    def operation(self, verb: str) -> str:
        """The boto3 method: `describe` -> `describe_processing_job`, `list` -> `list_..._jobs`."""
        return f"list_{self.name}_jobs" if verb == "list" else f"{verb}_{self.name}_job"

    def field(self, suffix: str) -> str:
        """`Name` -> `ProcessingJobName`; `Summaries` -> `ProcessingJobSummaries`."""
        return f"{self.title}Job{suffix}"

    def status(self, description: dict) -> str:
        return description.get(self.field("Status"), "?")

    def job_name(self, description: dict) -> str:
        return description.get(self.field("Name"), "?")

    def start_time(self, description: dict):
        return description.get(f"{self.title}StartTime") or description.get("CreationTime")

    def end_time(self, description: dict):
        return description.get(f"{self.title}EndTime") or description.get("LastModifiedTime")

    def instance_count(self, description: dict) -> int:
        found = description
        for key in self.resources:
            found = found.get(key, {}) if isinstance(found, dict) else {}
        return found if isinstance(found, int) and found > 0 else 1

    def __repr__(self) -> str:
        return f"JobKind({self.name!r})"


PROCESSING = JobKind(
    "processing",
    "Processing",
    PROCESSING_LOG_GROUP,
    "processing-jobs",
    ("ProcessingResources", "ClusterConfig", "InstanceCount"),
)
TRAINING = JobKind(
    "training", "Training", TRAINING_LOG_GROUP, "jobs", ("ResourceConfig", "InstanceCount")
)
JOB_KINDS = {kind.name: kind for kind in (PROCESSING, TRAINING)}


def kind_of(description: dict) -> JobKind:
    """The kind of job a description (or request, or list summary) is of."""
    return TRAINING if TRAINING.field("Name") in description else PROCESSING


# ----------------------------------------------------------------- limits of CreateTrainingJob
# botocore's SageMaker model (service-2.json) unless noted: InputDataConfig (1-20 channels),
# ChannelName, MetricDefinitionList / MetricName / MetricRegex, HyperParameters /
# HyperParameterKey / HyperParameterValue, TrainingEnvironmentMap / Key / Value.

MAX_TRAINING_CHANNELS = 20
CHANNEL_NAME_PATTERN = r"[A-Za-z0-9\.\-_]+"
MAX_CHANNEL_NAME = 64
MAX_METRICS = 40
MAX_METRIC_NAME = 255
MAX_METRIC_REGEX = 500
MAX_HYPERPARAMETERS = 100
MAX_HYPERPARAMETER_KEY = 256
# The model's HyperParameterValue max; the CreateTrainingJob page's prose says 256 for both.
MAX_HYPERPARAMETER_VALUE = 2500
MAX_TRAINING_ENV_VALUE = 512  # key and value alike (processing: 256)
# StoppingCondition.MaxRuntimeInSeconds: "The maximum value is 28 days" (the model has no max).
MAX_TRAINING_RUNTIME_SECONDS = 28 * 24 * 60 * 60
# What Java's `.` (the model's `.*` / `.+` patterns) does not match: such a value is refused.
LINE_BREAKS = "\n\r\x85\u2028\u2029"


class Limits:
    """The limits of one job kind's request that the checks and the plan read."""

    __slots__ = ("inputs", "channels", "env_value", "reserved_env", "runtime", "instance_count")

    def __init__(self, inputs, channels, env_value, reserved_env, runtime, instance_count):
        self.inputs = inputs  # the user's inputs
        self.channels = channels  # input channels in all, code included
        self.env_value = env_value  # Environment keys and values, each
        self.reserved_env = reserved_env  # Environment entries the plan may add
        self.runtime = runtime  # MaxRuntimeInSeconds
        self.instance_count = instance_count  # None: only the account's quota


# ----------------------------------------------------------------- our variables in the request

ENV_PREFIX = "AWS_SAGEMAKER_REMOTE_"
RESERVED_ENV_ENTRIES = 8  # how many Environment entries the plan may add
RESERVED_TRAINING_ENV_ENTRIES = RESERVED_ENV_ENTRIES + 2  # + KIND, ARGV_SOURCE

# ----------------------------------------------------------------- defaults of the flags

DEFAULT_ROLE = "aws-sagemaker-remote-processing-role"
DEFAULT_INSTANCE = "ml.t3.medium"
DEFAULT_VOLUME_GB = 30
# The service's default when StoppingCondition is absent (SDK: "the default value is 24 hours").
DEFAULT_RUNTIME_SECONDS = 24 * 60 * 60
DEFAULT_BASE_JOB_NAME = "processing-job"
DEFAULT_PREFIX = "aws-sagemaker-remote"
DEFAULT_PYTHON = "python3"
INPUT_MOUNT = PROCESSING_ROOT + "/input"
OUTPUT_MOUNT = PROCESSING_ROOT + "/output"
MODULE_MOUNT = PROCESSING_ROOT + "/modules"
INPUT_MODES = ("File", "Pipe")
TRAINING_INPUT_MODES = ("File", "FastFile", "Pipe")  # TrainingInputMode
OUTPUT_MODES = ("EndOfJob", "Continuous")
DISTRIBUTIONS = ("FullyReplicated", "ShardedByS3Key")
BACKENDS = ("aws", "local")

# ----------------------------------------------------------------- training defaults and paths
# The seed package's names; container paths from the Developer Guide, "Amazon SageMaker Training
# Storage Folders" (model-train-storage.html) and CheckpointConfig.LocalPath's default.

DEFAULT_TRAINING_ROLE = "aws-sagemaker-remote-training-role"
DEFAULT_TRAINING_INSTANCE = "ml.m5.large"
DEFAULT_TRAINING_BASE_JOB_NAME = "training-job"
TRAINING_DATA_ROOT = OPT_ML + "/input/data"  # each channel at TRAINING_DATA_ROOT/<ChannelName>
MODEL_DIR = OPT_ML + "/model"
OUTPUT_DATA_DIR = OPT_ML + "/output/data"
CHECKPOINT_DIR = OPT_ML + "/checkpoints"

LIMITS = {
    "processing": Limits(
        MAX_INPUTS,
        MAX_CHANNELS,
        MAX_ENV_VALUE,
        RESERVED_ENV_ENTRIES,
        MAX_RUNTIME_SECONDS,
        MAX_INSTANCE_COUNT,
    ),
    # One channel at least holds the code.
    "training": Limits(
        MAX_TRAINING_CHANNELS - 1,
        MAX_TRAINING_CHANNELS,
        MAX_TRAINING_ENV_VALUE,
        RESERVED_TRAINING_ENV_ENTRIES,
        MAX_TRAINING_RUNTIME_SECONDS,
        None,
    ),
}


def metric_value(pattern, line: str):
    """The number a MetricDefinition's regex finds in a log line, as SageMaker reads it: the
    first group (the whole match when there is none), e.g. `loss: ([0-9\\.]+)`; None when the
    line does not match or the text is not a finite number (SageMaker Developer Guide,
    training-metrics.html)."""
    import math

    match = pattern.search(line)
    if match is None:
        return None
    text = match.group(1) if pattern.groups else match.group(0)
    try:
        value = float((text or "").strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None
