"""The GPUs this machine (the instance, in a job) has: ``nvidia-smi --list-gpus``, as the SageMaker
training toolkit counts them for SM_NUM_GPUS (standard library only, Python 3.7+)."""

import shutil
import subprocess


def gpu_count() -> int:
    """GPUs listed by ``nvidia-smi --list-gpus`` (the toolkit's ``num_gpus``), 0 without it."""
    command = shutil.which("nvidia-smi")
    if command is None:
        return 0
    try:
        output = subprocess.check_output([command, "--list-gpus"], stderr=subprocess.DEVNULL)
    except (OSError, subprocess.CalledProcessError):
        return 0
    return sum(
        1 for line in output.decode("utf-8", "replace").split("\n") if line.startswith("GPU ")
    )
