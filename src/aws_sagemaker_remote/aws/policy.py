"""The execution role's own policy: exactly what one processing or training job needs, computed
from its request (pure), and merged into what earlier jobs needed (never dropping anything).

Actions from the SageMaker Developer Guide, "How to use SageMaker execution roles"
(sagemaker-roles.html, "CreateProcessingJob API: Execution Role Permissions" and
"CreateTrainingJob API: Execution Role Permissions", the same lists): S3
GetObject/PutObject/ListBucket, CloudWatch Logs and PutMetricData, ECR pull, EC2 network
interfaces with a VPC, kms:Encrypt for an output key and kms:CreateGrant for a volume key. Scoped
here to the job's own S3 prefixes, its kind's log group, its image's repository and its keys.
A training job also reads and writes its checkpoint prefix (restored at start, saved while it
runs: "Checkpoints in Amazon SageMaker AI") and writes its model and output under S3OutputPath.

Objects encrypted with a customer managed KMS key (SSE-KMS, e.g. a bucket's default encryption)
are read with kms:Decrypt (the guide: "If your input is encrypted using server-side encryption
with an AWS KMS-managed key (SSE-KMS), add ... kms:Decrypt") and written with
kms:GenerateDataKey, plus kms:Decrypt for multipart uploads (S3 User Guide, "Using server-side
encryption with AWS KMS keys", Permissions; "Multipart upload API and permissions"); kms:Encrypt
as the SDK's role resolver grants beside them (sagemaker-core `helper/iam_policies.py`).

S3 resources follow what SageMaker reads and writes: an input `s3://B/K` (S3Prefix) is every
object whose key starts with K (`B/K*`, and ListBucket on B with `s3:prefix` like `K*`); an
output `s3://B/K` receives `K/<file>` (`B/K/*`). The staging prefix `s3://B/P/` holds the code
channels, the staged inputs and the default outputs, so one `B/P/*` covers what changes from run
to run (new code digests, new job names) and the policy stays small.
"""

from __future__ import annotations

import copy
import hashlib
import re
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Iterable, List, Optional, Set, Tuple

from ..kinds import kind_of

POLICY_NAME = "aws-sagemaker-remote-job-access"
MAX_INLINE_POLICY_CHARS = 10240  # all inline policies of a role, whitespace not counted (IAM)

READ_ACTIONS = ["s3:GetObject"]
WRITE_ACTIONS = ["s3:PutObject", "s3:AbortMultipartUpload"]
LOG_ACTIONS = [
    "logs:CreateLogGroup",
    "logs:CreateLogStream",
    "logs:DescribeLogStreams",
    "logs:PutLogEvents",
]
ECR_PULL_ACTIONS = [
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
]
VPC_ACTIONS = [
    "ec2:CreateNetworkInterface",
    "ec2:CreateNetworkInterfacePermission",
    "ec2:DeleteNetworkInterface",
    "ec2:DeleteNetworkInterfacePermission",
    "ec2:DescribeDhcpOptions",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcs",
]
# Output objects are encrypted with the key; multipart uploads also decrypt (S3 with SSE-KMS).
OUTPUT_KMS_ACTIONS = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
VOLUME_KMS_ACTIONS = ["kms:CreateGrant"]
DATA_READ_KMS_ACTIONS = ["kms:Decrypt"]
DATA_WRITE_KMS_ACTIONS = OUTPUT_KMS_ACTIONS

# An image in ECR: ACCOUNT.dkr.ecr[-fips].REGION.amazonaws.com[.cn]/REPOSITORY, then a tag, a
# digest or both (the reference grammar, pipeline/formats.py; validation keeps one of the two).
_ECR_IMAGE_RE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr(-fips)?\.(?P<region>[a-z0-9-]+)\.[a-z0-9.-]+/"
    r"(?P<repository>[a-z0-9._/-]+?)(:[\w.-]+)?(@sha256:[0-9a-f]{64})?$"
)


@dataclass(frozen=True)
class Place:
    """Where a job runs: what ARNs are built from."""

    partition: str
    region: str
    account: str


@dataclass
class S3Access:
    """Object patterns (`bucket/key-pattern`) read and written, and the list prefixes per bucket
    (a pattern `*` lists the whole bucket)."""

    read: Set[str] = field(default_factory=set)
    write: Set[str] = field(default_factory=set)
    list_prefixes: Dict[str, Set[str]] = field(default_factory=dict)

    def add_read(self, bucket: str, key: str) -> None:
        self.read.add(f"{bucket}/{key}*")
        self.list_prefixes.setdefault(bucket, set()).add(f"{key}*")

    def add_write(self, bucket: str, key: str) -> None:
        key = key.rstrip("/")
        self.write.add(f"{bucket}/{key}/*" if key else f"{bucket}/*")


@dataclass(frozen=True)
class DataKeys:
    """The KMS keys of the job's S3 objects (key id, key ARN, alias name or alias ARN): those of
    what it reads and those of what it writes."""

    read: FrozenSet[str] = frozenset()
    write: FrozenSet[str] = frozenset()


