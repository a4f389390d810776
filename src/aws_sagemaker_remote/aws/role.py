"""The job's execution role: an ARN as given, or a role name looked up, created when missing.

A role this tool creates carries the tag Source=aws-sagemaker-remote and one inline policy,
`policy.POLICY_NAME`, with exactly what its jobs need; later runs extend that policy. A role the
user names (an ARN, or an existing role without the tag) is never modified: `rolecheck` tests it.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable, Optional

from ..aws.errors import aws_error_code, is_denied
from ..errors import UsageError
from .policy import (
    MAX_INLINE_POLICY_CHARS,
    POLICY_NAME,
    merge_policies,
    policy_size,
    same_policy,
)

SOURCE_TAG = {"Key": "Source", "Value": "aws-sagemaker-remote"}
LEGACY_MANAGED_POLICY = "AmazonSageMakerFullAccess"  # attached by versions before 1.1
PROPAGATION_SECONDS = 60  # at most this long to see a policy change through IAM's reads
DESCRIPTION = "Execution role for SageMaker jobs, created by aws-sagemaker-remote"

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


@dataclass(frozen=True)
class RoleLookup:
    """A role's ARN; whether it is missing (to be created), and whether it is ours (created by
    this tool: its inline policy may be extended)."""

    arn: str
    missing: bool = False
    ours: bool = False


def lookup_role(
    session: Any,
    role: str,
    *,
    account: Optional[str],
    partition: str = "aws",
    loud: bool = False,
) -> RoleLookup:
    """Read IAM at most twice (the role, its tags when GetRole leaves them out). An ARN is taken
    as it is; a role we may not read counts as present and not ours (many accounts let users
    pass roles they cannot list)."""
    if is_role_arn(role):
        return RoleLookup(role)
    parsed = parse_role_name(role)
    iam = session.client("iam")
    try:
        found = _get_role(iam, parsed)
    except _RoleUnreadable as exc:
        return RoleLookup(_assumed_arn(session, parsed, account, partition, exc.code, loud))
    if found is None:
        return RoleLookup(role_arn(partition, account or _account(session), parsed), missing=True)
    return RoleLookup(found["Arn"], ours=_tagged_ours(iam, parsed, found))


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


def _get_role(iam: Any, role: RoleName) -> Optional[dict]:
    from botocore.exceptions import ClientError

    try:
        return iam.get_role(RoleName=role.name)["Role"]
    except ClientError as exc:
        code = aws_error_code(exc)
        if code == "NoSuchEntity":
            return None
        if is_denied(exc):
            raise _RoleUnreadable(code) from None
        raise


def _tagged_ours(iam: Any, role: RoleName, found: dict) -> bool:
    from botocore.exceptions import ClientError

    tags = found.get("Tags")
    if tags is None:
        try:
            tags = iam.list_role_tags(RoleName=role.name).get("Tags", [])
        except ClientError as exc:
            if not is_denied(exc):
                raise
            return False
    return SOURCE_TAG in tags


# ---------------------------------------------------------------------- our own role


def trust_policy(account: str) -> dict:
    """SageMaker may assume the role, and only on behalf of `account`: the `aws:SourceAccount`
    condition guards against the cross-service confused deputy, as the official SDK writes it
    for the roles it creates (sagemaker-core `helper/iam_policies.py` trust policies and
    `iam_role_resolver._scope_trust_policy_to_account`)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "sagemaker.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": account}},
            }
        ],
    }


def create_role(iam: Any, role: str, policy: dict, account: str) -> str:
    """Create the role (trusting SageMaker on behalf of `account`) with its inline policy; the
    role's ARN. A role created meanwhile by another run is used (and its policy extended)
    instead."""
    from botocore.exceptions import ClientError

    parsed = parse_role_name(role)
    try:
        arn = iam.create_role(
            RoleName=parsed.name,
            Path=parsed.path,
            AssumeRolePolicyDocument=json.dumps(trust_policy(account)),
            Description=DESCRIPTION,
            Tags=[SOURCE_TAG],
        )["Role"]["Arn"]
    except ClientError as exc:
        if aws_error_code(exc) != "EntityAlreadyExists":
            raise _denied(exc, parsed, "creating it") from None
        found = iam.get_role(RoleName=parsed.name)["Role"]  # created meanwhile by another run
        if _tagged_ours(iam, parsed, found):
            extend_role_policy(iam, parsed.name, policy)
        return found["Arn"]
    _put_policy(iam, parsed, policy, remove_on_failure=True)
    print(
        f"created IAM role {arn} (trusts sagemaker.amazonaws.com for account {account}; inline "
        f"policy {POLICY_NAME}: the job's S3 prefixes, log group and image)",
        file=sys.stderr,
    )
    wait_for_policy(iam, parsed.name, policy)
    return arn


