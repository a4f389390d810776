"""The import pre-flight of a remote run, for both backends and the dry run: after validation
and before anything is looked up or uploaded, offline. The script and the job's modules are
read (images/importcheck.py says what counts as provided); each module neither the image nor
the requirements provide is one warning line, or, with ``--sagemaker-import-check error``, the
run is refused. ``off`` skips it; a local run (``--sagemaker-run no``) never comes here.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator, List, Tuple

from ..errors import UsageError
from .spec import JobSpec

FLAG = "--sagemaker-import-check"


def check_imports(spec: JobSpec) -> None:
    if spec.import_check == "off":
        return
    from ..images.importcheck import (
        finding_line,
        missing_imports,
        shipped_names,
        unknown_image_line,
        with_neighbours,
    )
    from ..images.imports import imports_of

    image = _image_packages(spec)
    requirements = _requirements(spec)
    modules = [Path(m.path) for m in spec.modules if not _is_library(Path(m.path))]
    code = imports_of(code_files(spec.script, modules))
    missing = missing_imports(code, image, requirements, shipped_names(modules))
    if not image.known:
        needed = [item for item in missing if not item.optional]
        _warn(unknown_image_line(needed, image, requirements))
        return
    missing = with_neighbours(missing, spec.script)
    for item in missing:
        _warn(finding_line(item, image, requirements))
    refused = [item.name for item in missing if not item.optional]
    if refused and spec.import_check == "error":
        where = f"the image {image.label}"
        where += f" nor {requirements.label}" if requirements.file else " nor any requirements"
        raise UsageError(
            f"{FLAG} error: provided by neither {where}: {', '.join(refused)} (see above); "
            f"name them in the requirements, or pass {FLAG} warn"
        )


def code_files(script: str, modules: List[Path]) -> Iterator[Tuple[Path, str]]:
    """The script and every .py file of the modules, each with the name messages show."""
    from ..images.imports import python_files

    yield from python_files(Path(script), Path(script).name)
    for path in modules:
        yield from python_files(path, path.name)


def _image_packages(spec: JobSpec):
    from ..images.packages import DECLARE_FLAG, job_image_packages

    try:
        return job_image_packages(spec.image, spec.instance, spec.image_packages)
    except OSError as error:
        raise UsageError(f"{DECLARE_FLAG}: {spec.image_packages!r}: {error.strerror}") from None


def _requirements(spec: JobSpec):
    from ..images.importcheck import Requirements
    from ..images.requirements import RequirementNames, requirement_names

    if not spec.requirements:
        return Requirements(None, RequirementNames())
    try:
        return Requirements(spec.requirements, requirement_names(Path(spec.requirements)))
    except OSError as error:
        raise UsageError(
            f"--sagemaker-requirements: {spec.requirements!r}: {error.strerror}"
        ) from None


def _is_library(path: Path) -> bool:
    """A module that is this library itself (it ships with every job anyway)."""
    library = Path(__file__).resolve().parent.parent
    try:
        return path.resolve() == library
    except OSError:
        return False


def _warn(line: str) -> None:
    print(f"warning: {line}", file=sys.stderr)
