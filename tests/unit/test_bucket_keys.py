"""KMS-encrypted buckets (issue 18 point 2): each bucket's default encryption read with
GetBucketEncryption (answered by botocore's Stubber: requests and responses validated against
the S3 model), the role's statements for the keys, the warning when reading is denied, and the
check of a role the user names.

Actions: SageMaker Developer Guide, "How to use SageMaker execution roles" (kms:Decrypt for
SSE-KMS input); S3 User Guide, "Using server-side encryption with AWS KMS keys" (uploads need
kms:GenerateDataKey; multipart uploads kms:Decrypt too)."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from aws_sagemaker_remote.aws.encryption import Unreadable, data_keys, default_kms_key
from aws_sagemaker_remote.aws.policy import DataKeys, Permission, Place, job_policy, kms_checks
from aws_sagemaker_remote.aws.rolecheck import check_role
from aws_sagemaker_remote.errors import UsageError

PLACE = Place("aws", "eu-west-1", "123456789012")
KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
OTHER_ARN = "arn:aws:kms:eu-west-1:123456789012:key/0000abcd-12ab-34cd-56ef-1234567890ab"
ROLE_ARN = "arn:aws:iam::123456789012:role/theirs"


def request(inputs=(), outputs=()) -> dict:
    return {
        "ProcessingJobName": "j",
        "ProcessingInputs": [{"S3Input": {"S3Uri": uri}} for uri in inputs],
        "ProcessingOutputConfig": {"Outputs": [{"S3Output": {"S3Uri": uri}} for uri in outputs]},
        "AppSpecification": {"ImageUri": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/i:1"},
    }


def client(service: str):
    return boto3.client(
        service, region_name="eu-west-1", aws_access_key_id="a", aws_secret_access_key="b"
    )


def encryption(algorithm: str, key=None) -> dict:
    default = {"SSEAlgorithm": algorithm, **({"KMSMasterKeyID": key} if key else {})}
    rule = {"ApplyServerSideEncryptionByDefault": default, "BucketKeyEnabled": True}
    return {"ServerSideEncryptionConfiguration": {"Rules": [rule]}}


@pytest.fixture
def s3():
    s3 = client("s3")
    with Stubber(s3) as stub:
        s3.stub = stub
        yield s3
        stub.assert_no_pending_responses()


def answer(s3, bucket: str, body: dict, owner=None) -> None:
    params = {"Bucket": bucket, **({"ExpectedBucketOwner": owner} if owner else {})}
    s3.stub.add_response("get_bucket_encryption", body, params)


def refuse(s3, bucket: str, code: str, status: int) -> None:
    s3.stub.add_client_error("get_bucket_encryption", code, http_status_code=status,
                             expected_params={"Bucket": bucket})  # fmt: skip


@pytest.mark.parametrize(
    ("body", "key"),
    [
        (encryption("aws:kms", KEY_ARN), KEY_ARN),
        (encryption("aws:kms", "1234abcd-12ab-34cd-56ef-1234567890ab"),
         "1234abcd-12ab-34cd-56ef-1234567890ab"),
        (encryption("aws:kms:dsse", "alias/team-data"), "alias/team-data"),
        (encryption("aws:kms"), None),  # the AWS managed key aws/s3: nothing to grant
        (encryption("aws:kms", "alias/aws/s3"), None),
        (encryption("AES256"), None),
    ],
)  # fmt: skip
def test_the_default_key_of_a_bucket(s3, body, key):
    answer(s3, "data", body, owner="123456789012")
    assert default_kms_key(s3, "data", "123456789012") == key


def test_a_bucket_without_default_encryption_has_no_key(s3):
    refuse(s3, "data", "ServerSideEncryptionConfigurationNotFoundError", 404)
    assert default_kms_key(s3, "data") is None


def test_a_refusal_is_unreadable(s3):
    refuse(s3, "data", "AccessDenied", 403)
    with pytest.raises(Unreadable, match="AccessDenied"):
        default_kms_key(s3, "data")


def test_keys_of_reads_and_writes_and_the_named_ones(s3, capsys):
    """Staging (read and written) with a key ARN, an input bucket with an alias, an output
    bucket whose encryption may not be read: one warning naming it and the flag."""
    answer(s3, "inputs", encryption("aws:kms", "alias/inputs"))
    answer(s3, "out", encryption("AES256"))
    refuse(s3, "secret", "AccessDenied", 403)
    answer(s3, "stage", encryption("aws:kms", KEY_ARN), owner="123456789012")
    keys = data_keys(
        s3,
        request(inputs=["s3://inputs/data/"], outputs=["s3://out/o", "s3://secret/o"]),
        "stage",
        "p",
        {"stage": "123456789012"},
        named=[OTHER_ARN],
    )
    assert keys == DataKeys(
        read=frozenset({"alias/inputs", KEY_ARN, OTHER_ARN}),
        write=frozenset({KEY_ARN, OTHER_ARN}),
    )
    (line,) = capsys.readouterr().err.splitlines()
    assert line == (
        "warning: cannot read the default encryption of bucket secret "
        "(s3:GetEncryptionConfiguration: AccessDenied); if it encrypts with a KMS key of yours, "
        "name that key with --sagemaker-s3-kms-keys so the job's role may use it"
    )


def test_a_bucket_the_server_cannot_tell_about_is_silent(s3, capsys):
    refuse(s3, "stage", "NotImplemented", 501)
    assert data_keys(s3, request(), "stage", "p", {}) == DataKeys()
    assert capsys.readouterr().err == ""


def test_the_role_may_decrypt_what_it_reads_and_encrypt_what_it_writes():
    keys = DataKeys(read=frozenset({KEY_ARN, "alias/inputs"}), write=frozenset({KEY_ARN}))
    policy = job_policy(request(), PLACE, "stage", "p", keys)
    statements = {s["Sid"]: s for s in policy["Statement"]}
    assert statements["DataKeyRead"]["Action"] == ["kms:Decrypt"]
    assert statements["DataKeyRead"]["Resource"] == [KEY_ARN]
    assert statements["DataKeyReadByAlias"]["Resource"] == [
        "arn:aws:kms:eu-west-1:123456789012:key/*"
    ]
    assert statements["DataKeyReadByAlias"]["Condition"] == {
        "ForAnyValue:StringEquals": {"kms:ResourceAliases": ["alias/inputs"]}
    }
    assert statements["DataKeyWrite"]["Action"] == [
        "kms:Decrypt",  # multipart uploads
        "kms:Encrypt",
        "kms:GenerateDataKey",
    ]
    assert statements["DataKeyWrite"]["Resource"] == [KEY_ARN]
    assert "DataKeyWriteByAlias" not in statements


def test_no_key_no_statement():
    policy = job_policy(request(), PLACE, "stage", "p", DataKeys())
    assert not [s for s in policy["Statement"] if s["Sid"].startswith("DataKey")]


def test_a_named_role_is_checked_for_the_keys():
    keys = DataKeys(read=frozenset({"1234abcd-12ab-34cd-56ef-1234567890ab", "alias/x"}))
    (check,) = kms_checks(keys, PLACE)
    assert check == Permission("kms:Decrypt", KEY_ARN)
    iam = client("iam")
    with Stubber(iam) as stub:
        stub.add_response(
            "simulate_principal_policy",
            {"EvaluationResults": [{"EvalActionName": "kms:Decrypt",
                                    "EvalDecision": "implicitDeny"}]},
            {"PolicySourceArn": ROLE_ARN, "ActionNames": ["kms:Decrypt"],
             "ResourceArns": [KEY_ARN]},
        )  # fmt: skip
        with pytest.raises(UsageError, match=f"may not kms:Decrypt on {KEY_ARN} "):
            check_role(iam, ROLE_ARN, [check])
