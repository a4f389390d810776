"""The GPUs of an emulated instance: as many as its instance type has on AWS (images/instances.py,
the official SDK's instance table), against what this machine has (``nvidia-smi --list-gpus``,
as the SageMaker training toolkit counts them: container/gpus.py).

When this machine has more, the job sees only as many (``CUDA_VISIBLE_DEVICES``, unless the
caller set it): a CPU instance type has none. When it has fewer, one warning line: the job runs
on what there is (on the CPU, with the CPU build of a framework image's packages, as its
profile is). SM_NUM_GPUS follows the instance type (the kind's life sets it where the
toolkit would).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Dict, Optional

from ....container.gpus import gpu_count as machine_gpus
from ....images.instances import GPU, accelerator, gpu_count

CUDA_VISIBLE = "CUDA_VISIBLE_DEVICES"


@dataclass(frozen=True)
class GpuFacts:
    instance: Optional[int]  # the instance type's GPUs (None: a GPU type of unknown count)
    machine: int
    warning: Optional[str] = None
    variables: Dict[str, str] = field(default_factory=dict)


def gpu_facts(instance_type: str, machine: Optional[int] = None) -> GpuFacts:
    machine = machine_gpus() if machine is None else machine
    count = gpu_count(instance_type) if instance_type else 0
    count_text = "GPUs" if count is None else f"{count} GPU{'s' if count != 1 else ''}"
    variables = {}
    if count is not None and count < machine and CUDA_VISIBLE not in os.environ:
        variables[CUDA_VISIBLE] = ",".join(str(i) for i in range(count))
    warning = None
    if accelerator(instance_type) == GPU and (count is None or machine < count):
        have = f"{machine} GPU{'s' if machine != 1 else ''}" if machine else "none"
        warning = (
            f"warning: {instance_type} has {count_text} and this machine has {have}: the job "
            "runs on what is here"
        )
        if not machine:
            warning += " (the CPU), with the CPU build of the image's packages"
    return GpuFacts(count, machine, warning, variables)
