"""The user's own options as a training job's HyperParameters, when they can be.

Each option `--flag value` becomes the entry `{"flag": "value"}` (the key without its `--`, as
the SDK sends keys; the value encoded so that the training toolkit's decoding gives back what
was typed), a flag without a value `{"flag": ""}`; container/hyperparameters.py has the rules of
both sides. The bootstrap rebuilds the arguments from /opt/ml/input/config/hyperparameters.json
with the script's flags the plan lists (`protocol.HYPERPARAMETER_FLAGS`): all of them when they
fit one environment value, else those given. Why: the console and DescribeTrainingJob show the
script's settings as hyperparameters, and a tuning job can vary them. Anything else travels as
arguments, as for processing. Limits: botocore's HyperParameters (at most 100),
HyperParameterKey (256), HyperParameterValue (2500; pattern `.*`, which in Java matches no line
terminator: encoded values have none).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from ...container.hyperparameters import (
    NO_VALUE,
    encoded,
    is_reserved,
    script_argv,
)
from ...contract import LINE_BREAKS
from ...kinds import training as c


@dataclass(frozen=True)
class Hyperparameters:
    """The request's HyperParameters, the flags table of the bootstrap (JSON), and the argv the
    bootstrap rebuilds from them (its length is the user's share of the argv)."""

    values: Dict[str, str]
    flags: str
    argv: List[str]


def hyperparameters(
    options: Optional[List[Tuple[str, Optional[str]]]],
    flags: Dict[str, str],
    longest_flags: int,
) -> Optional[Hyperparameters]:
    """The options as hyperparameters, or None when they cannot be (or there are none).
    `flags`: the script's flags (key -> arity); `longest_flags`: the longest environment value."""
    if not options or len(options) > c.MAX_HYPERPARAMETERS:
        return None
    values: Dict[str, str] = {}
    for flag, value in options:
        key = flag[2:]
        arity = flags.get(key)
        if arity is None or is_reserved(key):
            return None
        text = "" if value is None or arity == NO_VALUE else encoded(value, arity)
        if not _fits(key, c.MAX_HYPERPARAMETER_KEY) or not _fits(text, c.MAX_HYPERPARAMETER_VALUE):
            return None
        values[key] = text
    table = _table(flags, values, longest_flags)
    if table is None:
        return None
    return Hyperparameters(values, table, script_argv(dict(values), flags))


def _table(flags: Dict[str, str], values: Dict[str, str], longest: int) -> Optional[str]:
    """Every flag of the script when they fit one environment value, else those given."""
    for chosen in (flags, {k: flags[k] for k in values}):
        text = json.dumps(chosen, separators=(",", ":"), sort_keys=True)
        if len(text) <= longest:
            return text
    return None


def _fits(text: str, longest: int) -> bool:
    return len(text) <= longest and not any(ch in LINE_BREAKS for ch in text)
