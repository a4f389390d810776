"""What ``sagemaker_processing_args`` returns: the items behind the flags it added."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Dict, Optional, Set

    from ..args import PathArgument


class ProcessingConfig:
    """Plain data. Not a dataclass: the local path must not import ``dataclasses``/``inspect``."""

    def __init__(
        self,
        script: str,
        inputs: Optional[Dict[str, PathArgument]] = None,
        outputs: Optional[Dict[str, PathArgument]] = None,
        dependencies: Optional[Dict[str, str]] = None,
        env: Optional[Dict[str, str]] = None,
        tags: Optional[Dict[str, str]] = None,
    ):
        self.script = script
        self.inputs = inputs or {}
        self.outputs = outputs or {}
        self.dependencies = dependencies or {}
        self.env = env or {}
        self.tags = tags or {}
        self.own_actions: Set[argparse.Action] = set()
        self.parser: Optional[argparse.ArgumentParser] = None

    @property
    def modules(self) -> Dict[str, str]:
        return self.dependencies

    def __repr__(self) -> str:
        fields = ("script", "inputs", "outputs", "dependencies", "env", "tags")
        return f"ProcessingConfig({', '.join(f'{f}={getattr(self, f)!r}' for f in fields)})"


SageMakerProcessingConfig = ProcessingConfig
