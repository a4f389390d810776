"""Check a role the user named (never modified) against the job's S3 use, with IAM's policy
simulator: a missing permission is found before anything is uploaded, not after the compute.

iam:SimulatePrincipalPolicy (botocore's IAM model, `SimulatePrincipalPolicyRequest`) evaluates the
role's identity policies for given actions, resource ARNs and context keys (here `s3:prefix` for
ListBucket); results are paginated (`IsTruncated`/`Marker`). It does not evaluate bucket policies
("Simulation of resource-based policies isn't supported for IAM roles"), so a permission granted
only by a bucket policy shows as missing: the message says so.
"""

from __future__ import annotations

import sys
from typing import Any, Dict, List, Optional

from ..aws.errors import aws_error_code, is_denied
from ..errors import UsageError
from .policy import Permission

ALLOWED = "allowed"


def check_role(iam: Any, role_arn: str, checks: List[Permission]) -> None:
    """UsageError naming the first S3 permission the role lacks; a one-line warning when the
    simulation cannot be run (not allowed to the caller, or not offered by the endpoint)."""
    try:
        missing = _first_missing(iam, role_arn, checks)
    except UsageError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure of the check only costs the check
        reason = aws_error_code(exc) if is_denied(exc) else type(exc).__name__
        print(
            f"warning: cannot check the S3 permissions of role {role_arn} "
            f"(iam:SimulatePrincipalPolicy: {reason}); a missing one fails the job only when "
            "it runs",
            file=sys.stderr,
        )
        return
    if missing is not None:
        check, decision = missing
        raise UsageError(
            f"--sagemaker-role: role {role_arn} may not {check.action} on {_shown(check)} "
            f"(IAM policy simulation: {decision}, bucket policies not counted); grant it, or "
            "omit --sagemaker-role to use a role aws-sagemaker-remote creates for the job"
        )


def _first_missing(iam: Any, role_arn: str, checks: List[Permission]):
    for check in checks:
        decision = _decision(iam, role_arn, check)
        if decision != ALLOWED:
            return check, decision
    return None


def _decision(iam: Any, role_arn: str, check: Permission) -> str:
    kwargs: Dict[str, Any] = {
        "PolicySourceArn": role_arn,
        "ActionNames": [check.action],
        "ResourceArns": [check.resource],
    }
    if check.prefix is not None:
        kwargs["ContextEntries"] = [
            {
                "ContextKeyName": "s3:prefix",
                "ContextKeyValues": [check.prefix],
                "ContextKeyType": "string",
            }
        ]
    decisions: List[str] = []
    marker: Optional[str] = None
    while True:
        if marker:
            kwargs["Marker"] = marker
        page = iam.simulate_principal_policy(**kwargs)
        decisions += [r["EvalDecision"] for r in page.get("EvaluationResults", [])]
        marker = page.get("Marker") if page.get("IsTruncated") else None
        if not marker:
            break
    denied = [d for d in decisions if d != ALLOWED]
    return denied[0] if denied else ALLOWED  # no result proves nothing missing


def _shown(check: Permission) -> str:
    """`s3://bucket/key...` as the user wrote it, from the ARN pattern; a key's ARN as it is."""
    if ":kms:" in check.resource:
        return check.resource
    path = check.resource.split(":::", 1)[-1]
    if check.prefix is not None:
        return f"s3://{path}/{check.prefix}*"
    return "s3://" + path
