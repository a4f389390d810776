"""Request checks: botocore's own parameter validation, then what the emulator can run."""

from __future__ import annotations

import functools
import posixpath
from typing import Any, Dict, Iterable, List

from ...contract import JOB_NAME_PATTERN, PROCESSING_ROOT, is_job_name
from ...s3.uri import parse as parse_s3_uri
from .awserror import validation_error

CREATE = "CreateProcessingJob"


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


def validate_job_name(operation: str, name: str) -> None:
    """The server-side pattern check; the name is also a directory name here."""
    if not is_job_name(name):
        raise validation_error(
            operation,
            f"1 validation error detected: Value '{name}' at 'processingJobName' failed to "
            "satisfy constraint: Member must satisfy regular expression pattern: "
            f"{JOB_NAME_PATTERN}",
        )


def validate_create_request(request: Dict[str, Any]) -> None:
    validate_params(CREATE, request)
    validate_job_name(CREATE, request["ProcessingJobName"])
    problems = list(runnable_problems(request))
    if problems:
        raise validation_error(CREATE, "local emulator: " + "; ".join(problems))


def runnable_problems(request: Dict[str, Any]) -> Iterable[str]:
    """What AWS would reject server-side, or what this emulator cannot run."""
    if not request["AppSpecification"].get("ContainerEntrypoint"):
        yield (
            "AppSpecification.ContainerEntrypoint is required "
            "(an image's default entrypoint cannot run without Docker)"
        )
    inputs = request.get("ProcessingInputs", [])
    outputs = request.get("ProcessingOutputConfig", {}).get("Outputs", [])
    yield from _duplicate_names("ProcessingInputs", [i["InputName"] for i in inputs])
    yield from _duplicate_names("Outputs", [o["OutputName"] for o in outputs])
    for item in inputs:
        yield from _input_problems(item)
    for item in outputs:
        yield from _output_problems(item)


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
    if s3["S3DataType"] != "S3Prefix":
        yield f"{where}: S3DataType {s3['S3DataType']} is not supported (use S3Prefix)"
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
