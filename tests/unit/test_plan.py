"""The plan: channels, container argv, the job file, and a request botocore accepts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from botocore.session import get_session
from botocore.validate import ParamValidator

from aws_sagemaker_remote.errors import UsageError
from aws_sagemaker_remote.pipeline.plan import make_plan
from aws_sagemaker_remote.pipeline.resolve import Resolved
from aws_sagemaker_remote.pipeline.spec import build_job_spec
from aws_sagemaker_remote.pipeline.validate import validate
from aws_sagemaker_remote.processing.args import ProcessingArgumentParser, sagemaker_processing_args

ROLE = "arn:aws:iam::123456789012:role/test-role"
SUBNET_1, SUBNET_2, SG_1 = "subnet-0123abcd", "subnet-0123456789abcdef0", "sg-0a1b2c3d"
VOLUME_KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def assert_valid_request(request: dict) -> None:
    model = get_session().get_service_model("sagemaker")
    shape = model.operation_model("CreateProcessingJob").input_shape
    report = ParamValidator().validate(request, shape)
    assert not report.has_errors(), report.generate_report()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "script.py").write_text("print('hi')\n")
    (tmp_path / "requirements.txt").write_text("tabulate\n")
    (tmp_path / "setup.sh").write_bytes(b"export A=1\r\necho done\r\n")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.txt").write_text("a")
    (tmp_path / "data" / "sub").mkdir()
    (tmp_path / "data" / "sub" / "b.txt").write_text("b")
    (tmp_path / "single.csv").write_text("x,y\n")
    (tmp_path / "mylib").mkdir()
    (tmp_path / "mylib" / "__init__.py").write_text("X = 1\n")
    (tmp_path / "helper.py").write_text("Y = 2\n")
    return tmp_path


def plan_for(project: Path, argv, *, s3_objects=None, **kwargs):
    parser = ProcessingArgumentParser(prog="t")
    kwargs.setdefault("inputs", {"data": str(project / "data")})
    kwargs.setdefault("outputs", {"out": str(project / "out")})
    config = sagemaker_processing_args(parser, str(project / "script.py"), **kwargs)
    parser.add_argument("--files", nargs="+", default=[])
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--name", default="")
    args = parser.parse_args(argv)
    spec = build_job_spec(config, args, argv, parser)
    validate(spec)
    resolved = Resolved(
        region="us-east-1",
        role_arn=ROLE,
        bucket="my-bucket",
        image="123.dkr.ecr.us-east-1.amazonaws.com/img:1",
        job_name="job-2026-01-01-00-00-00-000",
        s3_objects=s3_objects or {},
    )
    return make_plan(spec, resolved)


def channels(plan) -> dict:
    return {c["InputName"]: c["S3Input"] for c in plan.request["ProcessingInputs"]}


def test_each_code_piece_is_its_own_channel(project):
    plan = plan_for(
        project,
        ["--sagemaker-run", "yes"],
        requirements=str(project / "requirements.txt"),
        configuration_script=str(project / "setup.sh"),
        dependencies={"mylib": str(project / "mylib"), "helper": str(project / "helper.py")},
    )
    assert_valid_request(plan.request)
    found = channels(plan)
    assert set(found) == {
        "code-script",
        "code-requirements",
        "code-configuration",
        "code-support",
        "module-mylib",
        "module-helper",
        "data",
    }
    assert found["code-script"]["LocalPath"] == "/opt/ml/processing/code/script"
    assert found["module-mylib"]["LocalPath"] == "/opt/ml/processing/modules/mylib"
    assert found["data"]["LocalPath"] == "/opt/ml/processing/input/data"
    for channel in found.values():
        assert channel["S3Uri"].startswith("s3://my-bucket/aws-sagemaker-remote/")
    uploaded = {u.channel_uri for u in plan.uploads}
    assert uploaded == {c["S3Uri"] for c in found.values()}
    env = plan.request["Environment"]
    assert env["AWS_SAGEMAKER_REMOTE_SCRIPT"] == "/opt/ml/processing/code/script/script.py"
    assert env["AWS_SAGEMAKER_REMOTE_REQUIREMENTS"].endswith("/requirements/requirements.txt")
    assert env["AWS_SAGEMAKER_REMOTE_PYTHONPATH"].split(":") == [
        "/opt/ml/processing/code/support",
        "/opt/ml/processing/modules/mylib",
        "/opt/ml/processing/modules/helper",
    ]
    argv = plan.request["AppSpecification"]["ContainerArguments"]
    assert argv[argv.index("--mylib") + 1] == "/opt/ml/processing/modules/mylib/mylib"
    assert argv[argv.index("--helper") + 1] == "/opt/ml/processing/modules/helper/helper.py"


def test_configuration_script_is_staged_with_lf(project):
    plan = plan_for(project, [], configuration_script=str(project / "setup.sh"))
    upload = next(u for u in plan.uploads if "configuration" in u.channel_uri)
    assert [body for _, body in upload.files] == [b"export A=1\necho done\n"]


def test_s3_inputs_are_used_in_place_and_default_output(project):
    plan = plan_for(project, ["--data", "s3://other/prefix/"])
    assert channels(plan)["data"]["S3Uri"] == "s3://other/prefix/"
    assert not any("inputs/" in u.channel_uri for u in plan.uploads)
    out = plan.request["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]
    assert out["S3Uri"] == "s3://my-bucket/aws-sagemaker-remote/job-2026-01-01-00-00-00-000/out"
    assert out["LocalPath"] == "/opt/ml/processing/output/out"
    assert out["S3UploadMode"] == "EndOfJob"


def test_explicit_output_uri_and_modes(project):
    plan = plan_for(
        project,
        ["--out-s3", "s3://out-bucket/custom", "--out-mode", "Continuous", "--data-mode", "Pipe"],
    )
    out = plan.request["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]
    assert (out["S3Uri"], out["S3UploadMode"]) == ("s3://out-bucket/custom", "Continuous")
    assert channels(plan)["data"]["S3InputMode"] == "Pipe"


def test_single_file_input_points_at_the_file(project):
    plan = plan_for(project, ["--data", str(project / "single.csv")])
    argv = plan.request["AppSpecification"]["ContainerArguments"]
    assert argv[argv.index("--data") + 1] == "/opt/ml/processing/input/data/single.csv"
    uri = "s3://in-bucket/k/file.csv"
    plan = plan_for(project, ["--data", uri], s3_objects={uri: True})
    argv = plan.request["AppSpecification"]["ContainerArguments"]
    assert argv[argv.index("--data") + 1] == "/opt/ml/processing/input/data/file.csv"


def test_argument_shapes_reach_the_container(project):
    argv = ["--files", "a b", "c", "--verbose", "--name", "", "--sagemaker-run", "yes"]
    plan = plan_for(project, argv)
    args = plan.request["AppSpecification"]["ContainerArguments"]
    assert args[:6] == ["--files", "a b", "c", "--verbose", "--name", ""]
    assert args[-2:] == ["--sagemaker-run", "no"]
    assert "--sagemaker-run" not in args[:-2]
    assert args[args.index("--out") + 1] == "/opt/ml/processing/output/out"
    assert_valid_request(plan.request)


@pytest.mark.parametrize("variant", ["long", "many"])
def test_arguments_beyond_limits_travel_in_a_job_file(project, variant):
    if variant == "long":
        argv = ["--name", "x" * 300]
    else:
        argv = ["--files", *[f"f{i}" for i in range(120)]]
    plan = plan_for(project, argv)
    assert_valid_request(plan.request)
    assert "ContainerArguments" not in plan.request["AppSpecification"]
    job = next(u for u in plan.uploads if "/code/job-" in u.channel_uri)
    content = json.loads(job.files[0][1])
    assert content["argv"][: len(argv)] == argv
    assert content["argv"][-2:] == ["--sagemaker-run", "no"]
    env = plan.request["Environment"]
    assert env["AWS_SAGEMAKER_REMOTE_JOB_FILE"] == "/opt/ml/processing/code/job/job.json"
    assert "code-job" in channels(plan)


def test_long_configuration_command_goes_to_the_job_file(project):
    command = "export A=" + "y" * 300
    plan = plan_for(project, [], configuration_command=command)
    assert "AWS_SAGEMAKER_REMOTE_CONFIGURATION_COMMAND" not in plan.request["Environment"]
    job = next(u for u in plan.uploads if "/code/job-" in u.channel_uri)
    assert json.loads(job.files[0][1])["configuration_command"] == command
    assert "ContainerArguments" in plan.request["AppSpecification"]


def test_past_ten_channels_code_pieces_share_one(project):
    inputs = {f"in{i}": str(project / "data") for i in range(6)}
    modules = {f"m{i}": str(project / "mylib") for i in range(3)}
    plan = plan_for(project, [], inputs=inputs, dependencies=modules)
    assert_valid_request(plan.request)
    found = channels(plan)
    assert len(found) == 7
    assert found["code"]["LocalPath"] == "/opt/ml/processing/code"
    env = plan.request["Environment"]
    assert env["AWS_SAGEMAKER_REMOTE_SCRIPT"] == "/opt/ml/processing/code/script/script.py"
    assert "/opt/ml/processing/code/modules/m0" in env["AWS_SAGEMAKER_REMOTE_PYTHONPATH"]
    bundle = next(u for u in plan.uploads if "/code/bundle-" in u.channel_uri)
    rels = {rel for rel, _ in bundle.files}
    assert "script/script.py" in rels
    assert "modules/m1/mylib/__init__.py" in rels
    assert "support/aws_sagemaker_remote/container/bootstrap.py" in rels


def test_ten_inputs_leave_no_room_for_code(project):
    inputs = {f"in{i}": str(project / "data") for i in range(10)}
    with pytest.raises(UsageError, match="at most 9 inputs"):
        plan_for(project, [], inputs=inputs)


def test_unchanged_content_gives_the_same_uris(project):
    first = plan_for(project, [])
    second = plan_for(project, [])
    assert [u.channel_uri for u in first.uploads] == [u.channel_uri for u in second.uploads]
    (project / "data" / "a.txt").write_text("changed")
    third = plan_for(project, [])
    changed = {u.channel_uri for u in third.uploads} - {u.channel_uri for u in first.uploads}
    assert len(changed) == 1
    assert "/inputs/data-" in changed.pop()


def test_beyond_flags_land_in_the_request(project):
    argv = [
        "--sagemaker-instance-count", "3",
        "--sagemaker-instance", "ml.m5.xlarge",
        "--sagemaker-volume-size", "100",
        "--sagemaker-runtime-seconds", "7200",
        "--sagemaker-env", "A=1,B=2",
        "--sagemaker-tags", "team=ml,cost=42",
        "--sagemaker-output-kms-key", "alias/out",
        "--sagemaker-volume-kms-key", VOLUME_KEY,
        "--sagemaker-subnets", f"{SUBNET_1},{SUBNET_2}",
        "--sagemaker-security-groups", SG_1,
        "--sagemaker-network-isolation", "yes",
        "--sagemaker-inter-container-encryption", "true",
        "--sagemaker-python", "python3.11 -u",
        "--data-distribution", "ShardedByS3Key",
        "--sagemaker-prefix", "team/jobs",
    ]  # fmt: skip
    plan = plan_for(project, argv, env={"FROM_CODE": "x"})
    request = plan.request
    assert_valid_request(request)
    cluster = request["ProcessingResources"]["ClusterConfig"]
    assert cluster == {
        "InstanceCount": 3,
        "InstanceType": "ml.m5.xlarge",
        "VolumeSizeInGB": 100,
        "VolumeKmsKeyId": VOLUME_KEY,
    }
    assert request["StoppingCondition"] == {"MaxRuntimeInSeconds": 7200}
    assert request["Environment"]["A"] == "1"
    assert request["Environment"]["FROM_CODE"] == "x"
    tags = {t["Key"]: t["Value"] for t in request["Tags"]}
    assert tags["team"] == "ml"
    assert tags["Source"] == "aws-sagemaker-remote"
    assert request["ProcessingOutputConfig"]["KmsKeyId"] == "alias/out"
    assert request["NetworkConfig"] == {
        "EnableInterContainerTrafficEncryption": True,
        "EnableNetworkIsolation": True,
        "VpcConfig": {"SecurityGroupIds": [SG_1], "Subnets": [SUBNET_1, SUBNET_2]},
    }
    assert request["AppSpecification"]["ContainerEntrypoint"][:2] == ["python3.11", "-u"]
    assert channels(plan)["data"]["S3DataDistributionType"] == "ShardedByS3Key"
    assert all(u.channel_uri.startswith("s3://my-bucket/team/jobs/") for u in plan.uploads)


def test_git_tags(project):
    from aws_sagemaker_remote.pipeline.tags import GitState

    parser = ProcessingArgumentParser(prog="t")
    config = sagemaker_processing_args(parser, str(project / "script.py"))
    spec = build_job_spec(config, parser.parse_args([]), [], parser)
    resolved = Resolved("us-east-1", ROLE, "my-bucket", "img", "j-1", git=GitState("abc123", True))
    tags = {t["Key"]: t["Value"] for t in make_plan(spec, resolved).request["Tags"]}
    assert tags["GitCommit"] == "abc123"
    assert tags["GitDirty"] == "true"
    assert tags["BaseJobName"] == "script"  # the script's file name


def test_paths_through_a_file_are_normalized_as_seed_users_write_them(project):
    through_file = str(project / "script.py" / ".." / "mylib")
    plan = plan_for(project, [], dependencies={"mylib": through_file})
    argv = plan.request["AppSpecification"]["ContainerArguments"]
    assert argv[argv.index("--mylib") + 1] == "/opt/ml/processing/modules/mylib/mylib"
    module = next(u for u in plan.uploads if "/code/module-mylib-" in u.channel_uri)
    assert [rel for rel, _ in module.files] == ["mylib/__init__.py"]


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["--sagemaker-job-name", "x-" * 40 + "x"], "--sagemaker-job-name"),
        (["--sagemaker-python", 'python3 "'], "--sagemaker-python"),
        (["--sagemaker-role", "bad role"], "--sagemaker-role"),
    ],
)
def test_more_validation(project, argv, flag):
    with pytest.raises(UsageError, match=flag):
        plan_for(project, argv)


def test_role_names_may_have_a_path(project):
    from aws_sagemaker_remote.aws.role import parse_role_name

    role = "service-role/AmazonSageMaker-ExecutionRole-1"
    assert plan_for(project, ["--sagemaker-role", role]).request["RoleArn"] == ROLE
    parsed = parse_role_name(role)
    assert (parsed.path, parsed.name) == ("/service-role/", "AmazonSageMaker-ExecutionRole-1")


def test_the_shared_code_channel_name_is_reserved(project):
    with pytest.raises(UsageError, match="reserved"):
        plan_for(project, [], inputs={"code": str(project / "data")})


def test_empty_module_is_refused(project):
    (project / "empty").mkdir()
    with pytest.raises(UsageError, match="--empty: .*no files"):
        plan_for(project, [], dependencies={"empty": str(project / "empty")})


def test_input_folders_are_shipped_whole(project):
    (project / "data" / ".git").mkdir()
    (project / "data" / ".git" / "HEAD").write_text("ref")
    plan = plan_for(project, [])
    data = next(u for u in plan.uploads if "/inputs/data-" in u.channel_uri)
    assert ".git/HEAD" in {rel for rel, _ in data.files}


def test_many_modules_put_pythonpath_in_the_job_file(project):
    modules = {f"module_number_{i}": str(project / "mylib") for i in range(6)}
    plan = plan_for(project, [], dependencies=modules)
    assert_valid_request(plan.request)
    env = plan.request["Environment"]
    assert "AWS_SAGEMAKER_REMOTE_PYTHONPATH" not in env
    assert all(len(v) <= 256 for v in env.values())
    job = next(u for u in plan.uploads if "/code/job-" in u.channel_uri)
    entries = json.loads(job.files[0][1])["pythonpath"]
    assert entries[0] == "/opt/ml/processing/code/support"
    assert len(entries) == 7