def s3_buckets(
    request: dict, staging_bucket: str, staging_prefix: str
) -> Tuple[Set[str], Set[str]]:
    """The buckets the job reads from and those it writes to."""
    access = s3_access(request, staging_bucket, staging_prefix)
    return set(access.list_prefixes), {p.split("/", 1)[0] for p in access.write}


def s3_access(request: dict, staging_bucket: str, staging_prefix: str) -> S3Access:
    """The S3 objects the job reads and writes, with everything under the staging prefix
    folded into that prefix."""
    from ..s3.uri import parse

    base = staging_prefix.strip("/")
    base = f"{base}/" if base else ""
    access = S3Access()
    access.add_read(staging_bucket, base)
    access.add_write(staging_bucket, base)

    def staged(bucket: str, key: str) -> bool:
        return bucket == staging_bucket and key.startswith(base)

    reads, writes = _s3_places(request)
    for uri in reads:
        parsed = parse(uri)
        if not staged(parsed.bucket, parsed.key):
            access.add_read(parsed.bucket, parsed.key)
    for uri in writes:
        parsed = parse(uri)
        if not staged(parsed.bucket, parsed.key):
            access.add_write(parsed.bucket, parsed.key)
    return access


def _s3_places(request: dict) -> Tuple[List[str], List[str]]:
    """The S3 URIs a job reads (input channels, checkpoints) and writes (outputs, the model,
    checkpoints), from its Create*Job request."""
    kind = kind_of(request)
    reads = [channel.uri for channel in kind.channels(request)]
    writes = kind.written_prefixes(request)
    checkpoint = kind.checkpoint(request)
    if checkpoint is not None:
        reads.append(checkpoint.uri)
        writes.append(checkpoint.uri)
    return [u for u in reads if u], [u for u in writes if u]


def job_policy(
    request: dict,
    place: Place,
    staging_bucket: str,
    staging_prefix: str,
    data_keys: DataKeys = DataKeys(),
) -> Dict[str, object]:
    """The policy document one job needs (see the module's docstring)."""
    s3 = f"arn:{place.partition}:s3:::"
    access = s3_access(request, staging_bucket, staging_prefix)
    statements: List[dict] = [
        _allow("ReadJobData", READ_ACTIONS, sorted(s3 + p for p in access.read)),
        _allow("WriteJobData", WRITE_ACTIONS, sorted(s3 + p for p in access.write)),
    ]
    for bucket in sorted(access.list_prefixes):
        statements.append(_list_bucket(s3 + bucket, access.list_prefixes[bucket]))
    kind = kind_of(request)
    group = f"arn:{place.partition}:logs:{place.region}:{place.account}:log-group:{kind.log_group}"
    statements.append(_allow("JobLogs", LOG_ACTIONS, [group, group + ":*"]))
    statements.append(_allow("JobMetrics", ["cloudwatch:PutMetricData"], ["*"]))
    statements.append(_allow("ImageRegistryLogin", ["ecr:GetAuthorizationToken"], ["*"]))
    repository = ecr_repository_arn(kind.app(request).image)
    if repository:
        statements.append(_allow("ImagePull", ECR_PULL_ACTIONS, [repository]))
    if kind.vpc(request):
        statements.append(_allow("VpcNetworkInterfaces", VPC_ACTIONS, ["*"]))
    for sid, keys, actions in (
        ("OutputKey", [kind.output_kms_key(request)], OUTPUT_KMS_ACTIONS),
        ("VolumeKey", [kind.cluster(request).get("VolumeKmsKeyId")], VOLUME_KMS_ACTIONS),
        ("DataKeyRead", data_keys.read, DATA_READ_KMS_ACTIONS),
        ("DataKeyWrite", data_keys.write, DATA_WRITE_KMS_ACTIONS),
    ):
        statements += _kms(sid, [k for k in keys if k], actions, place)
    return {"Version": "2012-10-17", "Statement": statements}


def ecr_repository_arn(image: str) -> Optional[str]:
    """The ARN of the ECR repository an image reference names, or None outside ECR."""
    match = _ECR_IMAGE_RE.match(image)
    if match is None:
        return None
    from .partition import partition

    region = match.group("region")
    return (
        f"arn:{partition(region)}:ecr:{region}:{match.group('account')}:repository/"
        f"{match.group('repository')}"
    )


def _allow(sid: str, actions: List[str], resources: List[str]) -> dict:
    return {"Sid": sid, "Effect": "Allow", "Action": list(actions), "Resource": list(resources)}


def _list_bucket(bucket_arn: str, prefixes: Set[str]) -> dict:
    digest = hashlib.sha256(bucket_arn.encode()).hexdigest()[:16]
    statement = _allow(f"ListBucket{digest}", ["s3:ListBucket"], [bucket_arn])
    if "*" not in prefixes:
        statement["Condition"] = {"StringLike": {"s3:prefix": _pruned(prefixes)}}
    return statement


