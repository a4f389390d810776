"""A job's image (images/jobimage.py): a URI as given, a name placed in the region, the default
refused where it cannot run, and the one-line warning when this machine's Python is newer than
the image's."""

from __future__ import annotations

import pytest

from aws_sagemaker_remote.errors import UsageError
from aws_sagemaker_remote.images.jobimage import check, job_image, local_python_warning

SKLEARN_1_2 = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"


def test_a_uri_is_used_as_given_whatever_the_instance():
    own = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/mine:gpu"
    check(own, "ml.g5.xlarge")
    assert job_image(own, "ml.g5.xlarge", "eu-west-1") == own


def test_a_name_is_placed_in_the_region():
    assert job_image("pytorch:2.5", "ml.g5.xlarge", "eu-west-1") == (
        "763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-training:2.5-gpu-py311"
    )


def test_no_image_is_the_default_on_a_cpu_instance():
    check(None, "ml.m5.xlarge")
    assert "/sagemaker-scikit-learn:" in job_image(None, "ml.m5.xlarge", "us-east-1")


@pytest.mark.parametrize(
    ("instance", "need"),
    [
        ("ml.g5.xlarge", "a framework image with GPU builds, e.g. --sagemaker-image pytorch"),
        ("ml.trn1.2xlarge", "an AWS Neuron image; pass its URI"),
    ],
)
def test_no_image_on_an_accelerated_instance_is_refused(instance, need):
    for refused in (lambda: check(None, instance), lambda: job_image(None, instance, "us-east-1")):
        with pytest.raises(UsageError) as info:
            refused()
        message = str(info.value)
        assert message.startswith(
            "--sagemaker-image: none given, and the default scikit-learn image is CPU-only while "
            f"{instance} ("
        )
        assert need in message


@pytest.mark.parametrize(
    ("image", "local", "expected"),
    [
        ("pytorch:1.13", (3, 11), "Python 3.9 of the image pytorch-training:1.13-cpu-py39;"),
        ("pytorch:2.5", (3, 11), None),
        ("pytorch:2.5", (3, 10), None),  # older here: the image has what the code needs
        ("xgboost:3.2-0", (3, 13), "Python 3.12 of the image sagemaker-xgboost:3.2-0;"),  # profile
        ("xgboost:1.5-1", (3, 13), None),  # no profile: its Python is not known
        (SKLEARN_1_2, (3, 11), "Python 3.9 of the image sagemaker-scikit-learn:1.2-1-cpu-py3;"),
        ("123456789012.dkr.ecr.us-east-1.amazonaws.com/mine:1", (3, 13), None),
        (None, (3, 13), "Python 3.12 of the default image sagemaker-scikit-learn:1.9-0-cpu-py3;"),
    ],
)
def test_the_local_python_warning(image, local, expected):
    warning = local_python_warning(image, "ml.m5.xlarge", local)
    if expected is None:
        assert warning is None
    else:
        mine = ".".join(map(str, local))
        assert warning.startswith(f"warning: local Python {mine} is newer than {expected}")
        assert "\n" not in warning
