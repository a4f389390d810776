"""Create what the resolved names refer to: the role (AWS, when missing) and the bucket."""

from __future__ import annotations

from .resolve import Resolution


def provision(resolution: Resolution) -> bool:
    """True when a role was created (SageMaker may need a few seconds before it can assume it)."""
    spec, resolved = resolution.spec, resolution.resolved
    created_role = resolution.session is not None and resolution.role_missing
    if created_role:
        from ..aws.partition import partition
        from ..aws.role import resolve_role

        resolve_role(
            resolution.session,
            spec.role,
            account=resolved.account,
            create=True,
            partition=partition(resolved.region),
        )
    from ..aws.bucket import ensure_bucket

    ensure_bucket(resolution.backend.s3, resolved.bucket, resolved.region, create=True)
    return created_role
