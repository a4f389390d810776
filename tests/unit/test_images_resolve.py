"""Framework images by name (issue 19): each rule of the SDK's ``image_uris.retrieve`` that
``images/resolve.py`` restates, and each refusal. Expected URIs are the ones sagemaker-core
2.27.0's ``image_uris.retrieve`` / ``get_training_image_uri`` returns for the same arguments
(image_scope="training", the py_version chosen here), checked against it when the table was
generated."""

from __future__ import annotations

import pytest

from aws_sagemaker_remote.errors import UsageError
from aws_sagemaker_remote.images.resolve import choose, is_reference
from aws_sagemaker_remote.images.table import table

DLC = "763104351884.dkr.ecr"
PY311 = (3, 11)


def uri(reference: str, instance: str, region: str, local=PY311) -> str:
    return choose(reference, instance, local).uri(region)


def refusal(reference: str, instance: str, region: str = "us-east-1", local=PY311) -> str:
    with pytest.raises(UsageError) as info:
        uri(reference, instance, region, local)
    message = str(info.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize(
    ("reference", "instance", "region", "expected"),
    [
        # the acceptance cases of issue 19
        (
            "pytorch:2.5",
            "ml.g5.xlarge",
            "eu-west-1",
            f"{DLC}.eu-west-1.amazonaws.com/pytorch-training:2.5-gpu-py311",
        ),
        (
            "pytorch:2.5",
            "ml.m5.xlarge",
            "eu-west-1",
            f"{DLC}.eu-west-1.amazonaws.com/pytorch-training:2.5-cpu-py311",
        ),
        (
            "pytorch:2.5.1",
            "ml.p3.2xlarge",
            "us-west-2",
            f"{DLC}.us-west-2.amazonaws.com/pytorch-training:2.5.1-gpu-py311",
        ),
        (
            "tensorflow:2.16",
            "ml.m5.xlarge",
            "ap-southeast-2",
            f"{DLC}.ap-southeast-2.amazonaws.com/tensorflow-training:2.16-cpu-py310",
        ),
        (
            "sklearn:1.4-2",
            "ml.m5.xlarge",
            "us-east-1",
            "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.4-2-cpu-py3",
        ),
        (
            "xgboost:1.7-1",
            "ml.m5.xlarge",
            "us-east-1",
            "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
        ),
        # xgboost's newer entries name no processor: the same image on a GPU instance
        (
            "xgboost:1.7-1",
            "ml.g5.2xlarge",
            "us-east-1",
            "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
        ),
        (
            "xgboost:0.90-2",
            "ml.m5.xlarge",
            "us-east-1",
            "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:0.90-2-cpu-py3",
        ),
        # other partitions' registries and hosts
        (
            "pytorch:1.13",
            "ml.g4dn.xlarge",
            "cn-north-1",
            "727897471807.dkr.ecr.cn-north-1.amazonaws.com.cn/pytorch-training:1.13-gpu-py39",
        ),
        (
            "tensorflow:2.19",
            "ml.p4d.24xlarge",
            "us-gov-west-1",
            "442386744353.dkr.ecr.us-gov-west-1.amazonaws.com/tensorflow-training:2.19-gpu-py312",
        ),
        # huggingface: transformers version over a named base, the tag keeping the base as named
        (
            "huggingface:4.49-pytorch2.5",
            "ml.g5.xlarge",
            "us-east-1",
            f"{DLC}.us-east-1.amazonaws.com/huggingface-pytorch-training:2.5-transformers4.49.0-gpu-py311-cu124-ubuntu22.04",
        ),
        (
            "huggingface:4.49.0-pytorch2.5.1",
            "ml.g5.xlarge",
            "eu-central-1",
            f"{DLC}.eu-central-1.amazonaws.com/huggingface-pytorch-training:2.5.1-transformers4.49.0-gpu-py311-cu124-ubuntu22.04",
        ),
        (
            "huggingface:4.17-tensorflow2.6",
            "ml.p3.2xlarge",
            "us-east-1",
            f"{DLC}.us-east-1.amazonaws.com/huggingface-tensorflow-training:2.6-transformers4.17.0-gpu-py38-cu112-ubuntu20.04",
        ),
        # an entry without a container version: get_training_image_uri's cu110-ubuntu18.04
        (
            "huggingface:4.4.2-pytorch1.6",
            "ml.p3.2xlarge",
            "us-east-1",
            f"{DLC}.us-east-1.amazonaws.com/huggingface-pytorch-training:1.6-transformers4.4.2-gpu-py36-cu110-ubuntu18.04",
        ),
    ],
)
def test_uri_is_the_sdks(reference, instance, region, expected):
    assert uri(reference, instance, region) == expected


def test_an_alias_stands_for_its_full_version_and_the_tag_keeps_the_form_given():
    short = choose("pytorch:2.5", "ml.m5.xlarge", PY311)
    full = choose("pytorch:2.5.1", "ml.m5.xlarge", PY311)
    assert short.version == full.version == "2.5.1"
    assert (short.tag, full.tag) == ("2.5-cpu-py311", "2.5.1-cpu-py311")


def test_a_bare_name_takes_the_newest_version_for_the_instance():
    newest = max(
        table().frameworks["pytorch"].versions, key=lambda v: [int(p) for p in v.split(".")]
    )
    gpu = choose("pytorch", "ml.g5.xlarge", (3, 13))
    assert (gpu.version, gpu.processor) == (newest, "gpu") == ("2.10.0", "gpu")
    assert (
        gpu.uri("us-east-1") == f"{DLC}.us-east-1.amazonaws.com/pytorch-training:2.10.0-gpu-py313"
    )
    assert choose("PyTorch", "ml.m5.xlarge").processor == "cpu"  # the name in any case
    assert choose("huggingface", "ml.g5.xlarge").tag.startswith("2.9.0-transformers5.3.0-gpu-")
    assert choose("xgboost", "ml.m5.xlarge").version == "3.2-0"  # not the built-in algorithm "1"


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        ((3, 6), "py36"),  # exact
        ((3, 5), "py36"),  # the closest at or above
        ((3, 7), "py37"),
        ((3, 12), "py37"),  # none at or above: the newest
        ((2, 7), "py3"),  # py3 counts as Python 3.0
    ],
)
def test_python_is_the_closest_at_or_above_the_local_else_the_newest(local, expected):
    """tensorflow 1.15.5 publishes py3, py36 and py37 images."""
    variant = table().frameworks["tensorflow"].versions["1.15.5"].variant
    assert variant.py_versions == ("py3", "py36", "py37")
    assert choose("tensorflow:1.15", "ml.m5.xlarge", local).py_version == expected


