"""SageMaker's side of the contract that every job kind shares, each rule once: names, limits,
container paths, states (a kind's own rules: kinds/<kind>.py).

Taken from the Create*Job API references and botocore's SageMaker service model (the
`min`/`max`/`pattern` of its shapes). Standard library only: the local path imports it.
"""

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


def sanitize_base(base: str, fallback: str) -> str:
    """`base` made a valid start of a job name (ASCII letters, digits and single hyphens);
    `fallback` (the kind's default base name) when nothing of it is left. Without `re`: the
    local path builds a flag's default with it, and compiling two patterns costs it 0.2 ms."""
    kept = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in base)
    return "-".join(part for part in kept.split("-") if part) or fallback


def job_name_rule() -> str:
    return (
        f"it must match {JOB_NAME_PATTERN} and be at most {MAX_JOB_NAME_LENGTH} characters "
        "(letters, digits and hyphens, starting and ending with a letter or digit)"
    )


# ----------------------------------------------------------------- tags

MAX_TAGS = 50
RERUN_TAG = "RerunOf"  # on a rerun's job: the job it repeats
MAX_TAG_KEY = 128
MAX_TAG_VALUE = 256
_TAG_PUNCTUATION = frozenset("_.:/=+-@")


def tag_char_ok(ch: str) -> bool:
    """AWS's tag pattern `[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]`: letters, spaces, numbers, _.:/=+-@."""
    import unicodedata

    return ch in _TAG_PUNCTUATION or unicodedata.category(ch)[0] in "LZN"


def tag_text_ok(text: str) -> bool:
    return all(tag_char_ok(ch) for ch in text)


# ----------------------------------------------------------------- limits every kind shares
# (a kind's own: kinds/<kind>.py)

MAX_ENV_ENTRIES = 100
MAX_ARGUMENTS = 100
MAX_ARGUMENT = 256
MAX_S3_URI = 1024
MAX_SUBNETS = 16
MAX_SECURITY_GROUPS = 5
MAX_VOLUME_GB = 16384
MAX_IMAGE_URI = 255
MAX_KMS_KEY = 2048
MAX_MESSAGE_BYTES = 1024  # FailureReason and ExitMessage
# What Java's `.` (the model's `.*` / `.+` patterns) does not match: such a value is refused.
LINE_BREAKS = "\n\r\x85\u2028\u2029"


def fits_arguments(argv) -> bool:
    """Whether an argv may travel as ContainerArguments (1 to 100 items of at most 256
    characters each)."""
    return 0 < len(argv) <= MAX_ARGUMENTS and all(len(a) <= MAX_ARGUMENT for a in argv)


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


# ----------------------------------------------------------------- container paths and states

OPT_ML = "/opt/ml"
SHARED_CODE_CHANNEL = "code"  # the channel of all code pieces past the channel limit
TERMINAL_STATES = ("Completed", "Failed", "Stopped")
JOB_STATES = ("InProgress", "Completed", "Failed", "Stopping", "Stopped")

# ----------------------------------------------------------------- defaults of the flags

DEFAULT_VOLUME_GB = 30
# The service's default when StoppingCondition is absent (SDK: "the default value is 24 hours").
DEFAULT_RUNTIME_SECONDS = 24 * 60 * 60
DEFAULT_PREFIX = "aws-sagemaker-remote"
DEFAULT_PYTHON = "python3"
DISTRIBUTIONS = ("FullyReplicated", "ShardedByS3Key")
BACKENDS = ("aws", "local")
IMPORT_CHECKS = ("warn", "error", "off")  # --sagemaker-import-check
EMULATOR_ENVIRONMENTS = ("image", "caller")  # --sagemaker-emulator-environment


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
