"""What ``sagemaker_training_args`` returns: the items behind the flags it added."""

from __future__ import annotations

from ..flags.config import ScriptConfig
from ..kinds.training import TRAINING

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Optional

# The folders `main` writes: its flags (--model-dir, ...) and, in a job, where they are.
TRAINING_DIRS = ("model_dir", "output_dir", "checkpoint_dir")


class TrainingConfig(ScriptConfig):
    """The script, channels, modules, metrics and extra environment of a training job."""

    kind = TRAINING
    local_dirs = TRAINING_DIRS

    def __init__(
        self,
        script: str,
        inputs: Optional[Dict[str, Any]] = None,
        dependencies: Optional[Dict[str, Any]] = None,
        env: Optional[Dict[str, str]] = None,
        tags: Optional[Dict[str, str]] = None,
        metrics: Optional[Dict[str, str]] = None,
    ):
        super().__init__(script, inputs=inputs, dependencies=dependencies, env=env, tags=tags)
        self.metrics = {str(k): str(v) for k, v in (metrics or {}).items()}
        for name in (*self.inputs, *self.dependencies):
            if name in TRAINING_DIRS:
                raise ValueError(f"input or module name {name!r} is the flag of a training folder")
