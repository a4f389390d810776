"""The command line that runs the script again as a new job that resumes from the checkpoints
of the one just run (`--sagemaker-checkpoint-s3 job:NAME/checkpoints`), printed when that job
stops or fails."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from typing import List, Optional

from ..flags.argv import user_argv

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

CHECKPOINT_FLAG = "--sagemaker-checkpoint-s3"
# A fixed job name cannot be used twice; the checkpoint place is the one given below.
DROPPED = (CHECKPOINT_FLAG, "--sagemaker-job-name")


def resume_command(
    parser: argparse.ArgumentParser, argv: List[str], job_name: str
) -> Optional[str]:
    """`python SCRIPT ARGS --sagemaker-checkpoint-s3 job:NAME/checkpoints`, as this run was
    started (less a chosen job name); None for a script without checkpoints."""
    actions = parser._option_string_actions
    if CHECKPOINT_FLAG not in actions:
        return None
    kept = user_argv(parser, {actions[flag] for flag in DROPPED if flag in actions}, argv)
    words = [_python(), sys.argv[0], *kept, CHECKPOINT_FLAG, f"job:{job_name}/checkpoints"]
    return " ".join(shlex.quote(word) for word in words)


def _python() -> str:
    """The interpreter as the user would type it: its name when that is the one on PATH."""
    name = os.path.basename(sys.executable)
    found = shutil.which(name)
    if found and os.path.realpath(found) == os.path.realpath(sys.executable):
        return name
    return sys.executable
