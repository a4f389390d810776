"""The role's policy computed from a request (pure), merged across runs, and the check of a role
the user names, answered by botocore's Stubber (requests and responses validated against the
IAM model; moto offers no SimulatePrincipalPolicy)."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.stub import ANY, Stubber

from aws_sagemaker_remote.aws import role as rolemod
from aws_sagemaker_remote.aws.policy import (
    POLICY_NAME,
    Permission,
    Place,
    ecr_repository_arn,
    job_policy,
    merge_policies,
    policy_size,
    s3_checks,
    same_policy,
)
from aws_sagemaker_remote.aws.rolecheck import check_role
from aws_sagemaker_remote.errors import UsageError

PLACE = Place("aws", "eu-west-1", "123456789012")
ROLE_ARN = "arn:aws:iam::123456789012:role/theirs"


def request(inputs=(), outputs=(), **extra) -> dict:
    body = {
        "ProcessingJobName": "j",
        "ProcessingInputs": [{"S3Input": {"S3Uri": uri}} for uri in inputs],
        "ProcessingOutputConfig": {"Outputs": [{"S3Output": {"S3Uri": uri}} for uri in outputs]},
        "AppSpecification": {
            "ImageUri": "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn:1.9-0"
            "-cpu-py3"
        },
    }
    body.update(extra)
    return body


def by_sid(policy: dict) -> dict:
    return {s["Sid"]: s for s in policy["Statement"]}


def test_staging_prefix_covers_code_staged_inputs_and_default_outputs():
    policy = job_policy(
        request(
            inputs=["s3://stage/p/code/script-0123/", "s3://stage/p/inputs/data-4567/"],
            outputs=["s3://stage/p/job-1/out"],
        ),
        PLACE,
        "stage",
        "p",
    )
    statements = by_sid(policy)
    assert statements["ReadJobData"]["Resource"] == ["arn:aws:s3:::stage/p/*"]
    assert statements["WriteJobData"]["Resource"] == ["arn:aws:s3:::stage/p/*"]
    (listing,) = [s for sid, s in statements.items() if sid.startswith("ListBucket")]
    assert listing["Resource"] == ["arn:aws:s3:::stage"]
    assert listing["Condition"] == {"StringLike": {"s3:prefix": ["p/*"]}}


def test_user_locations_are_their_exact_prefixes():
    policy = job_policy(
        request(inputs=["s3://data/train", "s3://data/eval/x.csv"], outputs=["s3://res/out/"]),
        PLACE,
        "stage",
        "p",
    )
    statements = by_sid(policy)
    assert statements["ReadJobData"]["Resource"] == [
        "arn:aws:s3:::data/eval/x.csv*",
        "arn:aws:s3:::data/train*",  # S3Prefix: every key that starts with "train"
        "arn:aws:s3:::stage/p/*",
    ]
    assert statements["WriteJobData"]["Resource"] == [
        "arn:aws:s3:::res/out/*",
        "arn:aws:s3:::stage/p/*",
    ]
    conditions = {
        s["Resource"][0]: s.get("Condition") for sid, s in statements.items() if "List" in sid
    }
    assert conditions["arn:aws:s3:::data"] == {
        "StringLike": {"s3:prefix": ["eval/x.csv*", "train*"]}
    }
    assert "arn:aws:s3:::res" not in conditions  # outputs are written, never listed


def test_whole_bucket_input_lists_without_condition_and_empty_prefix_stages_at_the_root():
    policy = job_policy(request(inputs=["s3://data"]), PLACE, "stage", "")
    statements = by_sid(policy)
    assert "arn:aws:s3:::data/*" in statements["ReadJobData"]["Resource"]
    assert "arn:aws:s3:::stage/*" in statements["WriteJobData"]["Resource"]
    listings = [s for sid, s in statements.items() if "List" in sid]
    assert all("Condition" not in s for s in listings)


def test_logs_metrics_ecr_and_nothing_broader():
    statements = by_sid(job_policy(request(), PLACE, "stage", "p"))
    assert statements["JobLogs"]["Resource"] == [
        "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/ProcessingJobs",
        "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/ProcessingJobs:*",
    ]
    assert statements["ImagePull"]["Resource"] == [
        "arn:aws:ecr:eu-west-1:141502667606:repository/sagemaker-scikit-learn"
    ]
    assert set(statements) == {
        "ReadJobData",
        "WriteJobData",
        "JobLogs",
        "JobMetrics",
        "ImageRegistryLogin",
        "ImagePull",
        next(sid for sid in statements if sid.startswith("ListBucket")),
    }
    every_action = {a for s in statements.values() for a in s["Action"]}
    assert not [a for a in every_action if a.endswith("*") or a.startswith(("iam:", "sagemaker:"))]


@pytest.mark.parametrize(
    ("key", "resource", "condition"),
    [
        ("1234abcd-12ab", "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab", None),
        ("arn:aws:kms:us-east-1:999999999999:key/k", "arn:aws:kms:us-east-1:999999999999:key/k",
         None),
        ("alias/mine", "arn:aws:kms:eu-west-1:123456789012:key/*", "alias/mine"),
        ("arn:aws:kms:eu-west-1:123456789012:alias/mine",
         "arn:aws:kms:eu-west-1:123456789012:key/*", "alias/mine"),
    ],
)  # fmt: skip
def test_kms_keys_by_id_arn_or_alias(key, resource, condition):
    cluster = {"ClusterConfig": {"VolumeKmsKeyId": key}}
    policy = job_policy(request(ProcessingResources=cluster), PLACE, "stage", "p")
    (statement,) = [s for s in policy["Statement"] if s["Action"] == ["kms:CreateGrant"]]
    assert statement["Resource"] == [resource]
    if condition:
        assert statement["Condition"] == {
            "ForAnyValue:StringEquals": {"kms:ResourceAliases": [condition]}
        }


def test_vpc_actions_only_with_a_vpc():
    plain = job_policy(request(), PLACE, "stage", "p")
    vpc = job_policy(
        request(NetworkConfig={"VpcConfig": {"Subnets": ["s"], "SecurityGroupIds": ["g"]}}),
        PLACE,
        "stage",
        "p",
    )
    assert "VpcNetworkInterfaces" not in by_sid(plain)
    assert by_sid(vpc)["VpcNetworkInterfaces"]["Resource"] == ["*"]


def test_ecr_repository_of_an_image():
    assert ecr_repository_arn("1.dkr.ecr.x/y") is None
    assert ecr_repository_arn("my-image:latest") is None
    assert (
        ecr_repository_arn(
            "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/team/tool@sha256:" + "a" * 64
        )
        == "arn:aws-cn:ecr:cn-north-1:123456789012:repository/team/tool"
    )
    tagged_and_pinned = f"123456789012.dkr.ecr.us-east-1.amazonaws.com/tool:v1@sha256:{'b' * 64}"
    assert ecr_repository_arn(tagged_and_pinned) == (
        "arn:aws:ecr:us-east-1:123456789012:repository/tool"
    )


# ---------------------------------------------------------------------- merging


def test_merge_keeps_everything_and_adds_the_new():
    first = job_policy(request(outputs=["s3://aaa/x"]), PLACE, "stage", "p")
    second = job_policy(
        request(inputs=["s3://bbb/in"], outputs=["s3://ccc/y"]), PLACE, "stage", "p"
    )
    merged = merge_policies(first, second)
    statements = by_sid(merged)
    assert statements["WriteJobData"]["Resource"] == [
        "arn:aws:s3:::aaa/x/*",
        "arn:aws:s3:::ccc/y/*",
        "arn:aws:s3:::stage/p/*",
    ]
    assert "arn:aws:s3:::bbb/in*" in statements["ReadJobData"]["Resource"]
    assert same_policy(merge_policies(merged, second), merged)  # idempotent
    assert same_policy(merge_policies(merged, first), merged)


def test_merge_drops_patterns_a_wider_one_covers_and_keeps_foreign_statements():
    old = job_policy(request(inputs=["s3://ddd/data/train/"]), PLACE, "stage", "p")
    old["Statement"].append({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "x"})
    new = job_policy(request(inputs=["s3://ddd/data/"]), PLACE, "stage", "p")
    merged = merge_policies(old, new)
    read = by_sid({"Statement": [s for s in merged["Statement"] if "Sid" in s]})["ReadJobData"]
    assert read["Resource"] == ["arn:aws:s3:::ddd/data/*", "arn:aws:s3:::stage/p/*"]
    assert {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "x"} in merged["Statement"]


def test_merge_with_nothing_is_the_new_policy():
    new = job_policy(request(), PLACE, "stage", "p")
    assert merge_policies(None, new) == new
    assert policy_size(new) < 2000


# ---------------------------------------------------------------------- our role


def iam_stub():
    iam = boto3.client(
        "iam", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
    )
    return iam, Stubber(iam)


def test_role_whose_policy_cannot_be_put_is_removed():
    iam, stub = iam_stub()
    policy = job_policy(request(), PLACE, "stage", "p")
    stub.add_response(
        "create_role",
        {"Role": {"Path": "/", "RoleName": "r", "RoleId": "AROAEXAMPLEEXAMPLE01",
                  "Arn": "arn:aws:iam::123456789012:role/r", "CreateDate": "2024-01-01"}},
    )  # fmt: skip
    stub.add_client_error("put_role_policy", "AccessDenied", http_status_code=403)
    stub.add_response("delete_role", {}, {"RoleName": "r"})
    with stub, pytest.raises(UsageError, match=f"giving it its policy {POLICY_NAME}"):
        rolemod.create_role(iam, "r", policy, "123456789012")
    stub.assert_no_pending_responses()


def test_extension_that_changes_nothing_puts_nothing():
    iam, stub = iam_stub()
    policy = job_policy(request(), PLACE, "stage", "p")
    stub.add_response(
        "get_role_policy",
        {"RoleName": "r", "PolicyName": POLICY_NAME, "PolicyDocument": json.dumps(policy)},
        {"RoleName": "r", "PolicyName": POLICY_NAME},
    )
    with stub:
        assert rolemod.extend_role_policy(iam, "r", policy) is False
    stub.assert_no_pending_responses()


def test_extension_waits_until_iam_reads_the_new_policy_back(capsys):
    iam, stub = iam_stub()
    old = job_policy(request(), PLACE, "stage", "p")
    new = job_policy(request(outputs=["s3://more/out"]), PLACE, "stage", "p")
    merged = merge_policies(old, new)

    def answer(document):
        return {"RoleName": "r", "PolicyName": POLICY_NAME, "PolicyDocument": json.dumps(document)}

    stub.add_response("get_role_policy", answer(old))
    stub.add_response(
        "put_role_policy", {}, {"RoleName": "r", "PolicyName": POLICY_NAME, "PolicyDocument": ANY}
    )
    stub.add_response("get_role_policy", answer(old))  # not propagated yet
    stub.add_response("get_role_policy", answer(merged))
    slept = []
    with stub:
        assert rolemod.extend_role_policy(iam, "r", new, sleep=slept.append) is True
    stub.assert_no_pending_responses()
    assert slept == [0.5]
    assert capsys.readouterr().err.count("\n") == 1


def test_a_policy_too_big_for_iam_is_a_usage_error():
    iam, stub = iam_stub()
    many = [f"s3://bucket-{i}/some/long/prefix/for/output/{i}" for i in range(200)]
    new = job_policy(request(outputs=many), PLACE, "stage", "p")
    stub.add_client_error("get_role_policy", "NoSuchEntity", http_status_code=404)
    with stub, pytest.raises(UsageError, match="would pass IAM's 10240 characters"):
        rolemod.extend_role_policy(iam, "r", new)


# ---------------------------------------------------------------------- the user's role


def simulated(decision: str) -> dict:
    return {"EvaluationResults": [{"EvalActionName": "s3:GetObject", "EvalDecision": decision}]}


def test_checks_cover_reads_writes_and_listing():
    checks = s3_checks(request(inputs=["s3://ddd/in"], outputs=["s3://ooo/out"]), "stage", "p")
    assert Permission("s3:GetObject", "arn:aws:s3:::ddd/in*") in checks
    assert Permission("s3:PutObject", "arn:aws:s3:::ooo/out/*") in checks
    assert Permission("s3:ListBucket", "arn:aws:s3:::ddd", "in") in checks
    assert Permission("s3:ListBucket", "arn:aws:s3:::stage", "p/") in checks


def test_missing_permission_is_one_usage_line():
    iam, stub = iam_stub()
    checks = [Permission("s3:GetObject", "arn:aws:s3:::d/in*"), Permission("s3:PutObject", "x")]
    stub.add_response(
        "simulate_principal_policy",
        simulated("implicitDeny"),
        {"PolicySourceArn": ROLE_ARN, "ActionNames": ["s3:GetObject"],
         "ResourceArns": ["arn:aws:s3:::d/in*"]},
    )  # fmt: skip
    with stub, pytest.raises(UsageError) as info:
        check_role(iam, ROLE_ARN, checks)
    assert str(info.value) == (
        f"--sagemaker-role: role {ROLE_ARN} may not s3:GetObject on s3://d/in* (IAM policy "
        "simulation: implicitDeny, bucket policies not counted); grant it, or omit "
        "--sagemaker-role to use a role aws-sagemaker-remote creates for the job"
    )


def test_list_check_passes_the_prefix_and_all_allowed_is_silent(capsys):
    iam, stub = iam_stub()
    check = Permission("s3:ListBucket", "arn:aws:s3:::d", "in")
    stub.add_response(
        "simulate_principal_policy",
        {**simulated("allowed"), "IsTruncated": True, "Marker": "m"},
        {"PolicySourceArn": ROLE_ARN, "ActionNames": ["s3:ListBucket"],
         "ResourceArns": ["arn:aws:s3:::d"],
         "ContextEntries": [{"ContextKeyName": "s3:prefix", "ContextKeyValues": ["in"],
                             "ContextKeyType": "string"}]},
    )  # fmt: skip
    stub.add_response("simulate_principal_policy", simulated("allowed"))
    with stub:
        check_role(iam, ROLE_ARN, [check])
    stub.assert_no_pending_responses()
    assert capsys.readouterr().err == ""


def test_simulation_denied_to_the_caller_is_a_one_line_warning(capsys):
    iam, stub = iam_stub()
    stub.add_client_error("simulate_principal_policy", "AccessDenied", http_status_code=403)
    with stub:
        check_role(iam, ROLE_ARN, [Permission("s3:GetObject", "arn:aws:s3:::d/in*")])
    err = capsys.readouterr().err
    assert err == (
        f"warning: cannot check the S3 permissions of role {ROLE_ARN} "
        "(iam:SimulatePrincipalPolicy: AccessDenied); a missing one fails the job only when it "
        "runs\n"
    )
