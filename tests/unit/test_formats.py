"""Format checks of single values (pipeline/formats.py), integer flags, credential names, safe
names and keys, and the emulator's script environment and instance paths."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pytest

from aws_sagemaker_remote.args import local_output_problem
from aws_sagemaker_remote.aws.credentials import is_credential_name
from aws_sagemaker_remote.backends.local.runner.instance import Instance
from aws_sagemaker_remote.backends.local.runner.jobenv import script_base
from aws_sagemaker_remote.flags import positive_int
from aws_sagemaker_remote.follow.outputs import file_name_problem, output_dirs
from aws_sagemaker_remote.pipeline import formats
from aws_sagemaker_remote.s3.transfer import UnsafeKeyError, safe_relpath

ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com"


@pytest.mark.parametrize(
    "image",
    [
        f"{ECR}/sagemaker-scikit-learn:1.2-1-cpu-py3",
        f"{ECR}/team/my_image",
        f"{ECR}/img@sha256:{'a' * 64}",
        "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/x:latest",
        "localhost:5000/x:1",
    ],
)
def test_image_references_accepted(image):
    assert formats.image_problem(image) is None


def test_an_image_with_a_tag_and_a_digest_is_refused():
    """SageMaker takes registry/repository[:tag] or registry/repository[@digest] (botocore's
    AlgorithmSpecification.TrainingImage), not both (issue 18 point 5)."""
    problem = formats.image_problem(f"{ECR}/img:v1@sha256:{'0' * 64}")
    assert problem.startswith("a tag and a digest: SageMaker takes REGISTRY/REPOSITORY:TAG or")


@pytest.mark.parametrize(
    "image",
    [
        "not a uri",
        "img:1",  # no registry: Docker Hub, which SageMaker does not pull from
        f"{ECR}/Upper:1",
        f"{ECR}/x:-tag",
        f"{ECR}/x:{'t' * 129}",
        f"{ECR}/x@sha256:abc",
        f"{ECR}//x",
        f"{ECR}/x:１",
        f"https://{ECR}/x:1",
        f"{ECR}/x y",
    ],
)
def test_image_references_refused(image):
    assert formats.image_problem(image) == formats.IMAGE_RULE


@pytest.mark.parametrize(
    "key",
    [
        "1234abcd-12ab-34cd-56ef-1234567890ab",
        "mrk-1234abcd12ab34cd56ef1234567890ab",
        "alias/ExampleAlias",
        "alias/aws/s3",
        "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/my/alias",
    ],
)
def test_kms_forms_accepted(key):
    assert formats.kms_key_problem(key) is None


@pytest.mark.parametrize(
    "key",
    [
        "abc",
        "alias/",
        "key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws:kms:us-east-2:111122223333:key/abc",
        "arn:aws:kms:us-east-2:1111:alias/x",
        "arn:aws:s3:::bucket",
        "1234abcd-12ab-34cd-56ef-1234567890a",
    ],
)
def test_kms_forms_refused(key):
    assert formats.kms_key_problem(key) == formats.KMS_RULE


def test_vpc_ids():
    assert formats.subnet_problem("subnet-0123abcd") is None
    assert formats.subnet_problem("subnet-0123456789abcdef0") is None
    assert formats.security_group_problem("sg-0123abcd") is None
    for bad in ("subnet-1", "subnet-0123ABCD", "s-0123abcd", "subnet-0123abcde"):
        assert formats.subnet_problem(bad)
    for bad in ("sg-1", "sg-0123abcdg", "subnet-0123abcd"):
        assert formats.security_group_problem(bad)


@pytest.mark.parametrize("prefix", ["a", "team/jobs", "team/jobs/", "x.y/z..w"])
def test_prefix_accepted(prefix):
    assert formats.prefix_problem(prefix) is None


@pytest.mark.parametrize("prefix", ["/abs", "../escape", "a/../b", "a/./b", "a//b", "."])
def test_prefix_refused(prefix):
    assert formats.prefix_problem(prefix)


def test_local_output_problems(tmp_path):
    data = tmp_path / "data"
    (data / "sub").mkdir(parents=True)
    (tmp_path / "file.txt").write_text("x")
    (tmp_path / "link").symlink_to(data)
    inputs = [str(data)]
    assert local_output_problem(str(tmp_path / "out"), inputs) is None
    assert "not a folder" in local_output_problem(str(tmp_path / "file.txt"), inputs)
    assert "is the input" in local_output_problem(str(data), inputs)
    assert "is the input" in local_output_problem(str(tmp_path / "link"), inputs)
    assert "inside the input" in local_output_problem(str(data / "sub" / "o"), inputs)
    assert "contains the input" in local_output_problem(str(tmp_path), inputs)
    assert local_output_problem(str(tmp_path / "data2"), inputs) is None


@pytest.mark.parametrize("value", ["١٢", "1_0", "+5", "-1", "0", "", "1.0", "²", "0x10"])
def test_positive_int_refuses(value):
    with pytest.raises(argparse.ArgumentTypeError):
        positive_int(value)


def test_positive_int_accepts():
    assert positive_int("12") == 12
    assert positive_int(" 7 ") == 7
    assert positive_int(30) == 30


@pytest.mark.parametrize(
    "name",
    [
        "AWS_ACCESS_KEY_ID",
        "aws_secret_access_key",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_CONFIG_FILE",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_ROLE_ARN",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    ],
)
def test_credential_names(name):
    assert is_credential_name(name)


def test_other_names_are_not_credentials():
    for name in ("AWS_REGION", "AWS_ENDPOINT_URL_S3", "MY_KEY", "SECRET"):
        assert not is_credential_name(name)


@pytest.mark.parametrize(
    "name", ["../../x", "/abs/x", "..", ".", "", "a/b", "a\\b", "C:", "c:x", "x\0y"]
)
def test_hostile_output_names_refused(name, tmp_path):
    from aws_sagemaker_remote.errors import UsageError

    assert file_name_problem(name)
    with pytest.raises(UsageError, match="refusing to download"):
        output_dirs(tmp_path, {"ok": "s3://b/k", name: "s3://b/k2"})


def test_plain_output_names_map_below_the_target(tmp_path):
    assert output_dirs(tmp_path, {"out-1": "s3://b/k"}) == {"out-1": str(tmp_path / "out-1")}


@pytest.mark.parametrize("rel", ["../x", "a/../../x", "./a", "a/./b", "/abs", ".."])
def test_unsafe_keys_refused(rel):
    with pytest.raises(UnsafeKeyError):
        safe_relpath(rel, "s3://b/p/")


def test_a_backslash_is_an_ordinary_character_as_in_s3(monkeypatch):
    """Issue 23 point 4: `back\\slash.txt` is one file of that name, as a Linux container
    writes it; only where a backslash separates folders is it refused."""
    assert safe_relpath("back\\slash.txt", "s3://b/p/") == "back\\slash.txt"
    assert safe_relpath("a\\..\\x", "s3://b/p/") == "a\\..\\x"  # one name, not a path
    monkeypatch.setattr(os, "altsep", "\\")
    with pytest.raises(UnsafeKeyError):
        safe_relpath("a\\..\\x", "s3://b/p/")


def test_safe_keys():
    assert safe_relpath("a/b.txt", "s3://b/p/") == "a/b.txt"
    assert safe_relpath("a//b", "s3://b/p/") == "a/b"
    assert safe_relpath("dir/", "s3://b/p/") is None


CALLER = {
    "PATH": "/usr/bin",
    "HOME": "/home/u",
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "PIP_NO_INDEX": "1",
    "PIP_INDEX_URL": "https://user:token@pypi.example/simple",
    "HTTPS_PROXY": "http://proxy:3128",
    "PYTHONPATH": "/home/u/src",
    "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "SECRET",
    "AWS_SESSION_TOKEN": "TOKEN",
    "AWS_PROFILE": "dev",
    "AWS_SHARED_CREDENTIALS_FILE": "/home/u/.aws/credentials",
    "AWS_REGION": "eu-west-1",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:8333",
    "AWS_SAGEMAKER_REMOTE_HOME": "/tmp/h",
    "UNRELATED": "x",
}


def test_script_base_leaves_credentials_out(tmp_path):
    env = script_base(CALLER, tmp_path)
    assert {k: env[k] for k in ("PATH", "HOME", "LANG", "LC_ALL", "PIP_NO_INDEX")} == {
        k: CALLER[k] for k in ("PATH", "HOME", "LANG", "LC_ALL", "PIP_NO_INDEX")
    }
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert env["AWS_ENDPOINT_URL_S3"] == "http://127.0.0.1:8333"
    assert env["HTTPS_PROXY"] == "http://proxy:3128"
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        assert name not in env
    for name in ("PIP_INDEX_URL", "PYTHONPATH", "AWS_SAGEMAKER_REMOTE_HOME", "UNRELATED"):
        assert name not in env
    assert Path(env["AWS_SHARED_CREDENTIALS_FILE"]).is_relative_to(tmp_path)
    assert Path(env["AWS_CONFIG_FILE"]).is_relative_to(tmp_path)
    assert env["AWS_EC2_METADATA_DISABLED"] == "true"
    assert not {"SECRET", "TOKEN"} & set(env.values())


def test_script_base_passes_credentials_when_asked(tmp_path):
    env = script_base({**CALLER, "AWS_SAGEMAKER_REMOTE_PASS_CREDENTIALS": "1"}, tmp_path)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        assert env[name] == CALLER[name]
    assert env["AWS_SHARED_CREDENTIALS_FILE"] == CALLER["AWS_SHARED_CREDENTIALS_FILE"]
    assert "AWS_EC2_METADATA_DISABLED" not in env


def test_instance_paths_stay_inside(tmp_path):
    instance = Instance(1, 1, tmp_path / "job")
    root = instance.root
    assert instance.path("/opt/ml/processing/input/x") == root / "opt/ml/processing/input/x"
    assert instance.path("/opt/ml/processing/../output") == root / "opt/ml/output"
    for bad in ("/opt/ml/../../../../etc", "/etc/passwd", "relative/x", "//opt/ml/x"):
        with pytest.raises(ValueError, match="not a path under /opt/ml"):
            instance.path(bad)


def test_links_out_of_the_instance_are_found(tmp_path):
    instance = Instance(1, 1, tmp_path / "job")
    out = instance.path("/opt/ml/processing/output/o")
    other = instance.path("/opt/ml/processing/other")
    (out / "sub").mkdir(parents=True)
    other.mkdir(parents=True)
    (other / "far").symlink_to(tmp_path)
    (out / "inside").symlink_to(other / "f.txt")
    (out / "sub" / "loop").symlink_to(out)
    (out / "via").symlink_to(other)  # inside, but leads to a link that leaves
    (out / "secret").symlink_to(Path(os.path.expanduser("~")))
    assert instance.links_out(out) == ["secret", os.path.join("via", "far")]
    assert instance.contains(out / "inside")
    assert not instance.contains(out / "secret")


@pytest.mark.parametrize("name", ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "Aws_Profile"])
def test_api_env_refuses_credential_names(tmp_path, name):
    """`env=` of the API goes through the same check as `--sagemaker-env`."""
    from aws_sagemaker_remote.errors import UsageError
    from aws_sagemaker_remote.pipeline.spec import build_job_spec
    from aws_sagemaker_remote.pipeline.validate import validate
    from aws_sagemaker_remote.processing.args import (
        ProcessingArgumentParser,
        sagemaker_processing_args,
    )

    script = tmp_path / "job.py"
    script.write_text("")
    parser = ProcessingArgumentParser(prog="t")
    config = sagemaker_processing_args(parser, str(script), env={name: "value"})
    args = parser.parse_args([])
    spec = build_job_spec(config, args, [], parser)
    with pytest.raises(UsageError, match=f"--sagemaker-env: '{name}': AWS credential"):
        validate(spec)


def test_downloads_through_a_link_out_of_the_instance_are_refused(tmp_path):
    from aws_sagemaker_remote.backends.local.runner.channels import UnsafePathError, check_targets

    instance = Instance(1, 1, tmp_path / "job")
    folder = instance.path("/opt/ml/processing/input/data")
    folder.mkdir(parents=True)
    (folder / "sub").symlink_to(tmp_path)
    check_targets(instance, folder, [("k/a.txt", "a.txt", 1), ("k/x/b", "x/b", 1)])
    with pytest.raises(UnsafePathError, match="outside the instance"):
        check_targets(instance, folder, [("k/sub/evil.txt", "sub/evil.txt", 1)])
