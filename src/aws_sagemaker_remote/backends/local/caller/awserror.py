"""botocore ClientErrors shaped like the ones the real services return."""

from __future__ import annotations


def client_error(operation: str, code: str, message: str, status: int = 400) -> Exception:
    from botocore.exceptions import ClientError

    response = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return ClientError(response, operation)


def validation_error(operation: str, message: str) -> Exception:
    return client_error(operation, "ValidationException", message)


def job_not_found(operation: str, name: str) -> Exception:
    return validation_error(operation, f"Could not find requested job with name {name}")
