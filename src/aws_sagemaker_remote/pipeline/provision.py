"""Make what the resolved names refer to, once the plan is known: the execution role's
permissions (AWS) and the bucket. Nothing here runs for a dry run."""

from __future__ import annotations

from typing import Optional

from .plan import JobPlan
from .resolve import Resolution


def provision(resolution: Resolution, plan: JobPlan) -> Optional[str]:
    """What changed in IAM (a role created, its policy extended), or None: SageMaker may not
    see the change for a while (the job's creation waits for it, aws/propagation.py).

    The role goes first: a role the user named that lacks an S3 permission of this job stops
    the run (exit 2) before the bucket is created or anything uploaded.
    """
    iam_change = None
    if resolution.session is not None:
        iam_change = _role(resolution, plan)
    from ..aws.bucket import ensure_bucket

    resolved = resolution.resolved
    ensure_bucket(
        resolution.backend.s3,
        resolved.bucket,
        resolved.region,
        create=True,
        expected_owner=resolved.bucket_owner(resolved.bucket),
    )
    return iam_change


def _role(resolution: Resolution, plan: JobPlan) -> Optional[str]:
    """Create our role with the job's policy, extend our role's policy, or check the user's."""
    from ..aws.encryption import data_keys
    from ..aws.partition import partition
    from ..aws.policy import Place, job_policy, kms_checks, s3_checks
    from ..aws.role import create_role, extend_role_policy, parse_role_name
    from ..aws.rolecheck import check_role

    spec, resolved = resolution.spec, resolution.resolved
    iam = resolution.session.client("iam")
    place = Place(partition(resolved.region), resolved.region, resolved.account or "")
    keys = data_keys(
        resolution.backend.s3,
        plan.request,
        resolved.bucket,
        spec.prefix,
        plan.expected_owner,
        spec.s3_kms_keys,
    )
    if resolution.role_missing or resolution.role_ours:
        policy = job_policy(plan.request, place, resolved.bucket, spec.prefix, keys)
        name = parse_role_name(spec.role).name
        if resolution.role_missing:
            create_role(iam, spec.role, policy, place.account)
            return f"role {name} was just created"
        if extend_role_policy(iam, name, policy):
            return f"the policy of role {name} was just extended"
        return None
    checks = s3_checks(plan.request, resolved.bucket, spec.prefix, place.partition)
    check_role(iam, resolved.role_arn, checks + kms_checks(keys, place))
    return None
