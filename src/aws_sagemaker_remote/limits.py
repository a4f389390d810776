"""SageMaker's limits for CreateProcessingJob, as published in its API reference."""

CONTAINER_ROOT = "/opt/ml/processing"
CODE_ROOT = CONTAINER_ROOT + "/code"
LOG_GROUP = "/aws/sagemaker/ProcessingJobs"
JOB_NAME_PATTERN = r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}"
MAX_INPUTS = 10
MAX_OUTPUTS = 10
MAX_CHANNELS = 10
MAX_ENV_ENTRIES = 100
MAX_ENV_VALUE = 256
MAX_ARGUMENTS = 100
MAX_ARGUMENT = 256
MAX_S3_URI = 1024
MAX_TAGS = 50
MAX_SUBNETS = 16
MAX_SECURITY_GROUPS = 5
MAX_VOLUME_GB = 16384
MAX_RUNTIME_SECONDS = 777600
RESERVED_ENV_ENTRIES = 8
ENV_KEY_PATTERN = r"[a-zA-Z_][a-zA-Z0-9_]*"
KMS_PATTERN = r"[a-zA-Z0-9:/_-]*"
TAG_PATTERN = r"[\w\s.:/=+\-@]*"
