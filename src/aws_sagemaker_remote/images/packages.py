"""The Python packages and the Python version a job's image ships: its profile (``profiles.py``)
for an image of the table, by name, by URI or the default; what the user declared with
``--sagemaker-image-packages FILE`` (a requirements-style file, e.g. ``pip freeze`` run inside
the image), which takes the place of the profile's list; otherwise unknown.

The import check (``importcheck.py``) and the emulator's job environments read the same record.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional, Tuple

from .profiles import Profile, canonical, find_profile, profile_for
from .requirements import requirement_name, requirement_names

DECLARE_FLAG = "--sagemaker-image-packages"


@dataclass(frozen=True)
class ImagePackages:
    label: str  # the image as messages name it: "sagemaker-scikit-learn:1.9-0-cpu-py3"
    python: Optional[Tuple[int, int]]  # None: not known
    packages: Optional[Dict[str, str]]  # canonical name -> requirement line; None: not known
    declared: Optional[str] = None  # the file the packages were declared in

    @property
    def known(self) -> bool:
        return self.packages is not None

    def names(self):
        return frozenset(self.packages or ())

    def requirement_lines(self):
        return [self.packages[name] for name in sorted(self.packages or ())]


def job_image_packages(
    image: Optional[str], instance: str, declared: Optional[str] = None
) -> ImagePackages:
    """For a job about to be submitted: ``image`` as the user gave it (a URI, a name, or None
    for the default), no region needed."""
    label, profile = _profile_of(image, instance)
    return with_declared(from_profile(label, profile), declared)


def uri_image_packages(uri: str, declared_lines=None, declared: Optional[str] = None):
    """For a job's request: its image URI, and the lines declared for it (if any)."""
    packages = from_profile(uri.rsplit("/", 1)[-1], profile_for(uri))
    if declared_lines is None:
        return packages
    return ImagePackages(packages.label, packages.python, _from_lines(declared_lines), declared)


def from_profile(label: str, profile: Optional[Profile]) -> ImagePackages:
    if profile is None:
        return ImagePackages(label, None, None)
    packages = {name: f"{name}{spec}" for name, spec in profile.packages.items()}
    return ImagePackages(label, profile.python, packages)


def with_declared(packages: ImagePackages, declared: Optional[str]) -> ImagePackages:
    """The declared file's packages in place of the profile's (OSError when unreadable)."""
    if not declared:
        return packages
    lines = requirement_names(Path(declared)).pins
    return ImagePackages(packages.label, packages.python, _from_lines(lines), declared)


def declared_lines(declared: str):
    """The requirement lines of a declared file, as the emulator's runner is handed them."""
    return requirement_names(Path(declared)).pins


def _from_lines(lines) -> Dict[str, str]:
    found = {}
    for line in lines:
        name = requirement_name(line)
        if name:
            found[canonical(name)] = line
    return found


def _profile_of(image: Optional[str], instance: str) -> Tuple[str, Optional[Profile]]:
    from .resolve import choose, is_reference

    if image and not is_reference(image):
        return image.rsplit("/", 1)[-1], profile_for(image)
    if not image:
        from .default import FRAMEWORK, pick_image

        image = f"{FRAMEWORK}:{pick_image(sys.version_info[:2]).version}"
        instance = ""
    choice = choose(image, instance or None)
    label = f"{choice.variant.repository}:{choice.tag}"
    return label, find_profile(choice.framework, choice.version, choice.base_entry)
