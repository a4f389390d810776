"""The import pre-flight: which modules a job's code imports that neither its image nor its
requirements provide, so that "forgot it in requirements.txt" shows before the upload, not
minutes into the first real job.

Left out: the standard library of the image's Python (``stdlib.py``), this library (it ships
with every job), and what the job ships itself (its modules' top-level names). An imported
name is provided when one of the distributions that may install it (``distnames.py``) is among
the image's packages, the requirements, or what those require (by this machine's metadata).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Set

from .distnames import DependencyClosure, installed_candidates, named_candidates
from .imports import CodeImports, Import
from .packages import DECLARE_FLAG, ImagePackages
from .requirements import RequirementNames
from .stdlib import stdlib_names

LIBRARY = "aws_sagemaker_remote"
# Packages shared by many distributions: a missing import is named by its first two parts.
NAMESPACES = frozenset(("google", "azure", "zope", "backports", "jaraco", "ruamel", "mpl_toolkits"))


@dataclass(frozen=True)
class Missing:
    name: str  # the import name reported (top-level, or two parts in a namespace package)
    first: Import  # where it is imported first
    files: int  # how many files import it
    optional: bool  # every import of it is guarded by try/except ImportError
    beside: Optional[str] = None  # a file or folder of that name next to the script


@dataclass(frozen=True)
class Requirements:
    """The job's requirements file as the check reads it (None: no file given)."""

    file: Optional[str]
    names: RequirementNames

    @property
    def label(self) -> str:
        return Path(self.file).name if self.file else ""


def missing_imports(
    code: CodeImports,
    image: ImagePackages,
    requirements: Requirements,
    shipped: Iterable[str] = (),
) -> List[Missing]:
    """Each module imported that nothing provides, in the order first imported. With the
    image's packages unknown, what the requirements do not provide."""
    stdlib = stdlib_names(image.python or sys.version_info[:2])
    left_out = set(stdlib) | set(shipped) | {LIBRARY}
    available = DependencyClosure(set(image.names()) | requirements.names.names)
    groups: Dict[str, List[Import]] = {}
    for item in code.imports:
        if item.top in left_out or _provided(item.module, available):
            continue
        groups.setdefault(reported_name(item.module), []).append(item)
    return [_missing(name, found) for name, found in groups.items()]


def _provided(module: str, available: DependencyClosure) -> bool:
    """By name first; this machine's metadata (slower: it scans what is installed here) only
    for a module that no name given provides directly."""
    named = named_candidates(module)
    if any(name in available.names for name in named):
        return True
    return any(name in available for name in named + installed_candidates(module))


def reported_name(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] in NAMESPACES and len(parts) > 1 else parts[0]


def _missing(name: str, found: List[Import]) -> Missing:
    return Missing(
        name=name,
        first=found[0],
        files=len({item.file for item in found}),
        optional=all(item.optional for item in found),
    )


def with_neighbours(missing: List[Missing], script: str) -> List[Missing]:
    """Each finding with the local file or folder of its name next to the script, when there
    is one: it imports here, but the job does not ship it (what it ships is never missing)."""
    folder = Path(script).resolve().parent
    found = []
    for item in missing:
        top = item.name.split(".", 1)[0]
        beside = None
        for candidate in (folder / f"{top}.py", folder / top):
            if candidate.exists():
                beside = candidate.name
                break
        found.append(Missing(item.name, item.first, item.files, item.optional, beside))
    return found


def finding_line(item: Missing, image: ImagePackages, requirements: Requirements) -> str:
    """``job.py imports xmltodict, which is neither in the image X nor in requirements.txt``."""
    what = f"{item.first.file} imports {item.name}"
    if item.optional:
        what += " (optional: inside try/except ImportError)"
    if item.files > 1:
        others = item.files - 1
        what += " (so does 1 other file)" if others == 1 else f" (so do {others} other files)"
    where = _where(image, requirements)
    line = f"{what}, which is {where}"
    if item.beside:
        line += (
            f"; {item.beside} beside the script is not shipped with the job (pass it as a "
            "module: dependencies=)"
        )
    return line


def _where(image: ImagePackages, requirements: Requirements) -> str:
    image_text = f"the image {image.label}"
    if image.declared:
        image_text += f" (as {Path(image.declared).name} declares it)"
    if requirements.file:
        return f"neither in {image_text} nor in {requirements.label}"
    return f"not in {image_text}, and no requirements file is given (--sagemaker-requirements)"


def unknown_image_line(
    missing: List[Missing], image: ImagePackages, requirements: Requirements
) -> str:
    """The one line for an image whose packages are unknown."""
    names = ", ".join(item.name for item in missing)
    not_named = (
        f"which {requirements.label} does not name"
        if requirements.file
        else ("with no requirements file given")
    )
    imports = f"the code imports {names}, {not_named}; " if missing else ""
    return (
        f"the image {image.label} has no profile, so the Python packages it ships are unknown: "
        f"{imports}declare them with {DECLARE_FLAG} FILE (pip freeze inside the image gives "
        "one)"
    )


def shipped_names(paths: Iterable[Path]) -> Set[str]:
    """The top-level names the job's modules make importable (each module's folder or file)."""
    names = set()
    for path in paths:
        names.add(path.stem if path.suffix == ".py" else path.name)
    return names
