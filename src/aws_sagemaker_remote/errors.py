"""Errors the user sees as one line, and the exit codes of SPEC §8."""

EXIT_OK = 0
EXIT_JOB_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """Bad input, found before any side effect: printed as one line, exit 2."""


class JobFailedError(Exception):
    """The job ended Failed or Stopped: exit 1."""


def aws_error_code(exc: BaseException) -> str:
    """The AWS error code of a botocore ClientError (or a look-alike), else ""."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code") or "")
    return ""
