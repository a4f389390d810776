"""Each setting's value and where it came from, for one kind's script.

Precedence, highest first: the flag (argparse, after this), the environment
(`AWS_SAGEMAKER_REMOTE_<KEY>`), the script's argument (a keyword it passed to sagemaker_*_main),
the project file, the user file, the built-in default. In a file, the kind's table
(`[tool.aws-sagemaker-remote.training]`) wins over the shared one. The container environment and
the tags add up instead: each place adds its pairs, a higher one replacing a pair of the same key.

What is read, and whether anything is, is files.Places.
"""

from __future__ import annotations

import os

from ..errors import UsageError
from ..kinds import OWN_SETTINGS
from .keys import env_name, from_text, from_toml, key_of, unknown

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Iterable, List, Mapping, Set, Tuple

    from . import FileTable, Places
    from .keys import Key

FLAG, ENVIRONMENT, ARGUMENT, DEFAULT = "flag", "environment", "argument", "default"


class Setting:
    """A setting's value and its origins, highest first: (source, where) pairs, `where` being
    the flag, the variable, the keyword or the file's path ("" for a default). Only a merged
    setting (environment, tags) has more than one."""

    __slots__ = ("value", "origins")

    def __init__(self, value: Any, origins: List[Tuple[str, str]]) -> None:
        self.value = value
        self.origins = origins


def resolve(
    places: Places,
    keys: Iterable[Key],
    arguments: Dict[str, Any],
    given: Set[str],
    defaults: Dict[str, Any],
) -> Dict[str, Setting]:
    """Each key's setting (by `Key.name`): `arguments` are the script's keywords (those in
    `given` count), `defaults` the built-in values."""
    keys = list(keys)
    tables = [(table, _entries(table, keys, places.kind)) for table in places.files()]
    settings = {}
    for key in keys:
        found = []  # (value, source, where), highest first
        if key.configurable:
            found += _from_environment(places.environ, key)
        if key.name in given and arguments.get(key.name) is not None:
            found.append((arguments[key.name], ARGUMENT, key.name))
        if key.configurable:
            for table, entries in tables:
                if key.name in entries:
                    found.append((entries[key.name], table.what, table.path))
        settings[key.name] = _setting(key, found, defaults.get(key.name))
    return settings


def _setting(key: Key, found: List[Tuple[Any, str, str]], default: Any) -> Setting:
    if not found:
        return Setting(default, [(DEFAULT, "")])
    if not key.merged:
        value, source, where = found[0]
        return Setting(value, [(source, where)])
    merged: Dict[str, str] = {}
    for value, _source, _where in reversed(found):
        merged.update(value)
    return Setting(merged, [(source, where) for _value, source, where in found])


def _from_environment(environ: Mapping[str, str], key: Key) -> List[Tuple[Any, str, str]]:
    for spelling in reversed(key.spellings):  # the kind's own spelling first
        name = env_name(spelling)
        text = environ.get(name, "")
        if text:
            return [(from_text(key, text, name), ENVIRONMENT, name)]
    return []


# ---------------------------------------------------------------- a file's table


def _entries(table: FileTable, keys: List[Key], kind: str) -> Dict[str, Any]:
    """The table's values of this kind's settings (its kind table over the shared one),
    every key checked: known to some kind, given once, of the flag's type when it is ours."""
    own = {spelling for key in keys if key.configurable for spelling in key.spellings}
    shared = own - set(OWN_SETTINGS[kind])
    every = shared.union(*OWN_SETTINGS.values())
    top = _normalized(table, table.entries, "", every | set(OWN_SETTINGS))
    values = _values(table, top, keys, "")
    for name, raw in top.items():
        if name not in OWN_SETTINGS:
            continue
        label = f"{name}."
        if not isinstance(raw, dict):
            raise UsageError(f"{table.where(name)}: expected a table of {name} settings")
        allowed = own if name == kind else shared | set(OWN_SETTINGS[name])
        entries = _normalized(table, raw, label, allowed)
        if name == kind:
            values.update(_values(table, entries, keys, label))
    return values


def _normalized(table: FileTable, raw: Dict[str, Any], label: str, known: Set[str]) -> Dict:
    entries: Dict[str, Any] = {}
    for name, value in raw.items():
        key = key_of(name)
        if key not in known:
            raise unknown(key, known, table.where(label + name))
        if key in entries:
            raise UsageError(f"{table.where(label + name)}: given twice (as {key} too)")
        entries[key] = value
    return entries


def _values(table: FileTable, entries: Dict[str, Any], keys: List[Key], label: str) -> Dict:
    """Key name -> value, for the keys of this kind among `entries` (its own spelling wins)."""
    values = {}
    for key in keys:
        for spelling in reversed(key.spellings):
            if spelling in entries:
                where = table.where(label + spelling)
                value = from_toml(key, entries[spelling], where)
                values[key.name] = _from_folder(table.path, value) if key.local_path else value
                break
    return values


def _from_folder(path: str, value: Any) -> Any:
    """A local path in a file is relative to the file's folder (as in any project file)."""
    if not isinstance(value, str) or not value:
        return value
    expanded = os.path.expanduser(value)
    return expanded if os.path.isabs(expanded) else os.path.join(os.path.dirname(path), expanded)
