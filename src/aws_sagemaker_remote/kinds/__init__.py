"""The job kinds, each one entry: its data (`processing/__init__.py`, `training/__init__.py`:
names, folders, modes, limits, the defaults of its face's flags) and its entry (`<kind>/entry.py`:
an instance of `base.JobKind`, with read-only views over its requests and descriptions;
`records.py` the records they return).

Code above this package names no kind: it takes a kind from the request in hand (`kind_of`),
from the command line (`KINDS[name]`), or goes over all of them (`KINDS`). A layer with code of
its own for a kind keeps it in a module named after the kind, found by `home`.

The entries, `base.py` and `records.py` are imported when first asked for (`KINDS`,
`PROCESSING`, `TRAINING`, `JobKind`, ...): a local run imports this module and its own kind's
data, nothing else of the kinds (start-up budget).
"""

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import ModuleType
    from typing import Dict

    from .base import JobKind

    KINDS: "Dict[str, JobKind]"
    PROCESSING: "JobKind"
    TRAINING: "JobKind"

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


# What the views return (records.py) and what every kind is (base.py), defined when first
# asked for: a local run needs none of them.
RECORDS = ("Channel", "Output", "App", "Checkpoint", "Record", "Defaults", "Mounts")
BASE = ("JobKind", "Limits", "s3_source")


def _kinds() -> "Dict[str, JobKind]":
    from .processing.entry import PROCESSING
    from .training.entry import TRAINING

    return {kind.name: kind for kind in (PROCESSING, TRAINING)}


def __getattr__(name: str):
    if name == "KINDS":
        return _kinds()
    if name in ("PROCESSING", "TRAINING"):
        return _kinds()[name.lower()]
    if name in RECORDS:
        from . import records

        return getattr(records, name)
    if name in BASE:
        from . import base

        return getattr(base, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def kind_of(request: dict) -> "JobKind":
    """The kind of job a request, description or list summary is of (the kind whose name
    field it has); ValueError when it is none of them."""
    kinds = _kinds().values()
    for kind in kinds:
        if kind.field("Name") in request:
            return kind
    known = ", ".join(kind.field("Name") for kind in kinds)
    raise ValueError(f"not a request or description of a known job kind (none of {known})")


def home(package: str, kind: "JobKind") -> "ModuleType":
    """The module of `kind` in the layer `package` (`<package>.<kind.name>`): each layer with
    code of its own for a kind keeps it in a module named after the kind."""
    import importlib

    return importlib.import_module(f"{package}.{kind.name}")
