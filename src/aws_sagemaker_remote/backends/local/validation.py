"""Request checks: botocore's own parameter validation, then what the emulator can run."""

from __future__ import annotations

import functools
import posixpath
import re
from typing import Any, Dict, Iterable, List

from ...contract import JOB_NAME_PATTERN, OPT_ML, PROCESSING, PROCESSING_ROOT, JobKind, is_job_name
from ...s3.uri import parse as parse_s3_uri
from .awserror import validation_error
from .trainfiles import checkpoint_path

DEFAULT_TRAINING_RUNTIME = 86400  # "The default value is 1 day" (botocore StoppingCondition)


@functools.cache
def _service_model(service: str):
    import botocore.session

    return botocore.session.get_session().get_service_model(service)


def validate_params(operation: str, params: Dict[str, Any], service: str = "sagemaker") -> None:
    """Raise ParamValidationError exactly as a boto3 client would before sending `operation`."""
    from botocore.validate import validate_parameters

    shape = _service_model(service).operation_model(operation).input_shape
    validate_parameters(params, shape)


def output_members(operation: str) -> List[str]:
    return list(_service_model("sagemaker").operation_model(operation).output_shape.members)


def validate_job_name(operation: str, name: str, kind: JobKind = PROCESSING) -> None:
    """The server-side pattern check; the name is also a directory name here."""
    if not is_job_name(name):
        member = kind.name + "JobName"
        raise validation_error(
            operation,
            f"1 validation error detected: Value '{name}' at '{member}' failed to "
            "satisfy constraint: Member must satisfy regular expression pattern: "
            f"{JOB_NAME_PATTERN}",
        )


def validate_create_request(kind: JobKind, request: Dict[str, Any]) -> None:
    operation = f"Create{kind.title}Job"
    validate_params(operation, request)
    validate_job_name(operation, request[kind.field("Name")], kind)
    check = runnable_problems if kind is PROCESSING else training_problems
    problems = list(check(request))
    if problems:
        raise validation_error(operation, "local emulator: " + "; ".join(problems))


def runnable_problems(request: Dict[str, Any]) -> Iterable[str]:
    """What AWS would reject server-side, or what this emulator cannot run."""
    yield from _entrypoint_problems("AppSpecification", request["AppSpecification"])
    inputs = request.get("ProcessingInputs", [])
    outputs = request.get("ProcessingOutputConfig", {}).get("Outputs", [])
    yield from _duplicate_names("ProcessingInputs", [i["InputName"] for i in inputs])
    yield from _duplicate_names("Outputs", [o["OutputName"] for o in outputs])
    for item in inputs:
        yield from _input_problems(item)
    for item in outputs:
        yield from _output_problems(item)


def _entrypoint_problems(field: str, spec: Dict[str, Any]) -> Iterable[str]:
    if not spec.get("ContainerEntrypoint"):
        yield (
            f"{field}.ContainerEntrypoint is required "
            "(an image's default entrypoint cannot run without Docker)"
        )


