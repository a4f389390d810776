"""Make what the resolved names refer to, once the plan is known: the execution role's
permissions (AWS) and the bucket. Nothing here runs for a dry run."""

from __future__ import annotations

from .plan import JobPlan
from .resolve import Resolution


def provision(resolution: Resolution, plan: JobPlan) -> bool:
    """True when a role was created (SageMaker may need a few seconds before it can assume it).

    The role goes first: a role the user named that lacks an S3 permission of this job stops
    the run (exit 2) before the bucket is created or anything uploaded.
    """
    created_role = False
    if resolution.session is not None:
        created_role = _role(resolution, plan)
    from ..aws.bucket import ensure_bucket

    resolved = resolution.resolved
    ensure_bucket(
        resolution.backend.s3,
        resolved.bucket,
        resolved.region,
        create=True,
        expected_owner=resolved.bucket_owner(resolved.bucket),
    )
    return created_role


def _role(resolution: Resolution, plan: JobPlan) -> bool:
    """Create our role with the job's policy, extend our role's policy, or check the user's."""
    from ..aws.partition import partition
    from ..aws.policy import Place, job_policy, s3_checks
    from ..aws.role import create_role, extend_role_policy, parse_role_name
    from ..aws.rolecheck import check_role

    spec, resolved = resolution.spec, resolution.resolved
    iam = resolution.session.client("iam")
    place = Place(partition(resolved.region), resolved.region, resolved.account or "")
    if resolution.role_missing or resolution.role_ours:
        policy = job_policy(plan.request, place, resolved.bucket, spec.prefix)
        if resolution.role_missing:
            create_role(iam, spec.role, policy)
            return True
        extend_role_policy(iam, parse_role_name(spec.role).name, policy)
        return False
    checks = s3_checks(plan.request, resolved.bucket, spec.prefix, place.partition)
    check_role(iam, resolved.role_arn, checks)
    return False
