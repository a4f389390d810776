"""Separate the user's own argv tokens from this library's flags.

The container must see every value the user passed exactly as typed, so the user's tokens are kept
verbatim rather than rebuilt from the parsed Namespace (which loses nargs, store_true and custom
actions). Every flag of this library takes exactly one value (yes/no flags zero or one).
"""

from __future__ import annotations

import argparse
from typing import Dict, Iterable, List, Optional, Set, Tuple

from ..container.hyperparameters import NO_VALUE, ONE_VALUE, OPTIONAL_VALUE


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
    flag, sep, value = token.partition("=")
    action = _long_option(parser, flag)
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


def option_pairs(
    parser: argparse.ArgumentParser, tokens: List[str]
) -> Optional[List[Tuple[str, Optional[str]]]]:
    """`tokens` as `(--flag, value or None)` pairs, in order, when they are nothing but long
    options of `parser` that each take one value or none, each option set once and each dest set
    by one option (so that the pairs mean the same in any order); None otherwise (positionals,
    `--`, short options, an option with several values, a repeated or unknown option). Each flag
    is spelled out in full (an abbreviation is the option it stands for)."""
    pairs: List[Tuple[str, Optional[str]]] = []
    dests: Set[str] = set()
    i = 0
    while i < len(tokens):
        typed, sep, inline = tokens[i].partition("=")
        action = _long_option(parser, typed)
        i += 1
        if action is None or ARITIES.get(action.nargs) is None or action.dest in dests:
            return None
        dests.add(action.dest)
        flag = _spelled_out(action, typed)
        if sep:
            pairs.append((flag, inline))
        elif action.nargs is None or (action.nargs == "?" and _takes_value(action, tokens, i)):
            if i >= len(tokens):
                return None
            pairs.append((flag, tokens[i]))
            i += 1
        else:
            pairs.append((flag, None))
    return pairs


# An action's nargs -> how many values its flag takes, for those that take one or none.
ARITIES = {0: NO_VALUE, None: ONE_VALUE, "?": OPTIONAL_VALUE}


def script_flags(parser: argparse.ArgumentParser, own: Set[argparse.Action]) -> Dict[str, str]:
    """The long options of the script's own actions (not this library's, not help or version)
    that take one value or none: each spelled out without its `--`, with its arity."""
    flags: Dict[str, str] = {}
    for action in parser._actions:
        arity = ARITIES.get(action.nargs)
        if action in own or arity is None or _exits(action):
            continue
        for option in action.option_strings:
            if option.startswith("--") and len(option) > 2:
                flags[option[2:]] = arity
    return flags


def _exits(action: argparse.Action) -> bool:
    return isinstance(action, (argparse._HelpAction, argparse._VersionAction))


def _spelled_out(action: argparse.Action, typed: str) -> str:
    """The option string of `action` that `typed` is, or abbreviates (argparse refuses an
    abbreviation that fits two)."""
    if typed in action.option_strings:
        return typed
    return min(o for o in action.option_strings if o.startswith(typed))


def given_dests(parser: argparse.ArgumentParser, tokens: Iterable[str]) -> Set[str]:
    """The dests of the long options that appear in `tokens` (before a `--`)."""
    found: Set[str] = set()
    for token in tokens:
        if token == "--":
            break
        action = _long_option(parser, token.partition("=")[0])
        if action is not None:
            found.add(action.dest)
    return found


def _long_option(parser: argparse.ArgumentParser, flag: str) -> Optional[argparse.Action]:
    if not flag.startswith("--") or flag == "--":
        return None
    return parser._option_string_actions.get(flag) or _by_prefix(parser, flag)
