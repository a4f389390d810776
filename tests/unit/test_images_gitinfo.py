"""Pure parts of AWS resolution: image table, job names, tags, git state, name rules."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
from helpers import git

from aws_sagemaker_remote.aws.bucket import default_bucket_name, validate_bucket_name
from aws_sagemaker_remote.aws.partition import partition
from aws_sagemaker_remote.aws.role import is_role_arn, parse_role_name, role_arn
from aws_sagemaker_remote.contract import JOB_NAME_PATTERN, is_job_name
from aws_sagemaker_remote.errors import UsageError
from aws_sagemaker_remote.images.default import (
    default_image,
    python_warning,
    sklearn_images,
    sklearn_registries,
)
from aws_sagemaker_remote.kinds import PROCESSING
from aws_sagemaker_remote.pipeline.naming import job_name, strip_timestamp, validate_job_name
from aws_sagemaker_remote.pipeline.tags import GitState, git_state, job_tags, sanitize_tag_value
from aws_sagemaker_remote.s3.uri import bucket_rule_broken

NOW = datetime(2024, 3, 5, 7, 8, 9, 123456, tzinfo=timezone.utc)

# --- images ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("local", "tag"),
    [
        ((3, 8), "1.2-1-cpu-py3"),
        ((3, 9), "1.2-1-cpu-py3"),
        ((3, 10), "1.4-2-cpu-py3"),
        ((3, 11), "1.9-0-cpu-py3"),
        ((3, 12), "1.9-0-cpu-py3"),
        ((3, 13), "1.9-0-cpu-py3"),
        ((4, 0), "1.9-0-cpu-py3"),
    ],
)
def test_default_image_follows_the_local_python(local, tag):
    assert default_image("us-east-1", local) == (
        f"683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:{tag}"
    )


def test_default_image_uses_the_running_python_by_default():
    assert default_image("eu-west-1") == default_image("eu-west-1", sys.version_info[:2])
    assert default_image("eu-west-1").startswith("141502667606.dkr.ecr.eu-west-1.amazonaws.com/")


def test_python_table_matches_the_images():
    """Each tag's Python from its Dockerfile (the image profiles)."""
    table = {image.tag: image.python for image in sklearn_images()}
    assert table == {
        "1.2-1-cpu-py3": (3, 9),
        "1.4-2-cpu-py3": (3, 10),
        "1.4-2-py312-cpu-py3": (3, 12),
        "1.9-0-cpu-py3": (3, 12),
    }


def test_warning_only_when_the_local_python_is_newer():
    assert python_warning((3, 11)) is None
    assert python_warning((3, 12)) is None
    assert python_warning((3, 9)) is None
    warning = python_warning((3, 13))
    assert warning.startswith("warning: local Python 3.13 is newer than Python 3.12")
    assert "sagemaker-scikit-learn:1.9-0-cpu-py3" in warning
    assert "\n" not in warning


@pytest.mark.parametrize(
    ("region", "host"),
    [
        ("us-isof-east-1", "108575199400.dkr.ecr.us-isof-east-1.csp.hci.ic.gov"),
        ("us-isof-south-1", "124985052026.dkr.ecr.us-isof-south-1.csp.hci.ic.gov"),
        ("us-isob-east-1", "281123927165.dkr.ecr.us-isob-east-1.sc2s.sgov.gov"),
    ],
)
def test_isolated_regions(region, host):
    assert default_image(region, (3, 12)).startswith(host + "/sagemaker-scikit-learn:")


def test_default_image_china_uses_cn_domain():
    assert default_image("cn-north-1").startswith(
        "450853457545.dkr.ecr.cn-north-1.amazonaws.com.cn/"
    )


def test_every_region_has_a_twelve_digit_account():
    assert len(sklearn_registries()) > 30
    assert all(re.fullmatch(r"\d{12}", account) for account in sklearn_registries().values())


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


def test_job_name_is_base_utc_timestamp_and_suffix():
    assert job_name("my-job", NOW, "k3x9q") == "my-job-2024-03-05-07-08-09-123-k3x9q"
    assert re.fullmatch(r"my-job-2024-03-05-07-08-09-123-[a-z0-9]{5}", job_name("my-job", NOW))


def test_job_name_converts_aware_times_to_utc():
    local = NOW.astimezone(timezone(timedelta(hours=5)))
    assert job_name("x", local, "aaaaa") == "x-2024-03-05-07-08-09-123-aaaaa"


def test_job_name_sanitizes_base():
    assert job_name("__My_job!! v2.py--", NOW, "z0z0z") == (
        "My-job-v2-py-2024-03-05-07-08-09-123-z0z0z"
    )


@pytest.mark.parametrize("base", ["", "___", "---"])
def test_job_name_empty_base_falls_back(base):
    fallback = PROCESSING.defaults.base_job_name
    assert job_name(base, NOW, "00000", fallback=fallback) == (
        "processing-job-2024-03-05-07-08-09-123-00000"
    )


@pytest.mark.parametrize(
    ("name", "base"),
    [
        ("my-job-2024-03-05-07-08-09-123-k3x9q", "my-job"),
        ("my-job-2024-03-05-07-08-09-123", "my-job"),  # named by an earlier version
        ("plain-name", "plain-name"),
    ],
)
def test_strip_timestamp_knows_both_forms(name, base):
    assert strip_timestamp(name) == base


def test_twenty_concurrent_submissions_get_twenty_names():
    """The worst case: every thread in the same millisecond."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    barrier = Barrier(20)

    def name(_):
        barrier.wait()
        return job_name("burst", NOW)

    with ThreadPoolExecutor(20) as pool:
        names = list(pool.map(name, range(20)))
    assert len(set(names)) == 20
    assert all(is_job_name(n) and n.startswith("burst-2024-03-05-07-08-09-123-") for n in names)
    later = job_name("burst", NOW + timedelta(milliseconds=1), "00000")
    assert max(names) < later  # sortable by creation, whatever the suffix


def test_job_name_truncates_long_base_to_63():
    name = job_name("a" * 32 + "-" + "b" * 40, NOW, "zzzzz")
    assert len(name) <= 63
    assert name == "a" * 32 + "-2024-03-05-07-08-09-123-zzzzz"  # the cut base's "-" dropped
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


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "repo"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "script.py").write_text("print('hi')\n")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "init")
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
    git(tmp_path, "init", "-q")
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