def extend_role_policy(
    iam: Any,
    role_name: str,
    policy: dict,
    *,
    sleep: Callable[[float], Any] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> bool:
    """Merge `policy` into the role's inline policy; True when it changed (then wait until IAM
    serves the new version: IAM is eventually consistent, IAM User Guide, "Changes that I make
    are not always immediately visible")."""
    current = read_role_policy(iam, role_name)
    merged = merge_policies(current, policy)
    if same_policy(current, merged):
        return False
    parsed = parse_role_name(role_name)
    _put_policy(iam, parsed, merged, remove_on_failure=False)
    print(f"extended inline policy {POLICY_NAME} of IAM role {role_name}", file=sys.stderr)
    if current is None:
        _note_legacy_policy(iam, role_name)
    wait_for_policy(iam, role_name, merged, sleep=sleep, clock=clock)
    return True


def _note_legacy_policy(iam: Any, role_name: str) -> None:
    """Older versions attached AmazonSageMakerFullAccess; it is left alone (jobs started with it
    may still run) but no longer needed."""
    from botocore.exceptions import ClientError

    try:
        attached = iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]
    except ClientError:
        return
    for policy in attached:
        if policy["PolicyName"] == LEGACY_MANAGED_POLICY:
            print(
                f"note: role {role_name} also has {LEGACY_MANAGED_POLICY}, which its jobs no "
                f"longer need; detach it with: aws iam detach-role-policy --role-name "
                f"{role_name} --policy-arn {policy['PolicyArn']}",
                file=sys.stderr,
            )


def read_role_policy(iam: Any, role_name: str) -> Optional[dict]:
    from botocore.exceptions import ClientError

    try:
        document = iam.get_role_policy(RoleName=role_name, PolicyName=POLICY_NAME)
    except ClientError as exc:
        if aws_error_code(exc) == "NoSuchEntity":
            return None
        raise
    return _document(document["PolicyDocument"])


def _document(value: Any) -> dict:
    """botocore decodes IAM policy documents; a server may still send URL-encoded JSON."""
    if isinstance(value, dict):
        return value
    from urllib.parse import unquote

    text = value if value.lstrip().startswith("{") else unquote(value)
    return json.loads(text)


def wait_for_policy(
    iam: Any,
    role_name: str,
    expected: dict,
    *,
    sleep: Callable[[float], Any] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Poll until IAM reads back `expected`, at most PROPAGATION_SECONDS."""
    deadline = clock() + PROPAGATION_SECONDS
    delay = 0.5
    while not same_policy(read_role_policy(iam, role_name), expected):
        if clock() >= deadline:
            print(
                f"warning: IAM does not show the new policy of role {role_name} yet after "
                f"{PROPAGATION_SECONDS} s; the job may start before it applies",
                file=sys.stderr,
            )
            return
        sleep(delay)
        delay = min(delay * 2, 8.0)


def _put_policy(iam: Any, role: RoleName, policy: dict, *, remove_on_failure: bool) -> None:
    from botocore.exceptions import ClientError

    if policy_size(policy) > MAX_INLINE_POLICY_CHARS:
        raise UsageError(
            f"--sagemaker-role: the inline policy {POLICY_NAME} of role {role.name} would pass "
            f"IAM's {MAX_INLINE_POLICY_CHARS} characters with this job's S3 locations; delete it "
            f"(aws iam delete-role-policy --role-name {role.name} --policy-name {POLICY_NAME}) "
            "and the next run starts it afresh"
        )
    try:
        iam.put_role_policy(
            RoleName=role.name, PolicyName=POLICY_NAME, PolicyDocument=json.dumps(policy)
        )
    except ClientError as exc:
        if remove_on_failure:  # rather than leave a role that cannot do anything
            with contextlib.suppress(ClientError):
                iam.delete_role(RoleName=role.name)
        raise _denied(exc, role, f"giving it its policy {POLICY_NAME}") from None


def _denied(exc: Any, role: RoleName, action: str) -> Exception:
    """A UsageError when IAM refused `action` for lack of permission, else `exc` itself."""
    code = aws_error_code(exc)
    if not is_denied(exc):
        return exc
    return UsageError(
        f"--sagemaker-role: role {role.name!r} needs aws-sagemaker-remote's policy and {action} "
        f"was denied ({code}); pass the name or ARN of an existing role SageMaker can assume"
    )
