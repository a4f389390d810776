"""The user's own options as a training job's HyperParameters, when they can be.

Each option `--flag value` becomes the entry `{"--flag": "value"}`, a flag without a value
`{"--flag": ""}`; the bootstrap (AWS_SAGEMAKER_REMOTE_ARGV_SOURCE=hyperparameters) rebuilds
`--flag=value` / `--flag` from /opt/ml/input/config/hyperparameters.json. Why: the console and
DescribeTrainingJob show the script's settings as hyperparameters, and a tuning job can vary them.
Anything else travels as arguments, as for processing. Limits: botocore's HyperParameters (at
most 100), HyperParameterKey (256), HyperParameterValue (2500; pattern `.*`, which in Java matches
no line terminator).
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from ...contract import LINE_BREAKS
from ...kinds import training as c


def hyperparameters(options: Optional[List[Tuple[str, Optional[str]]]]) -> Optional[Dict[str, str]]:
    """The entries, or None when the options cannot be hyperparameters (or there are none)."""
    if not options or len(options) > c.MAX_HYPERPARAMETERS:
        return None
    found: Dict[str, str] = {}
    for flag, value in options:
        if value == "":
            return None  # rebuilt as a bare `--flag`, it would lose its (empty) value
        text = value or ""
        if not _fits(flag, c.MAX_HYPERPARAMETER_KEY) or not _fits(text, c.MAX_HYPERPARAMETER_VALUE):
            return None
        found[flag] = text
    return found


def _fits(text: str, longest: int) -> bool:
    return len(text) <= longest and not any(ch in LINE_BREAKS for ch in text)
