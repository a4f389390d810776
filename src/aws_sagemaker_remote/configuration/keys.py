"""The settings' keys and how a value outside the command line becomes a flag's value.

A key is a flag's name without `--sagemaker-` (`instance-count`; `instance_count` is read the
same). A flag's other spellings are keys too: training's `--sagemaker-training-instance` is the
key `training-instance`, and in one table the kind's own spelling wins over the shared one, so
`instance = "ml.t3.medium"` beside `training-instance = "ml.m5.xlarge"` gives each kind its
own. Values are checked by the flag's own type (a TOML value of the type's kind, or the text the
flag takes).
"""

from __future__ import annotations

from ..errors import UsageError
from ..flags import comma_list, key_value_list, parse_yes_no, positive_int
from . import ENV_PREFIX

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Iterable, Optional, Tuple

FLAG_PREFIX = "--sagemaker-"
# Flags that name one run, not a default: never read from a file or the environment.
PER_RUN = {
    "script": "the script is the file that calls sagemaker_*_main",
    "job-name": "a job name is unique; set base-job-name",
}


class Key:
    """One setting: the flag's dest without `sagemaker_` (`name`), its key spellings (the
    kind's own last, as it wins), the flag's type (None: text), whether the value is a local
    path (relative ones are taken from a file's folder) and whether values of several places
    add up (container environment, tags) instead of the highest replacing the others."""

    __slots__ = ("name", "spellings", "parse", "local_path", "merged")

    def __init__(
        self,
        name: str,
        spellings: Tuple[str, ...],
        parse: Optional[Callable[[Any], Any]],
        local_path: bool = False,
    ) -> None:
        self.name = name
        self.spellings = spellings
        self.parse = parse
        self.local_path = local_path
        self.merged = parse is key_value_list

    @property
    def key(self) -> str:
        return self.spellings[0]

    @property
    def configurable(self) -> bool:
        return self.key not in PER_RUN


def key_of(name: str) -> str:
    """`instance_count` or `instance-count` -> `instance-count`."""
    return name.replace("_", "-")


def flag_key(option: str) -> str:
    """`--sagemaker-training-instance` -> `training-instance`."""
    return option[len(FLAG_PREFIX) :] if option.startswith(FLAG_PREFIX) else option.lstrip("-")


def env_name(key: str) -> str:
    """The variable of a key: `instance-count` -> `AWS_SAGEMAKER_REMOTE_INSTANCE_COUNT`."""
    return ENV_PREFIX + key.upper().replace("-", "_")


def from_text(key: Key, text: str, where: str) -> Any:
    """A value given as the flag would take it (an environment variable)."""
    if key.parse is None:
        return text
    try:
        return key.parse(text)
    except Exception as exc:  # noqa: BLE001 - argparse's ArgumentTypeError and ValueError
        raise UsageError(f"{where}: {exc}") from None


def from_toml(key: Key, value: Any, where: str) -> Any:
    """A TOML value: a string as the flag takes it, or the TOML type of the flag's values
    (a boolean, an integer, an array of strings, a table)."""
    if isinstance(value, str):
        return from_text(key, value, where)
    parse = key.parse
    if parse is parse_yes_no and isinstance(value, bool):
        return value
    if parse is positive_int and isinstance(value, int) and not isinstance(value, bool):
        return from_text(key, str(value), where)
    if parse is comma_list and _strings(value):
        return [item.strip() for item in value]
    if parse is key_value_list and isinstance(value, dict):
        return _pairs(value, where)
    raise UsageError(
        f"{where}: expected {_expected(parse)}, got {_toml_type(value)} {_toml(value)}"
    )


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def _pairs(table: dict, where: str) -> dict:
    pairs = {}
    for name, value in table.items():
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise UsageError(
                f"{where}.{name}: expected a string or a number, got {_toml_type(value)}"
            )
        pairs[str(name)] = str(value)
    return pairs


def _expected(parse: Optional[Callable[[Any], Any]]) -> str:
    if parse is parse_yes_no:
        return "true or false (or a yes/no string)"
    if parse is positive_int:
        return "a whole number of at least 1"
    if parse is comma_list:
        return 'an array of strings (or "A,B")'
    if parse is key_value_list:
        return 'a table of strings (or "KEY=VALUE,...")'
    return "a string"


def _toml(value: Any) -> str:
    """A value as TOML writes it (near enough for an error line)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return repr(value)
    return str(value)


def _toml_type(value: Any) -> str:
    for kind, name in ((bool, "a boolean"), (int, "an integer"), (float, "a float"),
                       (list, "an array"), (dict, "a table")):  # fmt: skip
        if isinstance(value, kind):
            return name
    return type(value).__name__


def unknown(key: str, known: Iterable[str], where: str) -> UsageError:
    """One line naming the key and the closest known one."""
    import difflib

    if key in PER_RUN:
        return UsageError(f"{where}: not a setting of a file or the environment ({PER_RUN[key]})")
    close = difflib.get_close_matches(key, sorted(known), n=1)
    hint = f"did you mean {close[0]}?" if close else "`aws-sagemaker-remote config show` lists them"
    return UsageError(f"{where}: not a setting; {hint}")
