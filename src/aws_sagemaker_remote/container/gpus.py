"""The accelerators this machine (the instance, in a job) has, counted as the SageMaker training
toolkit counts them (standard library only, Python 3.7+): both job kinds' emulated instances
and the training variables read it."""

import shutil
import subprocess


def gpu_count() -> int:
    """GPUs listed by ``nvidia-smi --list-gpus`` (the toolkit's ``num_gpus``), 0 without it."""
    output = command_output("nvidia-smi", "--list-gpus")
    return sum(1 for line in output.split("\n") if line.startswith("GPU "))


def command_output(command: str, *args: str) -> str:
    """What `command` prints, "" when it is missing or fails."""
    found = shutil.which(command)
    if found is None:
        return ""
    try:
        output = subprocess.check_output([found, *args], stderr=subprocess.DEVNULL)
    except (OSError, subprocess.CalledProcessError):
        return ""
    return output.decode("utf-8", "replace")
