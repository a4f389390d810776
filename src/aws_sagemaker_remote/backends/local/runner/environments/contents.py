"""What an emulated job's environment holds, read from its request and the code it downloaded.

The image's packages come from its profile (images/profiles.py; a framework image by its CPU
build) or from what the user declared (`--sagemaker-image-packages`); an image with neither has
none: the job gets the standard library and its requirements only.

Of the image's packages, the environment holds those the job's code imports (the script and
every .py file on the job's PYTHONPATH, this library's own source left out), pinned to the
image's versions, plus those its requirements name (so that `pip install -r` finds the image's
version there, as on AWS), with what they pull in. Why not all of them: an image ships a
server stack and tools (gunicorn, flask, multi-model-server, sagemaker-training, awscli, ...),
some pinned for its own Python or built from source there; installing them all would cost
minutes and gigabytes on the first job, and fail on a machine whose Python differs, for
packages the job never touches. A package the code loads without naming it (pandas' pyarrow
engine, an import by a computed name) is missing here but present on AWS: the job fails here,
never the other way round, and naming it in the requirements (which changes nothing on AWS,
where the image has it) fixes it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

from .....container.settings import PathMap, SetupError, load_settings
from .....images.distnames import candidates
from .....images.imports import imports_of, python_files
from .....images.packages import ImagePackages, uri_image_packages
from .....images.requirements import requirement_names
from .....images.stdlib import stdlib_names
from ...handoff import Emulation
from ..instance import Instance, map_env_value

LIBRARY = "aws_sagemaker_remote"


@dataclass(frozen=True)
class Contents:
    image: ImagePackages
    packages: Tuple[str, ...]  # the image's requirement lines the job uses
    constraints: Tuple[str, ...]  # every requirement line of the image
    requirements: Optional[Path]  # the job's requirements file, in the instance

    @property
    def python(self) -> Optional[Tuple[int, int]]:
        return self.image.python


def job_contents(image_uri: str, environment: Dict[str, str], entry: List[str],
                 instance: Instance, emulation: Emulation) -> Contents:  # fmt: skip
    """For a job whose request names `image_uri`, has the Environment `environment` and the
    entrypoint and arguments `entry`, its code downloaded into `instance`."""
    image = uri_image_packages(image_uri, emulation.image_packages, emulation.image_packages_file)
    settings = _settings(environment, instance)
    requirements = _requirements(settings, instance)
    if not image.known:
        return Contents(image, (), (), requirements)
    stdlib = stdlib_names(image.python or sys.version_info[:2])
    wanted = set()
    for item in imports_of(_code_files(settings, entry, instance)).imports:
        if item.top not in stdlib and item.top != LIBRARY:
            wanted.update(candidates(item.module))
    if requirements is not None:
        wanted.update(requirement_names(requirements).names)
    names = sorted(image.names() & wanted)
    packages = tuple(image.packages[name] for name in names)
    return Contents(image, packages, tuple(image.requirement_lines()), requirements)


def _settings(environment: Dict[str, str], instance: Instance):
    """The bootstrap's own reading of the job's variables (None for a job without them)."""
    mapped = {key: map_env_value(value, instance.root) for key, value in environment.items()}
    try:
        return load_settings([], mapped, PathMap.parse(instance.path_map))
    except SetupError:
        return None


def _requirements(settings, instance: Instance) -> Optional[Path]:
    if settings is None or not settings.requirements:
        return None
    path = Path(settings.requirements)
    return path if path.is_file() and instance.contains(path) else None


def _code_files(settings, entry: List[str], instance: Instance) -> Iterator[Tuple[Path, str]]:
    """The script (the bootstrap's, else the .py files the entrypoint names) and every .py file
    on the job's PYTHONPATH but this library's."""
    scripts = [settings.script] if settings is not None else []
    if not scripts:
        scripts = [token for token in entry if token.endswith(".py")]
    for script in scripts:
        path = Path(script)
        if path.is_file() and instance.contains(path):
            yield from python_files(path, path.name)
    for folder in settings.pythonpath if settings is not None else []:
        path = Path(folder)
        if not path.is_dir() or not instance.contains(path):
            continue
        for entry_path in sorted(path.iterdir()):
            if entry_path.name != LIBRARY and (entry_path.is_dir() or entry_path.suffix == ".py"):
                yield from python_files(entry_path, entry_path.name)
