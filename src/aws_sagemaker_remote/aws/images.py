"""The default container image: AWS's prebuilt scikit-learn image for the region."""

from __future__ import annotations

from ..errors import UsageError
from .partition import dns_suffix

REPOSITORY = "sagemaker-scikit-learn"
DEFAULT_FRAMEWORK_VERSION = "1.2-1"

# ECR account that publishes the scikit-learn images in each region (AWS's published registry
# paths; the same account serves every framework version).
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
    "us-west-1": "746614075791",
    "us-west-2": "246618743249",
}


def default_image(region: str, *, framework_version: str = DEFAULT_FRAMEWORK_VERSION) -> str:
    account = SKLEARN_REGISTRIES.get(region)
    if account is None:
        raise UsageError(
            f"--sagemaker-image: no default scikit-learn image known for region {region}; "
            "pass --sagemaker-image"
        )
    host = f"{account}.dkr.ecr.{region}.{dns_suffix(region)}"
    return f"{host}/{REPOSITORY}:{framework_version}-cpu-py3"
