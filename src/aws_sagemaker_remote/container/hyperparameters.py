"""A training job's HyperParameters and the script's own flags, both ways: the plan encodes the
user's options as the SDK sends hyperparameters, the bootstrap rebuilds the script's argv from
hyperparameters.json as the SageMaker training toolkit does for a script entry point.

The toolkit (aws/sagemaker-training-toolkit) reads each value of hyperparameters.json as JSON
when it parses, else as the string itself (`environment.read_hyperparameters`); keeps apart the
keys SageMaker and the SDK add, those starting with `sagemaker_` and `_tuning_objective_metric`,
which a tuning job adds (`params.SAGEMAKER_PREFIX`, `params.SAGEMAKER_HYPERPARAMETERS`); and
gives the script one `--KEY VALUE` pair per remaining key, in sorted order, the value written
as Python's `str` of the decoded value, a mapping as `k=v,k=v` (`mapping.to_cmd_args`). The SDK
sends each value of a framework estimator JSON-encoded (sagemaker-python-sdk v2,
`src/sagemaker/estimator.py`: `Framework.hyperparameters()` through
`EstimatorBase._json_encode_hyperparameters`, `json.dumps` of each value), so a string arrives
quoted and is decoded back to itself; the v3 ModelTrainer sends a string as it is and anything
else as JSON (sagemaker-train `model_trainer.py`, `safe_serialize`).

Here, the keys are the script's flags without their leading `--` (`epochs` for `--epochs`,
`learning-rate` for `--learning-rate`, `learning_rate` for `--learning_rate`). A value is sent
as typed when the toolkit's decoding gives it back unchanged (`5`, `0.5`, `a b=c`), else
JSON-encoded as the SDK would (`"1.50"`, `"true"`, `"[1,2]"`, one with a line break), so the
script receives exactly what was typed either way. The bootstrap knows the script's flags from
the plan (`protocol.HYPERPARAMETER_FLAGS`: each key's arity): a key that is not one of them is
left out of the argv (SM_HPS still has it), a flag that takes no value (`store_true`) is passed
alone for an empty or true value (`true` in any case) and left out for a false one, an optional
value (`nargs="?"`) that is empty passes the flag alone, and a value starting with `-` is passed
as `--KEY=VALUE`, which argparse cannot mistake for another option.

Standard library only, Python 3.7+: the bootstrap imports it inside the job's image.
"""

import json
from typing import Dict, List, Optional

SAGEMAKER_PREFIX = "sagemaker_"
# The keys SageMaker and the SDK set that the toolkit keeps from the script (params.py).
SAGEMAKER_KEYS = frozenset(
    {
        "sagemaker_program",
        "sagemaker_submit_directory",
        "sagemaker_enable_cloudwatch_metrics",
        "sagemaker_region",
        "sagemaker_container_log_level",
        "sagemaker_job_name",
        "default_user_module_name",
        "_tuning_objective_metric",
        "sagemaker_s3_output",
    }
)
NO_VALUE, ONE_VALUE, OPTIONAL_VALUE = "0", "1", "?"
ARITIES = (NO_VALUE, ONE_VALUE, OPTIONAL_VALUE)


class HyperparameterError(ValueError):
    """A hyperparameter the script's flags cannot take (the message says which)."""


def is_reserved(key: str) -> bool:
    """A key SageMaker or the SDK sets, never one of the script's own."""
    return key in SAGEMAKER_KEYS or key.startswith(SAGEMAKER_PREFIX)


def decoded(value: object) -> object:
    """A hyperparameter's value as the toolkit reads it: JSON when it parses, else itself."""
    try:
        return json.loads(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return value


def argument_text(value: object) -> str:
    """A decoded value as the toolkit writes it into the script's argv."""
    if isinstance(value, dict):
        return ",".join(f"{k}={v}" for k, v in sorted(value.items()))
    return "" if value is None else str(value)


def encoded(text: str, arity: str = ONE_VALUE) -> str:
    """The hyperparameter value that comes back as `text` (see the module's docstring)."""
    plain = argument_text(decoded(text)) == text and text.isprintable()
    if arity == OPTIONAL_VALUE and text == "":
        plain = False  # "" alone means the flag without its optional value
    return text if plain else json.dumps(text)


def script_argv(hyperparameters: Dict[str, object], flags: Dict[str, str]) -> List[str]:
    """The script's argv from hyperparameters.json: the script's own flags, in key order.
    Raises HyperparameterError for a value a flag cannot take."""
    argv = []  # type: List[str]
    for key in sorted(hyperparameters):
        arity = flags.get(key)
        if arity is None or is_reserved(key):
            continue
        argv += _tokens(key, hyperparameters[key], arity)
    return argv


def ignored_keys(hyperparameters: Dict[str, object], flags: Dict[str, str]) -> List[str]:
    """The keys that are neither SageMaker's nor one of the script's flags."""
    return sorted(k for k in hyperparameters if k not in flags and not is_reserved(k))


def _tokens(key: str, raw: object, arity: str) -> List[str]:
    flag = "--" + key
    if not isinstance(raw, str):
        raise HyperparameterError(f"hyperparameter {key!r}: the value is not a string")
    if arity == NO_VALUE:
        if raw == "" or raw.lower() == "true":
            return [flag]
        if raw.lower() == "false":
            return []
        raise HyperparameterError(
            f"hyperparameter {key!r}: {flag} takes no value; got {raw!r} (use '', true or false)"
        )
    if arity == OPTIONAL_VALUE and raw == "":
        return [flag]
    text = argument_text(decoded(raw))
    return [flag + "=" + text] if text.startswith("-") else [flag, text]


def parse_flags(text: str) -> Optional[Dict[str, str]]:
    """The flags table of `protocol.HYPERPARAMETER_FLAGS`, or None when it is malformed."""
    try:
        table = json.loads(text)
    except ValueError:
        return None
    if not isinstance(table, dict) or not all(
        isinstance(k, str) and v in ARITIES for k, v in table.items()
    ):
        return None
    return table
