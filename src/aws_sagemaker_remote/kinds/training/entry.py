"""The training kind's entry, `TRAINING`: an instance of `JobKind` over its data
(`__init__.py`), with the views over its requests and descriptions."""

from ..base import JobKind, Limits, s3_source
from ..records import Defaults
from . import (
    CHECKPOINT_DIR,
    DATA_ROOT,
    DEFAULT_BASE_JOB_NAME,
    DEFAULT_INSTANCE,
    DEFAULT_ROLE,
    FAILURE_FILE,
    LOG_GROUP,
    MAX_CHANNELS,
    MAX_ENV_VALUE,
    MAX_RUNTIME_SECONDS,
    MODEL_ARCHIVE,
    MODEL_DIR,
    NAME,
    OUTPUT_ARCHIVE,
    OUTPUT_DATA_DIR,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import List, Optional

    from ..records import App, Channel, Output


class Training(JobKind):
    name = NAME
    title = "Training"
    log_group = LOG_GROUP
    console_page = "jobs"
    arn_resource = "training-job"
    # One channel at least holds the code; the plan adds the kind and the argv source
    # (container/protocol.py KIND_VARIABLES).
    limits = Limits(
        MAX_CHANNELS - 1,
        MAX_CHANNELS,
        0,
        MAX_ENV_VALUE,
        True,
        MAX_RUNTIME_SECONDS,
        None,
    )
    defaults = Defaults(DEFAULT_ROLE, DEFAULT_INSTANCE, DEFAULT_BASE_JOB_NAME)
    channel_root = DATA_ROOT
    code_root = DATA_ROOT + "/code"
    script_folders = (
        ("model_dir", MODEL_DIR),
        ("output_dir", OUTPUT_DATA_DIR),
        ("checkpoint_dir", CHECKPOINT_DIR),
    )
    managed_spot = True
    checkpoint_dir = CHECKPOINT_DIR
    # A Pipe channel is read from `<folder>_<epoch>`, named after its folder.
    pipe_is_folder = True
    message_file = FAILURE_FILE
    required_fields = ("AlgorithmSpecification", "ResourceConfig", "OutputDataConfig", "RoleArn")
    rerun_fields = (
        "AlgorithmSpecification",
        "HyperParameters",
        "InputDataConfig",
        "OutputDataConfig",
        "ResourceConfig",
        "StoppingCondition",
        "Environment",
        "VpcConfig",
        "EnableNetworkIsolation",
        "EnableInterContainerTrafficEncryption",
        "EnableManagedSpotTraining",
        "CheckpointConfig",
        "RetryStrategy",
        "RoleArn",
    )
    _resources = ("ResourceConfig",)
    _app_field = "AlgorithmSpecification"

    def channels(self, request: dict) -> "List[Channel]":
        from ..records import Channel

        default_mode = (request.get("AlgorithmSpecification") or {}).get("TrainingInputMode")
        found = []
        for item in request.get("InputDataConfig") or []:
            source = s3_source(item, "DataSource", "S3DataSource")
            name = item.get("ChannelName", "")
            found.append(
                Channel(
                    name,
                    source.get("S3Uri", ""),
                    f"{DATA_ROOT}/{name}",
                    item.get("InputMode", default_mode) or "File",
                    source.get("S3DataDistributionType", "FullyReplicated"),
                    source.get("S3DataType", "S3Prefix"),
                )
            )
        return found

    def app(self, request: dict) -> "App":
        from ..records import App

        app = request.get("AlgorithmSpecification") or {}
        return App(
            app.get("TrainingImage", ""),
            list(app.get("ContainerEntrypoint") or []),
            app.get("ContainerArguments"),
            list(app.get("MetricDefinitions") or []),
        )

    def outputs(self, request: dict) -> "List[Output]":
        """The model and output archives: <S3OutputPath>/<job>/output/{model,output}.tar.gz,
        or beside the described ModelArtifacts."""
        from ..records import Output

        model = (request.get("ModelArtifacts") or {}).get("S3ModelArtifacts")
        if model:
            folder = model.rsplit("/", 1)[0]
        else:
            base = (request.get("OutputDataConfig") or {}).get("S3OutputPath", "")
            if not base:
                return []
            folder = f"{base.rstrip('/')}/{self.job_name(request)}/output"
            model = f"{folder}/{MODEL_ARCHIVE}"
        return [
            Output("model", model, MODEL_DIR, "EndOfJob", True),
            Output("output", f"{folder}/{OUTPUT_ARCHIVE}", OUTPUT_DATA_DIR, "EndOfJob", True),
        ]

    def written_prefixes(self, request: dict) -> "List[str]":
        """S3OutputPath: SageMaker writes each job's archives (and its debugger and profiler
        output) in a folder of the job's name under it."""
        path = (request.get("OutputDataConfig") or {}).get("S3OutputPath")
        return [path] if path else []

    def model_archive(self, description: dict) -> "Optional[str]":
        return (description.get("ModelArtifacts") or {}).get("S3ModelArtifacts")

    def output_kms_key(self, request: dict) -> "Optional[str]":
        return (request.get("OutputDataConfig") or {}).get("KmsKeyId")

    def vpc(self, request: dict) -> "Optional[dict]":
        return request.get("VpcConfig")

    def spot(self, request: dict) -> bool:
        return bool(request.get("EnableManagedSpotTraining"))

    # ------------------------------------------------------------------ builders

    def channel_items(self, request: dict) -> "List[dict]":
        return request.setdefault("InputDataConfig", [])

    def new_channel(
        self,
        name: str,
        uri: str,
        local_path: str,
        mode="File",
        distribution="FullyReplicated",
        data_type="S3Prefix",
    ) -> dict:
        """`local_path` is SageMaker's own (DATA_ROOT/<name>): it is not part of the request."""
        del local_path
        return {
            "ChannelName": name,
            "DataSource": {
                "S3DataSource": {
                    "S3DataType": data_type,
                    "S3Uri": uri,
                    "S3DataDistributionType": distribution,
                }
            },
            "InputMode": mode,
            "CompressionType": "None",
        }

    def channel_name(self, item: dict) -> str:
        return item.get("ChannelName", "")

    def set_channel_uri(self, item: dict, uri: str) -> None:
        item["DataSource"]["S3DataSource"]["S3Uri"] = uri


TRAINING = Training()
