"""The image data (issues 17 and 19): the SDK's framework table and instance GPU table, the
image profiles and their lookups."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import botocore.loaders
import botocore.regions
import pytest

from aws_sagemaker_remote.images.default import sklearn_images
from aws_sagemaker_remote.images.instances import (
    CPU,
    GPU,
    NEURON,
    accelerator,
    describe,
    gpu_count,
)
from aws_sagemaker_remote.images.profiles import canonical, find_profile, profile_for, profiles
from aws_sagemaker_remote.images.resolve import choose
from aws_sagemaker_remote.images.table import DATA, newest_first, python_of, table, version_key

DLC_ACCOUNT = "763104351884"

# --- the framework table ----------------------------------------------------------------------


def test_the_table_names_its_source_and_holds_the_five_frameworks():
    assert table().source.startswith("sagemaker-core==2.27.0 sagemaker/core/image_uri_config/")
    assert set(table().frameworks) == {"pytorch", "tensorflow", "huggingface", "xgboost", "sklearn"}
    raw = json.loads((DATA / "frameworks.json").read_text())
    assert raw["generated_by"] == "scripts/images_table.py"


def test_every_ecr_host_is_botocores_as_the_sdk_asks_it():
    """image_uris.retrieve: ``construct_endpoint("ecr", region)["hostname"]``."""
    resolver = botocore.regions.EndpointResolver(
        botocore.loaders.create_loader().load_data("endpoints")
    )
    for region, host in table().ecr_hosts.items():
        endpoint = resolver.construct_endpoint("ecr", region)
        assert host == (endpoint["hostname"] if endpoint else f"ecr.{region}.amazonaws.com")


def test_every_registry_is_a_twelve_digit_account_in_a_region_with_a_host():
    for framework in table().frameworks.values():
        for version in framework.versions.values():
            for variant in [version.variant, *version.bases.values()]:
                if variant is None:
                    continue
                assert set(variant.registries) <= set(table().ecr_hosts)
                assert all(re.fullmatch(r"\d{12}", a) for a in variant.registries.values())


def test_aliases_point_at_versions_of_the_table():
    for framework in table().frameworks.values():
        assert set(framework.aliases.values()) <= set(framework.versions)


@pytest.mark.parametrize(
    ("versions", "newest"),
    [
        (["2.9.0", "2.10.0", "2.1.0"], "2.10.0"),
        (["1.4-2", "1.4-2-py312", "1.2-1"], "1.4-2-py312"),
        (["0.90-2", "1.0-1", "3.2-0"], "3.2-0"),
    ],
)
def test_versions_order_as_numbers(versions, newest):
    assert newest_first(versions)[0] == newest
    assert version_key("2.10") > version_key("2.9.1")


@pytest.mark.parametrize(("tag", "python"), [("py311", (3, 11)), ("py39", (3, 9)), ("py3", (3,))])
def test_python_of_a_tag(tag, python):
    assert python_of(tag) == python


# --- instances --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instance", "count", "kind"),
    [
        ("ml.p4d.24xlarge", 8, GPU),  # the SDK's instance_gpu_info.json
        ("ml.p3.2xlarge", 1, GPU),
        ("ml.g4dn.12xlarge", 4, GPU),
        ("ml.g5.xlarge", 1, GPU),  # the SDK lists "ml.g5n.xlarge": our supplement
        ("ml.g6.48xlarge", 8, GPU),
        ("ml.g6e.12xlarge", 4, GPU),
        ("ml.p5.4xlarge", 1, GPU),
        ("ml.g7e.2xlarge", None, GPU),  # no table: a GPU family, count unknown
        ("ml.m5.xlarge", 0, CPU),
        ("ml.t3.medium", 0, CPU),
        ("ml.c7i-flex.large", 0, CPU),
        ("ml.trn1.32xlarge", 0, NEURON),
        ("ml.inf2.xlarge", 0, NEURON),
    ],
)
def test_gpu_count_and_accelerator(instance, count, kind):
    assert gpu_count(instance) == count
    assert accelerator(instance) == kind


def test_every_gpu_training_type_of_botocore_is_a_gpu_type():
    model = botocore.loaders.create_loader().load_service_model("sagemaker", "service-2")
    enum = model["shapes"]["TrainingInstanceType"]["enum"]
    gpu_types = [t for t in enum if re.match(r"ml\.[gp]\d", t)]
    assert gpu_types
    assert all(accelerator(t) == GPU for t in gpu_types)
    unknown = [t for t in gpu_types if gpu_count(t) is None]
    assert all(t.startswith(("ml.g7.", "ml.g7e.")) for t in unknown), unknown


def test_describe_for_messages():
    assert describe("ml.g5.12xlarge") == "ml.g5.12xlarge (4 GPUs)"
    assert describe("ml.g5.xlarge") == "ml.g5.xlarge (1 GPU)"
    assert describe("ml.m5.xlarge") == "ml.m5.xlarge (no GPU)"
    assert describe("ml.g7e.2xlarge") == "ml.g7e.2xlarge (GPUs)"


# --- profiles ---------------------------------------------------------------------------------


def test_every_profile_is_a_table_version_and_names_its_sources():
    for profile in profiles():
        framework = table().frameworks[profile.framework]
        assert profile.version in framework.versions
        assert re.fullmatch(r"3\.\d+(\.\d+)?", profile.python_full)
        assert profile.packages
        assert all(canonical(name) == name for name in profile.packages)
        for source in profile.sources:
            assert source.repository.startswith("aws/")
            assert re.fullmatch(r"[0-9a-f]{40}", source.commit)
            assert source.paths


def test_profiles_cover_the_default_images_and_the_newest_versions_of_each_framework():
    covered = {(p.framework, p.version) for p in profiles()}
    assert {("sklearn", image.version) for image in sklearn_images()} <= covered
    for name in ("pytorch", "tensorflow", "xgboost", "sklearn"):
        newest = newest_first(table().frameworks[name].versions)[:3]
        present = [v for v in newest if (name, v) in covered]
        assert len(present) >= 2, (name, newest)
    assert all(p.processor == "cpu" for p in profiles() if p.framework != "huggingface")


def test_a_profiles_python_is_the_one_its_tag_carries():
    for profile in profiles():
        entry = table().frameworks[profile.framework].versions[profile.version]
        variant = entry.bases[profile.base] if profile.base else entry.variant
        tags = [python_of(p) for p in variant.py_versions if len(p) > 3]
        if tags:
            assert profile.python in tags, profile.label


@pytest.mark.parametrize(
    ("uri", "label", "torch"),
    [
        (
            f"{DLC_ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/pytorch-training:2.5-gpu-py311",
            "pytorch 2.5.1",
            "2.5.1+cpu",
        ),
        (
            f"{DLC_ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/pytorch-training:2.5.1-cpu-py311",
            "pytorch 2.5.1",
            "2.5.1+cpu",
        ),
        (
            f"{DLC_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.8.0-gpu-py312-cu129-ubuntu22.04-sagemaker",
            "pytorch 2.8.0",
            "2.8.0",
        ),
        (
            f"{DLC_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:2.5-transformers4.49.0-gpu-py311-cu124-ubuntu22.04",
            "huggingface 4.49.0",
            "2.5.1+cu124",
        ),
        (
            "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.4-2-py312-cpu-py3",
            "sklearn 1.4-2-py312",
            None,
        ),
        (
            "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.4-2-cpu-py3",
            "sklearn 1.4-2",
            None,
        ),
        (
            "450853457545.dkr.ecr.cn-north-1.amazonaws.com.cn/sagemaker-scikit-learn:1.9-0-cpu-py3",
            "sklearn 1.9-0",
            None,
        ),
    ],
)
def test_profile_for_a_table_image(uri, label, torch):
    profile = profile_for(uri)
    assert profile is not None
    assert profile.label == label
    assert profile.version_of("torch") == torch


@pytest.mark.parametrize(
    "uri",
    [
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.4-2-cpu-py3",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/my-image:latest",
        f"{DLC_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:1.13-gpu-py39",
        f"{DLC_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:9.9-gpu-py311",
        "ghcr.io/me/image:1",
        "not a uri",
    ],
)
def test_no_profile_for_another_image(uri):
    """A user's own image (here one named like AWS's, in another account), a table version
    without a profile, a tag of no version, anything else."""
    assert profile_for(uri) is None


def test_a_gpu_image_maps_to_the_cpu_build_of_its_version():
    gpu = choose("pytorch:2.6", "ml.g5.xlarge").uri("us-east-1")
    profile = profile_for(gpu)
    assert profile.processor == "cpu"
    assert profile.version_of("torch") == "2.6.0+cpu"


def test_the_profile_api_for_environments_and_the_import_check():
    profile = find_profile("sklearn", "1.9-0")
    assert profile.python == (3, 12)
    assert profile.version_of("Scikit_Learn") == "1.9.0"
    assert profile.version_of("scipy") == "1.18.0"
    assert profile.version_of("no-such-thing") is None
    assert "scikit-learn==1.9.0" in profile.requirements()
    unpinned = find_profile("pytorch", "2.5.1")
    assert "boto3" in unpinned.requirements()  # installed, version left to the resolver
    assert unpinned.version_of("boto3") is None
    assert unpinned.packages["numpy"] == "<2"


def test_the_huggingface_profile_is_its_gpu_builds_over_the_pytorch_image():
    profile = find_profile("huggingface", "4.56.2")
    assert (profile.processor, profile.base, profile.python) == ("gpu", "pytorch2.8.0", (3, 12))
    assert profile.version_of("transformers") == "4.56.2"
    assert profile.version_of("torch") == "2.8.0"
    paths = [path for source in profile.sources for path in source.paths]
    assert "pytorch/training/docker/2.8/py3/cu129/Dockerfile.gpu" in paths
    assert "huggingface/pytorch/training/docker/2.8/py3/cu129/Dockerfile.gpu" in paths
    assert profile.unnamed  # TransformerEngine from git: more than the packages list


def test_a_local_run_never_loads_the_image_table(tmp_path):
    """Lazy imports: a local run with an image name, even a wrong one, never resolves it."""
    code = (
        "import sys\n"
        "from aws_sagemaker_remote import sagemaker_training_main\n"
        "sys.argv = ['train.py', '--model-dir', 'm', '--sagemaker-image', 'no-such:1']\n"
        "sagemaker_training_main(main=lambda args: print(args.sagemaker_image),\n"
        "    image='pytorch:2.5', instance='ml.g5.xlarge')\n"
        "print(sorted(n for n in sys.modules if n.startswith('aws_sagemaker_remote.images')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["no-such:1", "[]"]


def test_the_image_data_is_not_shipped_to_jobs(tmp_path):
    """It is used on this machine only: the support piece leaves images/ out."""
    from pathlib import Path

    import aws_sagemaker_remote
    from aws_sagemaker_remote.kinds import PROCESSING
    from aws_sagemaker_remote.pipeline.layout import code_pieces
    from aws_sagemaker_remote.pipeline.spec import JobSpec

    script = tmp_path / "job.py"
    script.write_text("")
    package = Path(aws_sagemaker_remote.__file__).parent
    support = next(
        p
        for p in code_pieces(JobSpec(script=str(script), kind=PROCESSING), package)
        if p.key == "support"
    )
    shipped = [rel for rel, _ in support.files]
    assert "aws_sagemaker_remote/container/bootstrap.py" in shipped
    assert not [rel for rel in shipped if rel.startswith("aws_sagemaker_remote/images/")]
