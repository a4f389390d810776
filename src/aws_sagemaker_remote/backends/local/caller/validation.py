"""Request checks: botocore's own parameter validation, then what the emulator can run (each
kind's own: caller/<kind>.py `request_problems`)."""

from __future__ import annotations

import functools
from typing import Any, Dict, List

from ....contract import JOB_NAME_PATTERN, is_job_name
from ....kinds import JobKind, home
from .awserror import validation_error


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


def validate_job_name(operation: str, name: str, kind: JobKind) -> None:
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
    operation = kind.api_operation("Create")
    validate_params(operation, request)
    validate_job_name(operation, request[kind.field("Name")], kind)
    problems = list(home(__package__, kind).EMULATED.request_problems(request))
    if problems:
        raise validation_error(operation, "local emulator: " + "; ".join(problems))
