"""The default container image: AWS's prebuilt scikit-learn image for the region, chosen by the
local Python version.

Tags, Python versions and registries: the official SDK's image table (sagemaker-core
`image_uri_config/sklearn.json`; processing uses its "training" entries, `image_uris.
_get_final_image_scope`) and each image's Dockerfile (aws/sagemaker-scikit-learn-container
`docker/<version>/base/Dockerfile.cpu`, aws/deep-learning-containers `docker/sklearn/1.9-0`).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Optional, Tuple

from ..errors import UsageError
from .partition import dns_suffix

REPOSITORY = "sagemaker-scikit-learn"


@dataclass(frozen=True)
class SklearnImage:
    tag: str
    python: Tuple[int, int]


# Newest first. Two images have Python 3.12; for 3.11 and 3.12 users 1.9-0 wins over
# 1.4-2-py312: it is the newest scikit-learn (1.9, numpy 2) so a user's recent pins resolve, it
# installs requirements into its own venv (/opt/venv) rather than into the system Python with
# break-system-packages, and 1.4-2-py312 is a stop-gap that ships scikit-learn 1.4.2 without
# mlio. Either can be chosen with --sagemaker-image.
SKLEARN_IMAGES = (
    SklearnImage("1.9-0-cpu-py3", (3, 12)),
    SklearnImage("1.4-2-py312-cpu-py3", (3, 12)),
    SklearnImage("1.4-2-cpu-py3", (3, 10)),
    SklearnImage("1.2-1-cpu-py3", (3, 9)),
)

# ECR account that publishes the scikit-learn images in each region (the same for every
# version in the SDK's table).
SKLEARN_REGISTRIES = {
    "af-south-1": "510948584623",
    "ap-east-1": "651117190479",
    "ap-northeast-1": "354813040037",
    "ap-northeast-2": "366743142698",
    "ap-northeast-3": "867004704886",
    "ap-south-1": "720646828776",
    "ap-south-2": "628508329040",
    "ap-southeast-1": "121021644041",
    "ap-southeast-2": "783357654285",
    "ap-southeast-3": "951798379941",
    "ap-southeast-4": "106583098589",
    "ca-central-1": "341280168497",
    "ca-west-1": "190319476487",
    "cn-north-1": "450853457545",
    "cn-northwest-1": "451049120500",
    "eu-central-1": "492215442770",
    "eu-central-2": "680994064768",
    "eu-north-1": "662702820516",
    "eu-south-1": "978288397137",
    "eu-south-2": "104374241257",
    "eu-west-1": "141502667606",
    "eu-west-2": "764974769150",
    "eu-west-3": "659782779980",
    "il-central-1": "898809789911",
    "me-central-1": "272398656194",
    "me-south-1": "801668240914",
    "sa-east-1": "737474898029",
    "us-east-1": "683313688378",
    "us-east-2": "257758044811",
    "us-gov-east-1": "237065988967",
    "us-gov-west-1": "414596584902",
    "us-iso-east-1": "833128469047",
    "us-isob-east-1": "281123927165",
    "us-isof-east-1": "108575199400",
    "us-isof-south-1": "124985052026",
    "us-west-1": "746614075791",
    "us-west-2": "246618743249",
}


def pick_image(local: Tuple[int, int]) -> SklearnImage:
    """The image whose Python is the closest at or above the local one (the newest of those),
    so code and pinned packages meet the Python they were written for; with no such image,
    the newest."""
    at_least = [image for image in SKLEARN_IMAGES if image.python >= local]
    if not at_least:
        return SKLEARN_IMAGES[0]
    closest = min(image.python for image in at_least)
    return next(image for image in at_least if image.python == closest)


def image_uri(region: str, tag: str) -> str:
    account = SKLEARN_REGISTRIES.get(region)
    if account is None:
        raise UsageError(
            f"--sagemaker-image: no default scikit-learn image known for region {region}; "
            "pass --sagemaker-image"
        )
    return f"{account}.dkr.ecr.{region}.{dns_suffix(region)}/{REPOSITORY}:{tag}"


def default_image(region: str, local: Optional[Tuple[int, int]] = None) -> str:
    return image_uri(region, pick_image(local or sys.version_info[:2]).tag)


def python_warning(local: Optional[Tuple[int, int]] = None) -> Optional[str]:
    """One line when the local Python is newer than the default image's, else None."""
    local = local or sys.version_info[:2]
    image = pick_image(local)
    if local <= image.python:
        return None
    mine, theirs = ".".join(map(str, local)), ".".join(map(str, image.python))
    return (
        f"warning: local Python {mine} is newer than Python {theirs} of the default image "
        f"{REPOSITORY}:{image.tag}; code or packages that need {mine} fail there (pass "
        "--sagemaker-image to choose another)"
    )