def _kms(sid: str, keys: Iterable[str], actions: List[str], place: Place) -> List[dict]:
    """Keys by id or ARN are the keys' ARNs; an alias (IAM cannot name a key by its alias ARN)
    is any key of the account that carries the alias (kms:ResourceAliases)."""
    arns, aliases = set(), set()
    for key in keys:
        alias = kms_alias(key)
        if alias is not None:
            aliases.add(alias)
        else:
            arns.add(key if key.startswith("arn:") else _kms_arn(place, f"key/{key}"))
    statements = [_allow(sid, actions, sorted(arns))] if arns else []
    if aliases:
        statement = _allow(sid + "ByAlias", actions, [_kms_arn(place, "key/*")])
        condition = {"kms:ResourceAliases": sorted(aliases)}
        statement["Condition"] = {"ForAnyValue:StringEquals": condition}
        statements.append(statement)
    return statements


def kms_alias(key: str) -> Optional[str]:
    """`alias/NAME` of a key given by alias name or alias ARN; None for a key id or key ARN."""
    if key.startswith("alias/"):
        return key
    if key.startswith("arn:") and ":alias/" in key:
        return key.split(":", 5)[5]
    return None


def _kms_arn(place: Place, resource: str) -> str:
    return f"arn:{place.partition}:kms:{place.region}:{place.account}:{resource}"


# ---------------------------------------------------------------------- merging


def merge_policies(old: Optional[dict], new: dict) -> dict:
    """`old` extended by `new`: statements matched by Sid get the union of their actions,
    resources and condition values (a pattern another one covers is dropped); nothing of `old`
    is removed. A statement without a condition on either side keeps none."""
    if not old:
        return copy.deepcopy(new)
    merged = copy.deepcopy(old)
    statements = _as_list(merged.setdefault("Statement", []))
    merged["Statement"] = statements
    by_sid = {s.get("Sid"): s for s in statements if isinstance(s, dict) and s.get("Sid")}
    for statement in new["Statement"]:
        mine = by_sid.get(statement["Sid"])
        if mine is None:
            statements.append(copy.deepcopy(statement))
            continue
        for key in ("Action", "Resource"):
            mine[key] = _pruned(set(_as_list(mine.get(key, []))) | set(statement[key]))
        _merge_conditions(mine, statement)
    return merged


def _merge_conditions(mine: dict, theirs: dict) -> None:
    if "Condition" not in mine or "Condition" not in theirs:
        mine.pop("Condition", None)
        return
    for operator, keys in theirs["Condition"].items():
        target = mine["Condition"].setdefault(operator, {})
        for key, values in keys.items():
            target[key] = _pruned(set(_as_list(target.get(key, []))) | set(_as_list(values)))


def _as_list(value: object) -> list:
    return list(value) if isinstance(value, list) else [value]


def _pruned(patterns: Set[str]) -> List[str]:
    """Sorted, without the patterns a wildcard pattern of the set already covers."""
    wild = [p[:-1] for p in patterns if p.endswith("*")]
    return sorted(p for p in patterns if not any(p != w + "*" and p.startswith(w) for w in wild))


def same_policy(a: Optional[dict], b: Optional[dict]) -> bool:
    return a is not None and b is not None and _canonical(a) == _canonical(b)


def _canonical(value: object) -> object:
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        items = [_canonical(v) for v in value]
        return sorted(items, key=repr) if all(isinstance(v, str) for v in value) else items
    return value


def policy_size(document: dict) -> int:
    import json

    return len(json.dumps(document, separators=(",", ":")))


@dataclass(frozen=True)
class Permission:
    """One permission the job needs: the action, the resource ARN (an S3 object pattern, the
    bucket for ListBucket, a KMS key) and, for ListBucket, the prefix SageMaker lists."""

    action: str
    resource: str
    prefix: Optional[str] = None


def s3_checks(
    request: dict, staging_bucket: str, staging_prefix: str, partition: str = "aws"
) -> List[Permission]:
    """What a policy simulation of the job's S3 use asks about."""
    s3 = f"arn:{partition}:s3:::"
    access = s3_access(request, staging_bucket, staging_prefix)
    checks = [Permission("s3:GetObject", s3 + p) for p in sorted(access.read)]
    checks += [Permission("s3:PutObject", s3 + p) for p in sorted(access.write)]
    for bucket, prefixes in sorted(access.list_prefixes.items()):
        checks += [Permission("s3:ListBucket", s3 + bucket, p[:-1]) for p in sorted(prefixes)]
    return checks


def kms_checks(data_keys: DataKeys, place: Place) -> List[Permission]:
    """What a policy simulation of the job's use of its S3 data's keys asks about: reading
    (kms:Decrypt) and writing (kms:GenerateDataKey) with each key named by id or ARN (a key
    named by an alias has no ARN to simulate on)."""
    checks = []
    for action, keys in (("kms:Decrypt", data_keys.read), ("kms:GenerateDataKey", data_keys.write)):
        for key in sorted(k for k in keys if kms_alias(k) is None):
            arn = key if key.startswith("arn:") else _kms_arn(place, f"key/{key}")
            checks.append(Permission(action, arn))
    return checks
