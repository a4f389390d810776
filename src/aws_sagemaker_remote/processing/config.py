"""What ``sagemaker_processing_args`` returns: the items behind the flags it added."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from typing import Dict, Set

from ..args import PathArgument


@dataclass
class ProcessingConfig:
    script: str
    inputs: Dict[str, PathArgument] = field(default_factory=dict)
    outputs: Dict[str, PathArgument] = field(default_factory=dict)
    dependencies: Dict[str, str] = field(default_factory=dict)
    env: Dict[str, str] = field(default_factory=dict)
    tags: Dict[str, str] = field(default_factory=dict)
    own_actions: Set[argparse.Action] = field(default_factory=set, repr=False)

    @property
    def modules(self) -> Dict[str, str]:
        return self.dependencies


SageMakerProcessingConfig = ProcessingConfig