@pytest.mark.parametrize(
    ("instance", "processor"),
    [
        ("ml.g5.xlarge", "gpu"),  # not in the SDK's table (it lists "ml.g5n.xlarge"): ours
        ("ml.g6e.12xlarge", "gpu"),
        ("ml.p5.48xlarge", "gpu"),
        ("ml.g7e.2xlarge", "gpu"),  # in no table: the SDK's family rule
        ("ml.m5.xlarge", "cpu"),
        ("ml.c7i.large", "cpu"),
        ("ml.t3.medium", "cpu"),
    ],
)
def test_processor_follows_the_instance_type(instance, processor):
    assert choose("pytorch:2.6", instance).processor == processor


def test_a_cpu_only_image_on_a_gpu_instance_is_refused():
    message = refusal("sklearn:1.4-2", "ml.g5.xlarge")
    assert message.startswith(
        "--sagemaker-image: 'sklearn:1.4-2': sklearn 1.4-2 images are CPU-only and "
        "ml.g5.xlarge (1 GPU) is a GPU instance; choose a CPU instance type"
    )


def test_a_gpu_only_version_on_a_cpu_instance_is_refused():
    message = refusal("huggingface:4.49", "ml.m5.xlarge")
    assert message == (
        "--sagemaker-image: 'huggingface:4.49': huggingface 4.49.0 is published for GPUs only "
        "and ml.m5.xlarge (no GPU) has none; choose a GPU instance type (e.g. ml.g5.xlarge)"
    )


def test_an_unknown_framework_is_refused_with_the_names_that_exist():
    message = refusal("pytorhc:2.5", "ml.m5.xlarge")
    assert message.startswith(
        "--sagemaker-image: 'pytorhc:2.5': not a framework name (did you mean pytorch?)"
    )
    assert "pytorch, tensorflow, huggingface, xgboost, sklearn" in message
    assert "REGISTRY/REPOSITORY[:TAG]" in message


def test_an_unknown_version_is_refused_with_the_versions_that_exist():
    message = refusal("pytorch:2.55", "ml.m5.xlarge")
    assert message.startswith(
        "--sagemaker-image: 'pytorch:2.55': no pytorch version 2.55; versions: "
        "2.10.0 (2.10), 2.9.0 (2.9),"
    )
    assert "2.5.1 (2.5)" in message
    assert message.endswith("0.4.0 (0.4)")


def test_a_version_not_published_in_the_region_is_refused():
    message = refusal("pytorch:2.5", "ml.m5.xlarge", region="eusc-de-east-1")
    assert message.startswith(
        "--sagemaker-image: 'pytorch:2.5': pytorch 2.5.1 is not published in eusc-de-east-1; "
        "it is in af-south-1, "
    )


def test_an_unknown_huggingface_base_is_refused_with_its_bases():
    message = refusal("huggingface:4.49-pytorch2.4", "ml.g5.xlarge")
    assert message == (
        "--sagemaker-image: 'huggingface:4.49-pytorch2.4': huggingface 4.49.0 has no base "
        "pytorch2.4; its bases: pytorch2.5, pytorch2.5.1 (name one as "
        "huggingface:4.49.0-pytorch2.5)"
    )


def test_p2_instances_are_refused_for_newer_pytorch_and_tensorflow():
    assert "do not run on P2 instances" in refusal("pytorch:1.13", "ml.p2.xlarge")
    assert "do not run on P2 instances" in refusal("tensorflow:2.12", "ml.p2.xlarge")
    assert choose("pytorch:1.12", "ml.p2.xlarge").processor == "gpu"


def test_neuron_instances_need_an_image_uri():
    message = refusal("pytorch", "ml.trn1.2xlarge")
    assert "runs AWS Neuron images, which are not chosen by name; pass the image URI" in message


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("pytorch", True),
        ("pytorch:2.5", True),
        ("huggingface:4.49-pytorch2.5", True),
        ("123456789012.dkr.ecr.us-east-1.amazonaws.com/img:1", False),
        ("localhost:5000/img", False),
    ],
)
def test_a_value_without_a_slash_is_a_name(value, named):
    assert is_reference(value) is named
