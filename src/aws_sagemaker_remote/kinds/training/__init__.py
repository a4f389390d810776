"""The training job: CreateTrainingJob's request and DescribeTrainingJob's answer.

Limits from botocore's SageMaker model (service-2.json) unless noted: InputDataConfig (1-20
channels), ChannelName, MetricDefinitionList / MetricName / MetricRegex, HyperParameters /
HyperParameterKey / HyperParameterValue, TrainingEnvironmentMap / Key / Value. Container paths
from the Developer Guide, "Amazon SageMaker Training Storage Folders" (model-train-storage.html):
each channel at /opt/ml/input/data/<ChannelName>, and CheckpointConfig.LocalPath's default; the
archives at <S3OutputPath>/<job>/output/{model,output}.tar.gz ("SageMaker creates subfolders for
the artifacts", botocore OutputDataConfig.S3OutputPath; the layout is the SDK's and moto's).
Standard library only: the training face imports it.

This package's own module holds the kind's data, what its face needs on the local path (start-up
budget); `entry.py` the entry, `TRAINING` (imported when first asked for).
"""

from ...contract import OPT_ML

DATA_ROOT = OPT_ML + "/input/data"  # each channel at DATA_ROOT/<ChannelName>
MODEL_DIR = OPT_ML + "/model"
OUTPUT_DATA_DIR = OPT_ML + "/output/data"
CHECKPOINT_DIR = OPT_ML + "/checkpoints"
FAILURE_FILE = OPT_ML + "/output/failure"  # published as FailureReason
INPUT_MODES = ("File", "FastFile", "Pipe")  # TrainingInputMode
MODEL_ARCHIVE = "model.tar.gz"
OUTPUT_ARCHIVE = "output.tar.gz"
LOG_GROUP = "/aws/sagemaker/TrainingJobs"

MAX_CHANNELS = 20
CHANNEL_NAME_PATTERN = r"[A-Za-z0-9\.\-_]+"
MAX_CHANNEL_NAME = 64
MAX_METRICS = 40
MAX_METRIC_NAME = 255
MAX_METRIC_REGEX = 500
MAX_HYPERPARAMETERS = 100
MAX_HYPERPARAMETER_KEY = 256
# The model's HyperParameterValue max; the CreateTrainingJob page's prose says 256 for both.
MAX_HYPERPARAMETER_VALUE = 2500
MAX_ENV_VALUE = 512  # key and value alike (processing: 256)
# StoppingCondition.MaxRuntimeInSeconds: "The maximum value is 28 days" (the model has no max).
MAX_RUNTIME_SECONDS = 28 * 24 * 60 * 60
NAME = "training"
# The defaults of the face's --sagemaker-role, --sagemaker-instance and of the base job name.
DEFAULT_ROLE = "aws-sagemaker-remote-training-role"
DEFAULT_INSTANCE = "ml.m5.large"
DEFAULT_BASE_JOB_NAME = "training-job"


def __getattr__(name: str):
    if name in ("TRAINING", "Training"):
        from . import entry

        return getattr(entry, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
