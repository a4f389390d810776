"""Session, role and bucket resolution against moto (IAM, STS) and SeaweedFS (S3) over HTTP."""

from __future__ import annotations

import contextlib
import json
import re
import socket
import uuid

import pytest

from aws_sagemaker_remote.aws.bucket import _create_bucket, default_bucket_name, ensure_bucket
from aws_sagemaker_remote.aws.policy import POLICY_NAME
from aws_sagemaker_remote.aws.role import RoleLookup, create_role, lookup_role, read_role_policy
from aws_sagemaker_remote.aws.session import account_id, make_session, session_region
from aws_sagemaker_remote.errors import UsageError

pytestmark = pytest.mark.usefixtures("aws_env")

ROLE = "aws-sagemaker-remote-processing-role"
CREDENTIAL_VARS = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
)


@pytest.fixture(autouse=True)
def no_fallbacks(monkeypatch):
    """No instance-metadata credential lookups and no retries: failures show at once."""
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")


@pytest.fixture
def session():
    return make_session(None, None)


@pytest.fixture
def new_bucket(s3_client):
    """A bucket name nobody has created yet; deleted after the test if the test created it."""
    from botocore.exceptions import ClientError

    name = f"test-new-{uuid.uuid4().hex[:8]}"
    yield name
    with contextlib.suppress(ClientError):
        s3_client.delete_bucket(Bucket=name)


