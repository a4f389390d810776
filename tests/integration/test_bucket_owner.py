"""ExpectedBucketOwner on every call on the default bucket (issue 8 point 6), observed on the
requests botocore builds for SeaweedFS and moto. The SDK passes it for the bucket it names
itself (sagemaker `session.py`, `expected_bucket_owner_id_bucket_check`)."""

from __future__ import annotations

import contextlib

import pytest
from botocore.stub import Stubber

from aws_sagemaker_remote.aws import session as session_module
from aws_sagemaker_remote.aws.bucket import ensure_bucket
from aws_sagemaker_remote.errors import UsageError
from aws_sagemaker_remote.kinds import PROCESSING
from aws_sagemaker_remote.pipeline.plan import make_plan
from aws_sagemaker_remote.pipeline.provision import provision
from aws_sagemaker_remote.pipeline.resolve import resolve
from aws_sagemaker_remote.pipeline.spec import InputSpec, JobSpec

ACCOUNT = "123456789012"
DEFAULT = f"sagemaker-us-east-1-{ACCOUNT}"


@pytest.fixture
def s3_calls(monkeypatch):
    """Every S3 call of the sessions the pipeline makes: (operation, parameters)."""
    calls = []
    make = session_module.make_session

    def recording(profile, region):
        session = make(profile, region)

        def record(params, model, **_):
            calls.append((model.name, dict(params)))

        session.events.register("provide-client-params.s3", record)
        return session

    monkeypatch.setattr(session_module, "make_session", recording)
    return calls


@pytest.fixture
def spec(tmp_path):
    script = tmp_path / "job.py"
    script.write_text("print('x')\n")
    return JobSpec(script=str(script), kind=PROCESSING, job_name="owner-check")


def test_default_bucket_calls_carry_the_account(aws_env, s3_calls, spec, s3_client):
    from botocore.exceptions import ClientError

    with contextlib.suppress(ClientError):  # another test made it: the S3 server is shared
        s3_client.create_bucket(Bucket=DEFAULT)
    s3_client.put_object(Bucket=DEFAULT, Key="in/x.csv", Body=b"1\n")
    spec.inputs = [InputSpec("data", f"s3://{DEFAULT}/in/x.csv")]
    resolution = resolve(spec)
    assert resolution.resolved.bucket == DEFAULT
    assert resolution.resolved.bucket_owner(DEFAULT) == ACCOUNT
    plan = make_plan(resolution.spec, resolution.resolved)
    assert plan.bucket_owner(DEFAULT) == ACCOUNT
    provision(resolution, plan)
    on_default = [(op, p) for op, p in s3_calls if p.get("Bucket") == DEFAULT]
    assert [op for op, _ in on_default].count("HeadBucket") == 2  # resolve, then provision
    assert "HeadObject" in [op for op, _ in on_default]  # the s3:// input is looked at too
    for op, params in on_default:
        if op != "CreateBucket":  # CreateBucket has no such parameter (botocore's S3 model)
            assert params.get("ExpectedBucketOwner") == ACCOUNT, op


def test_a_bucket_the_user_names_is_probed_without_it(aws_env, s3_calls, spec, bucket):
    spec.bucket = bucket
    resolution = resolve(spec)
    assert resolution.resolved.bucket_owner(bucket) is None
    provision(resolution, make_plan(resolution.spec, resolution.resolved))
    heads = [p for op, p in s3_calls if op == "HeadBucket" and p["Bucket"] == bucket]
    assert heads
    assert all("ExpectedBucketOwner" not in p for p in heads)


def test_a_default_bucket_of_another_account_is_refused(s3_client):
    """AWS answers 403 when ExpectedBucketOwner does not match; SeaweedFS ignores the header,
    so the answer comes from botocore's Stubber."""
    stub = Stubber(s3_client)
    stub.add_client_error(
        "head_bucket",
        "403",
        http_status_code=403,
        expected_params={"Bucket": DEFAULT, "ExpectedBucketOwner": ACCOUNT},
    )
    with stub, pytest.raises(UsageError) as info:
        ensure_bucket(s3_client, DEFAULT, "us-east-1", create=True, expected_owner=ACCOUNT)
    assert str(info.value) == (
        f"--sagemaker-bucket: bucket {DEFAULT} exists but is not accessible with these "
        f"credentials or not owned by account {ACCOUNT}; pass --sagemaker-bucket with a bucket "
        "you can write to"
    )
