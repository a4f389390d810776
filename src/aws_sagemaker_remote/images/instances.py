"""GPUs per SageMaker instance type, and which kind of image (CPU, GPU, Neuron) an instance type
runs.

The counts are package data (``data/instances.json``): the official SDK's
``image_uri_config/instance_gpu_info.json`` plus the GPU types it leaves out, each from AWS's
instance pages (``scripts/images_table.py`` names them). A type in neither follows the SDK's
family rule of ``image_uris._processor`` (sagemaker-python-sdk ``src/sagemaker/image_uris.py``):
a ``g`` or ``p`` family is a GPU type, ``inf``/``trn`` families run Neuron images, any other
family is a CPU type.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Dict, Optional

from .table import DATA

CPU, GPU, NEURON = "cpu", "gpu", "neuron"
# sagemaker-core common_utils.get_instance_type_family: "ml.<family>.<size>" or "ml_<family>".
_FAMILY_RE = re.compile(r"^ml[._]([a-z\d-]+)\.?\w*$")


@functools.lru_cache(maxsize=1)
def _gpus() -> Dict[str, int]:
    return json.loads((DATA / "instances.json").read_text(encoding="utf-8"))["gpus"]


def family(instance_type: str) -> str:
    match = _FAMILY_RE.match(instance_type)
    return match.group(1) if match else ""


def gpu_count(instance_type: str) -> Optional[int]:
    """The GPUs of one instance of this type; 0 for CPU and Neuron types; None for a GPU type
    whose count is not known."""
    known = _gpus().get(instance_type)
    if known is not None:
        return known
    return None if accelerator(instance_type) == GPU else 0


def accelerator(instance_type: str) -> str:
    """CPU, GPU or NEURON: what kind of image this instance type runs."""
    if _gpus().get(instance_type):
        return GPU
    name = family(instance_type)
    if name.startswith(("inf", "trn")):
        return NEURON
    if name[:1] in ("g", "p"):
        return GPU
    return CPU


def describe(instance_type: str) -> str:
    """``ml.g5.12xlarge (4 GPUs)``, ``ml.m5.xlarge (no GPU)``: for messages."""
    kind = accelerator(instance_type)
    if kind == NEURON:
        return f"{instance_type} (AWS Trainium/Inferentia)"
    count = gpu_count(instance_type)
    if kind == CPU:
        return f"{instance_type} (no GPU)"
    if count is None:
        return f"{instance_type} (GPUs)"
    return f"{instance_type} ({count} GPU{'s' if count != 1 else ''})"
