"""Separate the user's own argv tokens from this library's flags.

The container must see every value the user passed exactly as typed, so the user's tokens are kept
verbatim rather than rebuilt from the parsed Namespace (which loses nargs, store_true and custom
actions). Every flag of this library takes exactly one value (yes/no flags zero or one).
"""

from __future__ import annotations

import argparse
from typing import Iterable, List, Optional, Set


def user_argv(
    parser: argparse.ArgumentParser, own: Set[argparse.Action], argv: Iterable[str]
) -> List[str]:
    tokens = list(argv)
    kept: List[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token == "--":
            kept.extend(tokens[i:])
            break
        action, inline = _own_action(parser, own, token)
        if action is None:
            kept.append(token)
            i += 1
            continue
        i += 1
        if inline is None and _takes_value(action, tokens, i):
            i += 1
    return kept


def _own_action(parser, own, token: str):
    if not token.startswith("--") or token == "--":
        return None, None
    flag, sep, value = token.partition("=")
    action = parser._option_string_actions.get(flag) or _by_prefix(parser, flag)
    if action is None or action not in own:
        return None, None
    return action, (value if sep else None)


def _by_prefix(parser, flag: str) -> Optional[argparse.Action]:
    if not parser.allow_abbrev:
        return None
    matches = {
        action
        for option, action in parser._option_string_actions.items()
        if option.startswith(flag)
    }
    return matches.pop() if len(matches) == 1 else None


def _takes_value(action: argparse.Action, tokens: List[str], i: int) -> bool:
    if action.nargs != "?":
        return True
    if i >= len(tokens):
        return False
    nxt = tokens[i]
    return not (nxt.startswith("-") and len(nxt) > 1 and not _is_negative_number(nxt))


def _is_negative_number(token: str) -> bool:
    try:
        float(token)
        return True
    except ValueError:
        return False
