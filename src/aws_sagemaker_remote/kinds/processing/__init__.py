"""The processing job: CreateProcessingJob's request and DescribeProcessingJob's answer.

Shapes and limits from botocore's SageMaker model (ProcessingInput, ProcessingOutputConfig,
ProcessingResources, AppSpecification, NetworkConfig; the `min`/`max` of their members) and the
CreateProcessingJob API reference. Standard library only: the processing face imports it.

This package's own module holds the kind's data, what its face needs on the local path (start-up
budget); `entry.py` the entry, `PROCESSING` (imported when first asked for).
"""

from ...contract import OPT_ML

ROOT = OPT_ML + "/processing"
CODE_ROOT = ROOT + "/code"
INPUT_MOUNT = ROOT + "/input"
OUTPUT_MOUNT = ROOT + "/output"
MODULE_MOUNT = ROOT + "/modules"
MESSAGE_FILE = OPT_ML + "/output/message"  # published as ExitMessage
RESOURCE_CONFIG_FILE = OPT_ML + "/config/resourceconfig.json"
INPUT_MODES = ("File", "Pipe")
OUTPUT_MODES = ("EndOfJob", "Continuous")
MAX_INPUTS = 10
MAX_OUTPUTS = 10
MAX_CHANNELS = 10
MAX_ENV_VALUE = 256
MAX_RUNTIME_SECONDS = 777600
MAX_INSTANCE_COUNT = 100
# FailureReason of a processing job whose container exited non-zero (observed on AWS:
# aws/sagemaker-spark-container test/integration/sagemaker/test_sagemaker_spark_errors.py).
ALGORITHM_ERROR = "AlgorithmError: See job logs for more information"
LOG_GROUP = "/aws/sagemaker/ProcessingJobs"
NAME = "processing"
# The defaults of the face's --sagemaker-role, --sagemaker-instance and of the base job name.
DEFAULT_ROLE = "aws-sagemaker-remote-processing-role"
DEFAULT_INSTANCE = "ml.t3.medium"
DEFAULT_BASE_JOB_NAME = "processing-job"


def __getattr__(name: str):
    if name in ("PROCESSING", "Processing"):
        from . import entry

        return getattr(entry, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