@pytest.fixture
def closed_port():
    """A bound but not listening port: every connection to it is refused."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    yield sock.getsockname()[1]
    sock.close()


# --- session --------------------------------------------------------------------------------


def test_account_id_from_sts(session):
    assert re.fullmatch(r"\d{12}", account_id(session))


def test_default_profile_without_config_file_uses_env_credentials():
    session = make_session("default", None)
    assert re.fullmatch(r"\d{12}", account_id(session))


def test_unknown_profile_is_a_usage_error():
    with pytest.raises(UsageError, match=r"^--sagemaker-profile: profile 'nope' is not"):
        make_session("nope", None)


def test_region_explicit_then_session(monkeypatch):
    assert session_region(make_session(None, None), None) == "us-east-1"
    assert session_region(make_session(None, None), "eu-west-2") == "eu-west-2"
    assert session_region(make_session(None, "ap-south-1"), None) == "ap-south-1"


def test_no_region_is_a_usage_error(monkeypatch):
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    with pytest.raises(UsageError) as info:
        session_region(make_session(None, None), None)
    assert str(info.value) == (
        "--sagemaker-region: no region configured; pass --sagemaker-region or set "
        "AWS_DEFAULT_REGION"
    )


def test_missing_credentials_are_a_usage_error(monkeypatch):
    for name in CREDENTIAL_VARS:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(UsageError) as info:
        account_id(make_session(None, None))
    message = str(info.value)
    assert message.startswith("--sagemaker-profile:")
    assert "NoCredentialsError" in message
    assert "aws configure" in message


def test_partial_credentials_message_holds_no_secret(monkeypatch, s3_server):
    for name in CREDENTIAL_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_server.access_key)
    with pytest.raises(UsageError) as info:
        account_id(make_session(None, None))
    message = str(info.value)
    assert message.startswith("--sagemaker-profile:")
    assert s3_server.access_key not in message
    assert s3_server.secret_key not in message


# --- role -----------------------------------------------------------------------------------

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "ReadJobData", "Effect": "Allow", "Action": ["s3:GetObject"],
         "Resource": ["arn:aws:s3:::b/p/*"]},
    ],
}  # fmt: skip


def test_missing_role_is_created_with_trust_tag_and_its_own_policy(session, capsys):
    iam = session.client("iam")
    assert lookup_role(session, ROLE, account=None).missing
    arn = create_role(iam, ROLE, POLICY, account_id(session))

    role = iam.get_role(RoleName=ROLE)["Role"]
    assert arn == role["Arn"] == f"arn:aws:iam::{account_id(session)}:role/{ROLE}"
    document = role["AssumeRolePolicyDocument"]
    if isinstance(document, str):
        document = json.loads(document)
    (statement,) = document["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {"Service": "sagemaker.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRole"
    # only on behalf of this account (confused deputy), as the SDK's role resolver writes it
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": account_id(session)}}
    assert role["Description"]
    assert {"Key": "Source", "Value": "aws-sagemaker-remote"} in role["Tags"]
    assert iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"] == []
    assert iam.list_role_policies(RoleName=ROLE)["PolicyNames"] == [POLICY_NAME]
    assert read_role_policy(iam, ROLE) == POLICY
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "created IAM role" in err
    assert arn in err
    assert lookup_role(session, ROLE, account=None) == RoleLookup(arn, missing=False, ours=True)


def test_missing_role_with_path_is_created_under_it(session):
    arn = create_role(session.client("iam"), "team/ml-role", POLICY, account_id(session))
    assert arn.endswith(":role/team/ml-role")
    assert session.client("iam").get_role(RoleName="ml-role")["Role"]["Path"] == "/team/"


def test_existing_role_of_the_user_is_neither_ours_nor_changed(session, capsys):
    iam = session.client("iam")
    created = iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument="{}")["Role"]["Arn"]

    assert lookup_role(session, ROLE, account=None) == RoleLookup(created)
    assert iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"] == []
    assert iam.list_role_policies(RoleName=ROLE)["PolicyNames"] == []
    assert capsys.readouterr().err == ""


def test_dry_run_names_the_role_without_creating_it(session):
    account = account_id(session)
    found = lookup_role(session, ROLE, account=account)
    assert found == RoleLookup(f"arn:aws:iam::{account}:role/{ROLE}", missing=True)
    assert session.client("iam").list_roles()["Roles"] == []


def test_role_arn_makes_no_call(monkeypatch, closed_port):
    unreachable = f"http://127.0.0.1:{closed_port}"
    monkeypatch.setenv("AWS_ENDPOINT_URL_IAM", unreachable)
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", unreachable)
    session = make_session(None, None)
    arn = "arn:aws:iam::123456789012:role/service-role/SomeRole"
    assert lookup_role(session, arn, account=None) == RoleLookup(arn)
    # The endpoint really is unreachable: a name would have needed IAM.
    with pytest.raises(Exception, match="(?i)connect"):
        lookup_role(session, "SomeRole", account=None)


def test_bad_role_name_is_a_usage_error_before_any_call(monkeypatch, closed_port):
    monkeypatch.setenv("AWS_ENDPOINT_URL_IAM", f"http://127.0.0.1:{closed_port}")
    with pytest.raises(UsageError, match="^--sagemaker-role:"):
        lookup_role(make_session(None, None), "bad name", account=None)


# --- bucket ---------------------------------------------------------------------------------


def test_missing_bucket_is_created_then_reused(s3_client, new_bucket):
    assert ensure_bucket(s3_client, new_bucket, "us-east-1", create=True) is True
    s3_client.head_bucket(Bucket=new_bucket)
    assert ensure_bucket(s3_client, new_bucket, "us-east-1", create=True) is False


def test_existing_bucket_is_reused(s3_client, bucket):
    s3_client.put_object(Bucket=bucket, Key="kept", Body=b"x")
    assert ensure_bucket(s3_client, bucket, "us-east-1", create=True) is False
    assert s3_client.get_object(Bucket=bucket, Key="kept")["Body"].read() == b"x"


def test_bucket_created_meanwhile_is_not_an_error(s3_client, bucket):
    # The race ensure_bucket guards against: HeadBucket said 404, then another run created it.
    assert _create_bucket(s3_client, bucket, "us-east-1") is False


def test_default_bucket_created_when_missing_and_reused(session):
    # A region no other test stages in, so the shared S3 server has no such bucket yet.
    region = "ap-southeast-4"
    s3 = session.client("s3")
    name = default_bucket_name(region, account_id(session))
    assert name == f"sagemaker-{region}-{account_id(session)}"
    assert ensure_bucket(s3, name, region, create=True) is True
    s3.put_object(Bucket=name, Key="probe", Body=b"x")
    try:
        assert ensure_bucket(s3, name, region, create=True) is False
        assert s3.get_object(Bucket=name, Key="probe")["Body"].read() == b"x"
    finally:
        s3.delete_object(Bucket=name, Key="probe")
        s3.delete_bucket(Bucket=name)


def test_bucket_with_location_constraint(s3_client, new_bucket):
    assert ensure_bucket(s3_client, new_bucket, "eu-west-3", create=True) is True
    s3_client.head_bucket(Bucket=new_bucket)


def test_dry_run_reports_missing_bucket_without_creating_it(s3_client, new_bucket):
    from botocore.exceptions import ClientError

    assert ensure_bucket(s3_client, new_bucket, "us-east-1", create=False) is True
    with pytest.raises(ClientError):
        s3_client.head_bucket(Bucket=new_bucket)


def test_inaccessible_bucket_is_a_usage_error(s3_server, s3_client, bucket):
    import boto3

    stranger = boto3.client(
        "s3",
        endpoint_url=s3_server.endpoint,
        aws_access_key_id=s3_server.access_key,
        aws_secret_access_key="not-the-secret",
        region_name="us-east-1",
    )
    with pytest.raises(UsageError) as info:
        ensure_bucket(stranger, bucket, "us-east-1", create=True)
    assert str(info.value).startswith(f"--sagemaker-bucket: bucket {bucket} exists but is not")
