"""What an error of the AWS SDK means: its code and message, not found, throttled, denied, no
usable credentials, no connection; told by name and module, without importing boto3. Read by
the remote path and by the error boundary (`errors.classify`) when an error reaches it."""

AWS_SDK_MODULES = ("botocore", "boto3", "s3transfer", "awscrt")
THROTTLING_CODES = frozenset(
    {"ThrottlingException", "Throttling", "TooManyRequestsException", "SlowDown"}
)
NOT_FOUND_CODES = frozenset(
    {"ResourceNotFoundException", "ResourceNotFound", "404", "NoSuchKey", "NotFound"}
)
DENIED_CODES = frozenset({"AccessDenied", "AccessDeniedException", "403", "Forbidden"})
_CREDENTIAL_ERRORS = frozenset(
    {
        "NoCredentialsError",
        "PartialCredentialsError",
        "CredentialRetrievalError",
        "SSOError",
        "TokenRetrievalError",
        "UnauthorizedSSOTokenError",
        "NoAuthTokenError",
    }
)
_CONNECTION_ERRORS = frozenset(
    {
        "EndpointConnectionError",
        "ConnectTimeoutError",
        "ConnectionClosedError",
        "ProxyConnectionError",
    }
)
CREDENTIALS_HELP = (
    "configure credentials with `aws configure` (or `aws sso login`), set AWS_ACCESS_KEY_ID and "
    "AWS_SECRET_ACCESS_KEY, or pass --sagemaker-profile with a configured profile"
)


def aws_error_code(exc: "BaseException") -> str:
    """The AWS error code of a botocore ClientError (or a look-alike), else ""."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code") or "")
    return ""


def aws_error_message(exc: "BaseException") -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Message") or "")
    return ""


def is_not_found(exc: "BaseException") -> bool:
    """No such job, log group, stream, key or bucket. SageMaker reports an unknown job as a
    ValidationException ("Could not find requested job ...")."""
    code = aws_error_code(exc) or type(exc).__name__
    if code == "ValidationException":
        message = aws_error_message(exc).lower()
        return "could not find" in message or "does not exist" in message
    return code in NOT_FOUND_CODES or code == "NoSuchBucket"


def is_throttled(exc: "BaseException") -> bool:
    return aws_error_code(exc) in THROTTLING_CODES


def is_denied(exc: "BaseException") -> bool:
    return aws_error_code(exc) in DENIED_CODES


def is_credentials_error(exc: "BaseException") -> bool:
    """botocore found no usable credentials (not: AWS refused them)."""
    return bool(_names(exc) & _CREDENTIAL_ERRORS)


def is_connection_error(exc: "BaseException") -> bool:
    """AWS could not be reached (refused, timed out, closed, a proxy in the way)."""
    return bool(_names(exc) & _CONNECTION_ERRORS)


def is_unreachable(exc: "BaseException") -> bool:
    """AWS could not be asked: no usable credentials, or no connection."""
    return is_credentials_error(exc) or is_connection_error(exc)


def from_aws_sdk(exc: "BaseException") -> bool:
    """Raised by boto3, botocore, s3transfer or awscrt (by module, without importing them)."""
    return any(c.__module__.split(".")[0] in AWS_SDK_MODULES for c in type(exc).__mro__)


def _names(exc: "BaseException") -> set:
    return {c.__name__ for c in type(exc).__mro__}


def credentials_line(exc: "BaseException") -> str:
    """Their text can quote a credential process: name the kind only."""
    return f"no usable AWS credentials ({type(exc).__name__}); {CREDENTIALS_HELP}"


def is_cancellation(exc: "BaseException") -> bool:
    """A transfer cancelled by Ctrl-C: s3transfer's CancelledError (concurrent.futures') or the
    CRT's cancel code. A transfer that failed on its own raises its own error, not these."""
    if "CancelledError" in _names(exc):
        return True
    return from_aws_sdk(exc) and "CANCEL" in str(getattr(exc, "name", "")).upper()