def training_problems(request: Dict[str, Any]) -> Iterable[str]:
    """What AWS refuses in a CreateTrainingJob request that botocore lets through, or what this
    emulator cannot run."""
    spec = request.get("AlgorithmSpecification")
    if spec is None:
        yield "AlgorithmSpecification is required"
        return
    if spec.get("AlgorithmName"):
        yield "AlgorithmSpecification.AlgorithmName (a marketplace algorithm) is not supported"
    yield from _entrypoint_problems("AlgorithmSpecification", spec)
    for metric in spec.get("MetricDefinitions", []):
        yield from _regex_problems(metric)
    resources = request.get("ResourceConfig", {})
    if resources.get("InstanceGroups") or resources.get("InstanceCount", 0) < 1:
        yield "ResourceConfig.InstanceCount (at least 1) is required (not InstanceGroups)"
    channels = request.get("InputDataConfig", [])
    yield from _duplicate_names("InputDataConfig", [c["ChannelName"] for c in channels])
    for channel in channels:
        yield from _channel_problems(channel, spec.get("TrainingInputMode", "File"))
    output = request["OutputDataConfig"]
    yield from _uri_problems("OutputDataConfig.S3OutputPath", output["S3OutputPath"])
    if output.get("CompressionType", "GZIP") != "GZIP":
        yield "OutputDataConfig.CompressionType NONE is not supported"
    yield from _checkpoint_problems(request.get("CheckpointConfig"))
    yield from _spot_problems(request)


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
    yield from _data_type_problems(where, s3["S3DataType"])
    if channel.get("CompressionType", "None") != "None":
        yield f"{where}: CompressionType {channel['CompressionType']} is not supported"
    if channel.get("InputMode", default_mode) == "Pipe":
        yield f"{where}: Pipe input mode is not supported (use File or FastFile)"
    yield from _uri_problems(where, s3["S3Uri"])


def _data_type_problems(where: str, data_type: str) -> Iterable[str]:
    """S3Prefix and ManifestFile are served as SageMaker serves them; AugmentedManifestFile
    "can only be used if the Channel's input mode is Pipe" (API reference, S3DataSource), which
    the emulator does not give."""
    if data_type not in ("S3Prefix", "ManifestFile"):
        yield f"{where}: S3DataType {data_type} is not supported (use S3Prefix or ManifestFile)"


def _checkpoint_problems(config: Any) -> Iterable[str]:
    if config is None:
        return
    yield from _uri_problems("CheckpointConfig.S3Uri", config["S3Uri"])
    local = checkpoint_path({"CheckpointConfig": config})
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
    elif wait < stopping.get("MaxRuntimeInSeconds", DEFAULT_TRAINING_RUNTIME):
        yield "StoppingCondition.MaxWaitTimeInSeconds must be at least MaxRuntimeInSeconds"


def _duplicate_names(field: str, names: List[str]) -> Iterable[str]:
    seen = set()
    for name in names:
        if name in seen:
            yield f"{field}: name {name!r} is used more than once"
        seen.add(name)


def _input_problems(item: Dict[str, Any]) -> Iterable[str]:
    where = f"input {item['InputName']!r}"
    if item.get("AppManaged"):
        yield f"{where}: AppManaged inputs are not supported"
    if "DatasetDefinition" in item or "S3Input" not in item:
        yield f"{where}: only S3Input is supported (not DatasetDefinition)"
        return
    s3 = item["S3Input"]
    yield from _data_type_problems(where, s3["S3DataType"])
    if s3.get("S3CompressionType", "None") != "None":
        yield f"{where}: S3CompressionType {s3['S3CompressionType']} is not supported"
    yield from _uri_problems(where, s3["S3Uri"])
    yield from _local_path_problems(where, s3.get("LocalPath"))


def _output_problems(item: Dict[str, Any]) -> Iterable[str]:
    where = f"output {item['OutputName']!r}"
    if item.get("AppManaged"):
        yield f"{where}: AppManaged outputs are not supported"
    if "FeatureStoreOutput" in item or "S3Output" not in item:
        yield f"{where}: only S3Output is supported (not FeatureStoreOutput)"
        return
    s3 = item["S3Output"]
    yield from _uri_problems(where, s3["S3Uri"])
    yield from _local_path_problems(where, s3.get("LocalPath"))


def _uri_problems(where: str, uri: str) -> Iterable[str]:
    try:
        parse_s3_uri(uri)
    except ValueError as error:
        yield f"{where}: {error}"


def _local_path_problems(where: str, path: Any) -> Iterable[str]:
    if not path:
        yield f"{where}: LocalPath is required"
        return
    normalized = posixpath.normpath(path)
    if not normalized.startswith(PROCESSING_ROOT + "/"):
        yield f"{where}: LocalPath {path!r} must be a directory under {PROCESSING_ROOT}/"
