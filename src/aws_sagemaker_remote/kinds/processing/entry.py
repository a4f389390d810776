"""The processing kind's entry, `PROCESSING`: an instance of `JobKind` over its data
(`__init__.py`), with the views over its requests and descriptions."""

from ..base import JobKind, Limits, s3_source
from ..records import Defaults, Mounts
from . import (
    CODE_ROOT,
    DEFAULT_BASE_JOB_NAME,
    DEFAULT_INSTANCE,
    DEFAULT_ROLE,
    INPUT_MOUNT,
    LOG_GROUP,
    MAX_CHANNELS,
    MAX_ENV_VALUE,
    MAX_INPUTS,
    MAX_INSTANCE_COUNT,
    MAX_OUTPUTS,
    MAX_RUNTIME_SECONDS,
    MESSAGE_FILE,
    MODULE_MOUNT,
    NAME,
    OUTPUT_MOUNT,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import List, Optional

    from ..records import App, Channel, Output


class Processing(JobKind):
    name = NAME
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
    defaults = Defaults(DEFAULT_ROLE, DEFAULT_INSTANCE, DEFAULT_BASE_JOB_NAME)
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
        from ..records import Channel

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
        from ..records import App

        app = request.get("AppSpecification") or {}
        return App(
            app.get("ImageUri", ""),
            list(app.get("ContainerEntrypoint") or []),
            app.get("ContainerArguments"),
            [],
        )

    def outputs(self, request: dict) -> "List[Output]":
        from ..records import Output

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
