"""The job's execution role: an ARN as given, or a role name looked up (and created if missing)."""

from __future__ import annotations

import contextlib
import json
import re
import sys
from dataclasses import dataclass
from typing import Any, Optional, Tuple

from ..errors import UsageError, aws_error_code, is_denied

SOURCE_TAG = {"Key": "Source", "Value": "aws-sagemaker-remote"}
MANAGED_POLICY = "AmazonSageMakerFullAccess"
DESCRIPTION = "Execution role for SageMaker Processing jobs, created by aws-sagemaker-remote"
TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "sagemaker.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}

_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$", re.ASCII)
_NAME_RE = re.compile(r"^[\w+=,.@-]{1,64}$", re.ASCII)
_PATH_PART_RE = re.compile(r"^[\w+=,.@-]+$", re.ASCII)


@dataclass(frozen=True)
class RoleName:
    name: str
    path: str  # "/" or "/a/b/"


def is_role_arn(role: str) -> bool:
    return bool(_ARN_RE.fullmatch(role))


def parse_role_name(role: str) -> RoleName:
    """Split `[path/]name` and check it against IAM's rules."""
    parts = role.strip("/").split("/")
    name, path_parts = parts[-1], parts[:-1]
    path = "/" + "".join(p + "/" for p in path_parts)
    if not _NAME_RE.fullmatch(name) or not all(_PATH_PART_RE.fullmatch(p) for p in path_parts):
        raise UsageError(
            f"--sagemaker-role: {role!r} is neither a role ARN (arn:aws:iam::ACCOUNT:role/NAME) "
            "nor a valid role name (1-64 letters, digits or +=,.@_-, optionally after a path "
            "like team/)"
        )
    if len(path) > 512:
        raise UsageError(f"--sagemaker-role: the path of {role!r} is longer than 512 characters")
    return RoleName(name=name, path=path)


def role_arn(partition: str, account: str, role: RoleName) -> str:
    return f"arn:{partition}:iam::{account}:role{role.path}{role.name}"


def resolve_role(
    session: Any,
    role: str,
    *,
    account: Optional[str],
    create: bool,
    partition: str = "aws",
) -> str:
    """The role's ARN; a missing name is created when `create`, else its would-be ARN returned."""
    arn, missing = lookup_role(session, role, account=account, partition=partition, loud=create)
    if not (missing and create):
        return arn
    return _create_role(session.client("iam"), parse_role_name(role), partition)


def lookup_role(
    session: Any,
    role: str,
    *,
    account: Optional[str],
    partition: str = "aws",
    loud: bool = False,
) -> Tuple[str, bool]:
    """(the role's ARN, whether the role is missing), reading IAM at most once. An ARN is taken
    as it is; a role we may not read counts as present (many accounts let users pass roles they
    cannot list)."""
    if is_role_arn(role):
        return role, False
    parsed = parse_role_name(role)
    try:
        found = _get_role_arn(session.client("iam"), parsed)
    except _RoleUnreadable as exc:
        return _assumed_arn(session, parsed, account, partition, exc.code, loud=loud), False
    if found is not None:
        return found, False
    return role_arn(partition, account or _account(session), parsed), True


class _RoleUnreadable(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _assumed_arn(
    session: Any, role: RoleName, account: Optional[str], partition: str, code: str, loud: bool
) -> str:
    """The ARN of a role we may not read: many accounts let users pass roles but not list them."""
    arn = role_arn(partition, account or _account(session), role)
    if loud:
        print(f"note: cannot read IAM role {role.name} ({code}); using {arn}", file=sys.stderr)
    return arn


def _account(session: Any) -> str:
    from .session import account_id

    return account_id(session)


def _get_role_arn(iam: Any, role: RoleName) -> Optional[str]:
    from botocore.exceptions import ClientError

    try:
        return iam.get_role(RoleName=role.name)["Role"]["Arn"]
    except ClientError as exc:
        code = aws_error_code(exc)
        if code == "NoSuchEntity":
            return None
        if is_denied(exc):
            raise _RoleUnreadable(code) from None
        raise


def _create_role(iam: Any, role: RoleName, partition: str) -> str:
    from botocore.exceptions import ClientError

    try:
        arn = iam.create_role(
            RoleName=role.name,
            Path=role.path,
            AssumeRolePolicyDocument=json.dumps(TRUST_POLICY),
            Description=DESCRIPTION,
            Tags=[SOURCE_TAG],
        )["Role"]["Arn"]
    except ClientError as exc:
        if aws_error_code(exc) == "EntityAlreadyExists":  # created meanwhile by someone else
            return iam.get_role(RoleName=role.name)["Role"]["Arn"]
        raise _denied(exc, role, "creating it") from None
    _attach_policy(iam, role, partition)
    print(
        f"created IAM role {arn} (trusts sagemaker.amazonaws.com, policy {MANAGED_POLICY})",
        file=sys.stderr,
    )
    return arn


def _attach_policy(iam: Any, role: RoleName, partition: str) -> None:
    """Attach the managed policy; on failure remove the role rather than leave it powerless."""
    from botocore.exceptions import ClientError

    policy = f"arn:{partition}:iam::aws:policy/{MANAGED_POLICY}"
    try:
        iam.attach_role_policy(RoleName=role.name, PolicyArn=policy)
    except ClientError as exc:
        with contextlib.suppress(ClientError):
            iam.delete_role(RoleName=role.name)
        raise _denied(exc, role, f"attaching {MANAGED_POLICY} to it") from None


def _denied(exc: Any, role: RoleName, action: str) -> Exception:
    """A UsageError when IAM refused `action` for lack of permission, else `exc` itself."""
    code = aws_error_code(exc)
    if not is_denied(exc):
        return exc
    return UsageError(
        f"--sagemaker-role: role {role.name!r} does not exist and {action} was denied "
        f"({code}); pass the name or ARN of an existing role SageMaker can assume"
    )
