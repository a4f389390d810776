"""A training job's own part of the remote run: what its JobSpec has beyond every kind's
(`spec.py`), its checks (`checks.py`), its CreateTrainingJob request (`request.py`) and the
user's options as HyperParameters (`hyperparameters.py`). The hooks every kind's pipeline
module has are listed in pipeline/__init__.py."""

from .checks import check
from .request import hyperparameters_of, request
from .spec import chosen_places, download_folders, extras, with_locations, with_references

__all__ = [
    "check",
    "chosen_places",
    "download_folders",
    "extras",
    "hyperparameters_of",
    "request",
    "with_locations",
    "with_references",
]
