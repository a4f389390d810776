"""The default container image: AWS's prebuilt scikit-learn image for the region, chosen by the
local Python version.

One source of truth with images by name: the scikit-learn versions, tags and registries are
the SDK's image table's (``table.py``; both job kinds use its training entries, as the SDK's
``image_uris._get_final_image_scope`` does for sklearn), and each version's Python comes from
its image profile (``profiles.py``: the image's own Dockerfile). The candidates are the
versions that have a profile.

The rule: the image whose Python is the closest at or above the local one (the newest version
of those), so code and pinned packages meet the Python they were written for; with no such
image, the newest. Two images have Python 3.12; for 3.11 and 3.12 users 1.9-0 wins over
1.4-2-py312: it is the newest scikit-learn (1.9, numpy 2) so a user's recent pins resolve, it
installs requirements into its own venv (/opt/venv) rather than into the system Python with
break-system-packages, and 1.4-2-py312 is a stop-gap that ships scikit-learn 1.4.2 without
mlio. Either can be chosen with --sagemaker-image.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from ..errors import UsageError
from .profiles import find_profile
from .resolve import choose
from .resolve import python_warning as _python_warning
from .table import newest_first, table

FRAMEWORK = "sklearn"
REPOSITORY = "sagemaker-scikit-learn"


@dataclass(frozen=True)
class SklearnImage:
    version: str
    tag: str
    python: Tuple[int, int]


def sklearn_images() -> List[SklearnImage]:
    """The candidates, newest version first."""
    images = []
    for version in newest_first(table().frameworks[FRAMEWORK].versions):
        profile = find_profile(FRAMEWORK, version)
        if profile is not None:
            choice = choose(f"{FRAMEWORK}:{version}", None)
            images.append(SklearnImage(version, choice.tag, profile.python))
    return images


def sklearn_registries() -> Dict[str, str]:
    """Region -> the account that publishes the default image there."""
    newest = sklearn_images()[0].version
    return dict(table().frameworks[FRAMEWORK].versions[newest].variant.registries)


def pick_image(local: Tuple[int, int]) -> SklearnImage:
    images = sklearn_images()
    at_least = [image for image in images if image.python >= tuple(local)]
    if not at_least:
        return images[0]
    closest = min(image.python for image in at_least)
    return next(image for image in at_least if image.python == closest)


def default_image(region: str, local: Optional[Tuple[int, int]] = None) -> str:
    image = pick_image(local or sys.version_info[:2])
    if region not in sklearn_registries():
        raise UsageError(
            f"--sagemaker-image: no default scikit-learn image known for region {region}; "
            "pass --sagemaker-image"
        )
    return choose(f"{FRAMEWORK}:{image.version}", None).uri(region)


def python_warning(local: Optional[Tuple[int, int]] = None) -> Optional[str]:
    """One line when the local Python is newer than the default image's, else None."""
    local = local or sys.version_info[:2]
    image = pick_image(local)
    return _python_warning(local, image.python, f"the default image {REPOSITORY}:{image.tag}")
