"""Creating a job right after its role was created or its policy changed.

IAM is eventually consistent: a change is not visible everywhere at once, and reading it back
(GetRolePolicy) does not mean it is in effect (IAM User Guide, "Changes that I make are not
always immediately visible", troubleshoot_general.html#troubleshoot_general_eventual-consistency).
Until it is, SageMaker refuses to create the job in one of two ways:

- it cannot assume a role just created: "Could not assume role ...";
- a training job's channels are listed with the role when the job is created, so a ListBucket
  grant not yet in effect reads as an empty channel: `ValidationException: No S3 objects found
  under S3 URL "s3://..." given in input data source. Please ensure ... that the role "arn:..."
  has "s3:ListBucket" permissions on bucket "..."` (the wording AWS returns, e.g.
  aws/amazon-sagemaker-examples issue #2267).

After such a change those two answers are retried for about a minute; the waiting line says why.
Any other error, or either one once the minute has passed, is raised as it is.
"""

from __future__ import annotations

import sys
import time
from typing import IO, Any, Callable, Optional

from ..aws.errors import aws_error_code, aws_error_message

PROPAGATION_SECONDS = 60
FIRST_DELAY, LONGEST_DELAY = 1.0, 15.0


def propagation_symptom(exc: BaseException) -> Optional[str]:
    """SageMaker's answer when it says the role's change is not in effect yet, else None."""
    message = aws_error_message(exc)
    lowered = message.lower()
    if "could not assume role" in lowered or (
        aws_error_code(exc) == "ValidationException" and '"s3:listbucket"' in lowered
    ):
        return f"{aws_error_code(exc)}: {message}"
    return None


def retry_while_propagating(
    call: Callable[[], Any],
    change: Optional[str],
    *,
    sleep: Callable[[float], Any] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    out: Optional[IO[str]] = None,
) -> Any:
    """`call()`; when `change` (what just changed in IAM) is given, retried with backoff while
    it fails with a propagation symptom, for at most PROPAGATION_SECONDS from the first try."""
    from botocore.exceptions import ClientError

    out = out or sys.stderr
    start = clock()
    delay = FIRST_DELAY
    while True:
        try:
            return call()
        except ClientError as exc:
            symptom = propagation_symptom(exc) if change else None
            waited = clock() - start
            if symptom is None or waited + delay > PROPAGATION_SECONDS:
                raise
            out.write(
                f"waiting for IAM to apply the change ({change}; SageMaker answered "
                f"{symptom}); retrying in {delay:g} s ({waited:.0f} s of at most "
                f"{PROPAGATION_SECONDS} s)\n"
            )
            out.flush()
            sleep(delay)
            delay = min(delay * 2, LONGEST_DELAY)
