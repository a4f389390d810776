"""The job kinds, each one entry of data (`processing.py`, `training.py`) with read-only views
over its requests and descriptions (`base.JobKind`).

Code above this package names no kind: it takes a kind from the request in hand (`kind_of`),
from the command line (`KINDS[name]`), or goes over all of them (`KINDS`). A layer with code of
its own for a kind keeps it in a module named after the kind, found by `home`.

The entries are imported when first asked for (`KINDS`, `PROCESSING`, `TRAINING`): a face
imports only its own kind's module on the local path (start-up budget).
"""

from __future__ import annotations

from .base import JobKind

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import ModuleType
    from typing import Dict

    KINDS: Dict[str, JobKind]
    PROCESSING: JobKind
    TRAINING: JobKind

__all__ = ["JobKind", "KINDS", "PROCESSING", "TRAINING", "OWN_SETTINGS", "home", "kind_of"]

# The settings (--sagemaker-* flags without the prefix) that only one kind's face has; every
# other setting is every kind's (flags/groups.py). One configuration file serves the scripts of
# every kind, so a script must know the other kinds' settings (configuration/keys.py) without
# loading their entries. The keys are the kinds' names (a file's per-kind tables);
# tests/unit/test_configuration.py checks each tuple against its face's flags.
OWN_SETTINGS = {
    "processing": ("input-mount", "output-mount", "module-mount"),
    "training": (
        "spot",
        "spot-instances",
        "max-wait",
        "checkpoints",
        "checkpoint-s3",
        "training-role",
        "training-image",
        "training-instance",
        "max-run",
    ),
}


def _kinds() -> Dict[str, JobKind]:
    from .processing import PROCESSING
    from .training import TRAINING

    return {kind.name: kind for kind in (PROCESSING, TRAINING)}


def __getattr__(name: str):
    if name == "KINDS":
        return _kinds()
    if name in ("PROCESSING", "TRAINING"):
        return _kinds()[name.lower()]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def kind_of(request: dict) -> JobKind:
    """The kind of job a request, description or list summary is of (the kind whose name
    field it has); ValueError when it is none of them."""
    kinds = _kinds().values()
    for kind in kinds:
        if kind.field("Name") in request:
            return kind
    known = ", ".join(kind.field("Name") for kind in kinds)
    raise ValueError(f"not a request or description of a known job kind (none of {known})")


def home(package: str, kind: JobKind) -> ModuleType:
    """The module of `kind` in the layer `package` (`<package>.<kind.name>`): each layer with
    code of its own for a kind keeps it in a module named after the kind."""
    import importlib

    return importlib.import_module(f"{package}.{kind.name}")
