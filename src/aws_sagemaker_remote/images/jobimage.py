"""A job's image: a full image URI as given, ``FRAMEWORK[:VERSION]`` chosen for the job's
instance type (``resolve.py``), or, with none given, the default scikit-learn image
(``default.py``), which is CPU-only and so refused on a GPU instance type.

``check`` is everything that needs no region (validation, before any side effect);
``job_image`` places the image in the region.
"""

from __future__ import annotations

import sys
from typing import Optional, Tuple

from ..errors import UsageError
from .instances import CPU, NEURON, accelerator, describe
from .resolve import FLAG, ImageChoice, choose, is_reference, python_warning


def check(image: Optional[str], instance: str, flag: str = FLAG) -> None:
    if image and is_reference(image):
        choose(image, instance, flag=flag)
    elif not image:
        _check_default(instance, flag)


def _check_default(instance: str, flag: str) -> None:
    kind = accelerator(instance)
    if kind == CPU:
        return
    if kind == NEURON:
        need = "an AWS Neuron image; pass its URI"
    else:
        need = (
            "a framework image with GPU builds, e.g. --sagemaker-image pytorch (or "
            "tensorflow, huggingface, xgboost), or a CPU instance type"
        )
    raise UsageError(
        f"{flag}: none given, and the default scikit-learn image is CPU-only while "
        f"{describe(instance)} is not a CPU instance; choose {need}"
    )


def job_image(image: Optional[str], instance: str, region: str, flag: str = FLAG) -> str:
    if image and not is_reference(image):
        return image
    if image:
        return choose(image, instance, flag=flag).uri(region, flag)
    _check_default(instance, flag)
    from .default import default_image

    return default_image(region)


def local_python_warning(
    image: Optional[str], instance: str, local: Optional[Tuple[int, int]] = None
) -> Optional[str]:
    """One line when this machine's Python is newer than the job image's (when that is
    known: a table image, by name or URI, or the default), else None."""
    local = local or sys.version_info[:2]
    if not image:
        from .default import python_warning as default_warning

        return default_warning(local)
    if is_reference(image):
        choice = choose(image, instance)
        python, label = _python_of(choice), f"the image {choice.variant.repository}:{choice.tag}"
    else:
        from .profiles import profile_for

        profile = profile_for(image)
        python = profile.python if profile else None
        label = f"the image {image.rsplit('/', 1)[-1]}"
    return python_warning(local, python, label) if python else None


def _python_of(choice: ImageChoice) -> Optional[Tuple[int, ...]]:
    """The tag's Python (py311), or the profile's for a tag that says only py3."""
    if choice.python and len(choice.python) == 2:
        return choice.python
    from .profiles import find_profile

    profile = find_profile(choice.framework, choice.version)
    return profile.python if profile else None
