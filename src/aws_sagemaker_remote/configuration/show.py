"""What `aws-sagemaker-remote config show` reports: every setting of a script's kind, its value
and where it came from, as plain data (JSON-ready).

For a script, the command runs it with `SHOW_ENV` (configuration/__init__.py) naming a file:
the script parses its flags as always (the same files, variables, keywords and command line)
and, instead of running, writes its report there and exits (`entry/__init__.py`).
"""

from __future__ import annotations

import json
import os
import sys

from ..kinds import OWN_SETTINGS
from . import ENV_PREFIX, SHOW_ENV, user_file
from .keys import env_name
from .layers import DEFAULT, FLAG

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any, Dict, List, Optional

    from ..flags.builder import ScriptConfig


def report(
    config: ScriptConfig,
    args: Optional[argparse.Namespace] = None,
    argv: Optional[List[str]] = None,
    parser: Optional[argparse.ArgumentParser] = None,
) -> Dict[str, Any]:
    """The settings of `config` (as built), with the flags of `argv` over them when given."""
    flags = set()
    if args is not None and parser is not None:
        from ..flags.argv import given_dests

        flags = given_dests(parser, argv or [])
    places = config.places
    user = user_file()
    return {
        "kind": config.kind.name,
        "script": config.script,
        "project_file": places.project.path if places and places.project else None,
        "user_file": user,
        "user_file_exists": bool(places and places.user),
        "in_job": bool(places and places.in_job),
        "settings": [_row(config, key, args, flags) for key in config.setting_keys],
        "unknown_variables": unknown_variables(config, os.environ),
    }


def _row(config: ScriptConfig, key: Any, args: Any, flags: set) -> Dict[str, Any]:
    setting = config.settings[key.name]
    value, origins = setting.value, list(setting.origins)
    if key.name == "script" and config.script_is_default:
        origins = [(DEFAULT, "")]  # the file that defines main
    dest = "sagemaker_" + key.name
    if dest in flags:
        flag = (FLAG, "--sagemaker-" + key.key)
        if key.merged:
            value = {**value, **getattr(args, dest)}
            origins = [flag] + [o for o in origins if o[0] != DEFAULT]
        else:
            value, origins = getattr(args, dest), [flag]
    sources = [{"source": source, "where": where} for source, where in origins]
    return {"key": key.key, "value": value, "sources": sources}


def unknown_variables(config: ScriptConfig, environ: Any) -> List[Dict[str, str]]:
    """Variables of ours that look like a misspelt setting (`..._INSTANSE`): each with the
    variable it is close to. Our other variables (transfer mode, home) are not close to any
    setting's; the container's are left out."""
    import difflib

    from ..container.protocol import KIND_VARIABLES, PATH_MAP, PLAN_VARIABLES

    spellings = {s for key in config.setting_keys if key.configurable for s in key.spellings}
    keys = {env_name(s)[len(ENV_PREFIX) :] for s in spellings.union(*OWN_SETTINGS.values())}
    others = {SHOW_ENV, PATH_MAP, *PLAN_VARIABLES, *KIND_VARIABLES}
    found = []
    for name in sorted(environ):
        if not name.startswith(ENV_PREFIX) or name in others:
            continue
        key = name[len(ENV_PREFIX) :]
        close = [] if key in keys else difflib.get_close_matches(key, sorted(keys), n=1, cutoff=0.8)
        if close:
            found.append({"variable": name, "did_you_mean": ENV_PREFIX + close[0]})
    return found


def write_and_exit(
    path: str,
    config: ScriptConfig,
    args: argparse.Namespace,
    argv: List[str],
    parser: argparse.ArgumentParser,
) -> None:
    """The script's part of `config show SCRIPT`: its report to `path`, then exit 0."""
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(report(config, args, argv, parser), handle, default=str)
    sys.exit(0)
