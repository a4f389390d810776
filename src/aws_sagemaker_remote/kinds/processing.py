"""The processing job: CreateProcessingJob's request and DescribeProcessingJob's answer.

Shapes and limits from botocore's SageMaker model (ProcessingInput, ProcessingOutputConfig,
ProcessingResources, AppSpecification, NetworkConfig; the `min`/`max` of their members) and the
CreateProcessingJob API reference. Standard library only: the processing face imports it.
"""

from ..contract import OPT_ML
from . import Defaults, JobKind, Limits, Mounts, s3_source

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import List, Optional

    from .records import App, Channel, Output

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


class Processing(JobKind):
    name = "processing"
    title = "Processing"
    log_group = LOG_GROUP
    console_page = "processing-jobs"
    arn_resource = "processing-job"
    limits = Limits(
        MAX_INPUTS,
        MAX_CHANNELS,
        MAX_OUTPUTS,
        MAX_ENV_VALUE,
        False,
        MAX_RUNTIME_SECONDS,
        MAX_INSTANCE_COUNT,
    )
    defaults = Defaults("aws-sagemaker-remote-processing-role", "ml.t3.medium", "processing-job")
    mounts = Mounts(INPUT_MOUNT, OUTPUT_MOUNT, MODULE_MOUNT)
    code_root = CODE_ROOT
    message_file = MESSAGE_FILE
    required_fields = ("AppSpecification", "ProcessingResources", "RoleArn")
    rerun_fields = (
        "ProcessingInputs",
        "ProcessingOutputConfig",
        "ProcessingResources",
        "StoppingCondition",
        "AppSpecification",
        "Environment",
        "NetworkConfig",
        "RoleArn",
    )
    _resources = ("ProcessingResources", "ClusterConfig")
    _app_field = "AppSpecification"

    def channels(self, request: dict) -> "List[Channel]":
        from .records import Channel

        found = []
        for item in request.get("ProcessingInputs") or []:
            source = s3_source(item, "S3Input")
            found.append(
                Channel(
                    item.get("InputName", ""),
                    source.get("S3Uri", ""),
                    source.get("LocalPath", ""),
                    source.get("S3InputMode", "File"),
                    source.get("S3DataDistributionType", "FullyReplicated"),
                    source.get("S3DataType", "S3Prefix"),
                )
            )
        return found

    def app(self, request: dict) -> "App":
        from .records import App

        app = request.get("AppSpecification") or {}
        return App(
            app.get("ImageUri", ""),
            list(app.get("ContainerEntrypoint") or []),
            app.get("ContainerArguments"),
            [],
        )

    def outputs(self, request: dict) -> "List[Output]":
        from .records import Output

        found = []
        for item in self._output_items(request):
            target = s3_source(item, "S3Output")
            found.append(
                Output(
                    item.get("OutputName", ""),
                    target.get("S3Uri", ""),
                    target.get("LocalPath", ""),
                    target.get("S3UploadMode", "EndOfJob"),
                    False,
                )
            )
        return found

    def output_kms_key(self, request: dict) -> "Optional[str]":
        return (request.get("ProcessingOutputConfig") or {}).get("KmsKeyId")

    def vpc(self, request: dict) -> "Optional[dict]":
        return (request.get("NetworkConfig") or {}).get("VpcConfig")

    def job_named_locations(self, request: dict) -> "List[dict]":
        found = [item.get("S3Output", {}) for item in self._output_items(request)]
        return [target for target in found if target.get("S3Uri")] + super().job_named_locations(
            request
        )

    # ------------------------------------------------------------------ builders

    def channel_items(self, request: dict) -> "List[dict]":
        return request.setdefault("ProcessingInputs", [])

    def new_channel(
        self,
        name: str,
        uri: str,
        local_path: str,
        mode="File",
        distribution="FullyReplicated",
        data_type="S3Prefix",
    ) -> dict:
        return {
            "InputName": name,
            "AppManaged": False,
            "S3Input": {
                "S3Uri": uri,
                "LocalPath": local_path,
                "S3DataType": data_type,
                "S3InputMode": mode,
                "S3DataDistributionType": distribution,
                "S3CompressionType": "None",
            },
        }

    def channel_name(self, item: dict) -> str:
        return item.get("InputName", "")

    def set_channel_uri(self, item: dict, uri: str) -> None:
        item["S3Input"]["S3Uri"] = uri

    @staticmethod
    def _output_items(request: dict) -> "List[dict]":
        return (request.get("ProcessingOutputConfig") or {}).get("Outputs") or []


PROCESSING = Processing()
