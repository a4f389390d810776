"""Pure parts of AWS resolution: image table, job names, tags, git state, name rules."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime, timedelta, timezone

import pytest

from aws_sagemaker_remote.aws.bucket import default_bucket_name, validate_bucket_name
from aws_sagemaker_remote.aws.images import SKLEARN_REGISTRIES, default_image
from aws_sagemaker_remote.aws.partition import partition
from aws_sagemaker_remote.aws.role import is_role_arn, parse_role_name, resolve_role, role_arn
from aws_sagemaker_remote.contract import JOB_NAME_PATTERN, is_job_name
from aws_sagemaker_remote.errors import UsageError
from aws_sagemaker_remote.pipeline.naming import job_name, validate_job_name
from aws_sagemaker_remote.pipeline.tags import GitState, git_state, job_tags, sanitize_tag_value
from aws_sagemaker_remote.s3.uri import bucket_rule_broken

NOW = datetime(2024, 3, 5, 7, 8, 9, 123456, tzinfo=timezone.utc)

# --- images ---------------------------------------------------------------------------------


def test_default_image_us_east_1():
    assert default_image("us-east-1") == (
        "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
    )


def test_default_image_other_version_and_region():
    assert default_image("eu-west-1", framework_version="1.0-1") == (
        "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn:1.0-1-cpu-py3"
    )


def test_default_image_china_uses_cn_domain():
    assert default_image("cn-north-1").startswith(
        "450853457545.dkr.ecr.cn-north-1.amazonaws.com.cn/"
    )


def test_every_region_has_a_twelve_digit_account():
    assert len(SKLEARN_REGISTRIES) > 30
    assert all(re.fullmatch(r"\d{12}", account) for account in SKLEARN_REGISTRIES.values())


def test_unknown_region_is_a_usage_error():
    with pytest.raises(UsageError) as info:
        default_image("mars-north-1")
    assert str(info.value) == (
        "--sagemaker-image: no default scikit-learn image known for region mars-north-1; "
        "pass --sagemaker-image"
    )


@pytest.mark.parametrize(
    ("region", "expected"),
    [("us-east-1", "aws"), ("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov")],
)
def test_partition(region, expected):
    assert partition(region) == expected


# --- job names ------------------------------------------------------------------------------


def test_job_name_is_base_and_utc_timestamp():
    assert job_name("my-job", NOW) == "my-job-2024-03-05-07-08-09-123"


def test_job_name_converts_aware_times_to_utc():
    local = NOW.astimezone(timezone(timedelta(hours=5)))
    assert job_name("x", local) == "x-2024-03-05-07-08-09-123"


def test_job_name_sanitizes_base():
    assert job_name("__My_job!! v2.py--", NOW) == "My-job-v2-py-2024-03-05-07-08-09-123"


@pytest.mark.parametrize("base", ["", "___", "---"])
def test_job_name_empty_base_falls_back(base):
    assert job_name(base, NOW) == "processing-job-2024-03-05-07-08-09-123"


def test_job_name_truncates_long_base_to_63():
    name = job_name("a" * 38 + "-" + "b" * 40, NOW)
    assert len(name) <= 63
    assert name == "a" * 38 + "-2024-03-05-07-08-09-123"  # trailing "-" of the cut base dropped
    validate_job_name(name)


def test_job_name_default_now_is_valid():
    name = job_name("base")
    assert re.fullmatch(JOB_NAME_PATTERN, name)
    validate_job_name(name)


@pytest.mark.parametrize("name", ["a", "a-b", "A--9", "x" * 63])
def test_valid_job_names(name):
    assert is_job_name(name)
    validate_job_name(name)


@pytest.mark.parametrize("name", ["", "-a", "a-", "a_b", "a b", "x" * 64, "a\n"])
def test_invalid_job_names(name):
    with pytest.raises(UsageError) as info:
        validate_job_name(name)
    message = str(info.value)
    assert message.startswith("--sagemaker-job-name:")
    assert JOB_NAME_PATTERN in message
    assert "63" in message


# --- tags -----------------------------------------------------------------------------------


def test_job_tags_with_git_state_and_user_tags():
    tags = job_tags("base", GitState(commit="abc123", dirty=True), {"team": "ml", "cost": "42"})
    assert tags == [
        {"Key": "Source", "Value": "aws-sagemaker-remote"},
        {"Key": "BaseJobName", "Value": "base"},
        {"Key": "GitCommit", "Value": "abc123"},
        {"Key": "GitDirty", "Value": "true"},
        {"Key": "team", "Value": "ml"},
        {"Key": "cost", "Value": "42"},
    ]


def test_job_tags_without_git():
    tags = job_tags("base", None, {})
    assert [t["Key"] for t in tags] == ["Source", "BaseJobName"]


def test_job_tags_clean_tree():
    tags = job_tags("base", GitState(commit="c", dirty=False), {})
    assert {"Key": "GitDirty", "Value": "false"} in tags


def test_user_may_not_override_source():
    with pytest.raises(UsageError, match="^--sagemaker-tags: .*Source"):
        job_tags("base", None, {"Source": "me"})


@pytest.mark.parametrize("key", ["", "k" * 129, "aws:thing", "bad#key"])
def test_bad_user_keys(key):
    with pytest.raises(UsageError, match="^--sagemaker-tags:"):
        job_tags("base", None, {key: "v"})


def test_user_tag_values_are_sanitized_and_cut():
    tags = job_tags("base", None, {"note": "a#b$c é 1/2" + "x" * 300})
    value = tags[-1]["Value"]
    assert value.startswith("a_b_c é 1/2")
    assert len(value) == 256


def test_sanitize_tag_value_keeps_allowed_charset():
    allowed = "Abc 123 _.:/=+-@ ünï 中文"
    assert sanitize_tag_value(allowed) == allowed
    assert sanitize_tag_value("a\tb\"c'd") == "a_b_c_d"


def test_too_many_tags():
    with pytest.raises(UsageError, match="at most 50"):
        job_tags("base", None, {f"k{i}": "v" for i in range(49)})


# --- git state ------------------------------------------------------------------------------

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")


def _git(cwd, *args):
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "repo"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "script.py").write_text("print('hi')\n")
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "init")
    return root


def _head(root):
    out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True)
    return out.stdout.strip()


@needs_git
def test_git_state_clean_from_script_file(repo):
    state = git_state(repo / "pkg" / "script.py")
    assert state == GitState(commit=_head(repo), dirty=False)


@needs_git
def test_git_state_dirty(repo):
    (repo / "pkg" / "script.py").write_text("print('changed')\n")
    state = git_state(repo / "pkg")
    assert state is not None
    assert state.dirty
    assert state.commit == _head(repo)


@needs_git
def test_git_state_outside_a_repo(tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "s.py").write_text("")
    assert git_state(plain / "s.py") is None


@needs_git
def test_git_state_repo_without_commits(tmp_path):
    _git(tmp_path, "init", "-q")
    assert git_state(tmp_path) is None


def test_git_state_without_git(repo, monkeypatch):
    monkeypatch.setenv("PATH", "")
    assert git_state(repo) is None


# --- role and bucket names ------------------------------------------------------------------


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam::123456789012:role/my-role",
        "arn:aws-cn:iam::123456789012:role/service-role/x",
    ],
)
def test_role_arns(arn):
    assert is_role_arn(arn)


def test_role_name_with_path():
    parsed = parse_role_name("team/ml/my.role")
    assert (parsed.path, parsed.name) == ("/team/ml/", "my.role")
    assert role_arn("aws", "123456789012", parsed) == (
        "arn:aws:iam::123456789012:role/team/ml/my.role"
    )


@pytest.mark.parametrize("name", ["", "r" * 65, "bad name", "bad*name", "a//b", "rôle"])
def test_bad_role_names(name):
    with pytest.raises(UsageError, match="^--sagemaker-role:"):
        parse_role_name(name)


def test_default_bucket_name():
    assert default_bucket_name("eu-west-1", "123456789012") == "sagemaker-eu-west-1-123456789012"
    validate_bucket_name(default_bucket_name("ap-southeast-4", "123456789012"))


@pytest.mark.parametrize(
    "name",
    [
        "ab",
        "a" * 64,
        "Upper",
        "under_score",
        "-start",
        "end-",
        "two..dots",
        "dot.-hyphen",
        "192.168.1.1",
        "xn--punycode",
        "name-s3alias",
    ],
)
def test_bad_bucket_names(name):
    with pytest.raises(UsageError, match="^--sagemaker-bucket:"):
        validate_bucket_name(name)


@pytest.mark.parametrize("name", ["abc", "my.bucket-1", "a" * 63])
def test_good_bucket_names(name):
    assert bucket_rule_broken(name) == ""
    validate_bucket_name(name)


# --- role permissions (IAM refusals cannot be staged on moto, which allows everything) ------


class _RefusingIam:
    """Just enough of an IAM client to answer with a given error code per operation."""

    def __init__(self, **codes):
        self.codes = codes
        self.calls = []

    def __getattr__(self, operation):
        from botocore.exceptions import ClientError

        def call(**kwargs):
            self.calls.append(operation)
            code = self.codes.get(operation)
            if code:
                raise ClientError({"Error": {"Code": code, "Message": "refused"}}, operation)
            return {}

        return call


class _Session:
    def __init__(self, iam):
        self.iam = iam

    def client(self, service):
        assert service == "iam"
        return self.iam


def test_unreadable_role_is_used_by_its_arn(capsys):
    session = _Session(_RefusingIam(get_role="AccessDenied"))
    arn = resolve_role(session, "my-role", account="123456789012", create=True)
    assert arn == "arn:aws:iam::123456789012:role/my-role"
    assert capsys.readouterr().err.count("cannot read IAM role my-role") == 1
    assert resolve_role(session, "my-role", account="123456789012", create=False) == arn
    assert capsys.readouterr().err == ""


def test_role_creation_denied_is_a_usage_error():
    iam = _RefusingIam(get_role="NoSuchEntity", create_role="AccessDenied")
    with pytest.raises(UsageError, match="^--sagemaker-role: role 'r' does not exist and creat"):
        resolve_role(_Session(iam), "r", account="123456789012", create=True)


def test_role_whose_policy_cannot_be_attached_is_removed():
    iam = _RefusingIam(get_role="NoSuchEntity", attach_role_policy="AccessDenied")
    iam.codes["create_role"] = None
    iam.create_role = lambda **kw: {"Role": {"Arn": "arn:aws:iam::123456789012:role/r"}}
    with pytest.raises(UsageError, match="attaching AmazonSageMakerFullAccess"):
        resolve_role(_Session(iam), "r", account="123456789012", create=True)
    assert iam.calls[-1] == "delete_role"
