"""Adding flags: the library's own (remembered, so that they can be told apart from the user's)
and the user's `additional_arguments`, on a parser whose usage errors are one line."""

from __future__ import annotations

import argparse

from . import flag_of
from .types import choice_of, parse_yes_no

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Iterable, List, Optional, Set, Tuple


class OneLineErrorParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line (the full usage is long)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


class FlagAdder:
    """Adds flags to argument groups and records each as one of the library's own."""

    def __init__(self, own_actions: Set[argparse.Action]):
        self.own_actions = own_actions

    def flag(self, group, name: str, default, help: str, *, prefix="sagemaker_", **kwargs):
        shown = "" if default in (None, "", [], {}) else f" (default: {default})"
        action = group.add_argument(
            flag_of(prefix + name), default=default, help=help + shown, **kwargs
        )
        self.own_actions.add(action)
        return action

    def choice(self, group, name: str, default, choices, what: str, *, prefix=""):
        help = f"{what}: {' or '.join(choices)}"
        return self.flag(group, name, default, help, prefix=prefix, type=choice_of(choices))

    def yes_no(self, group, name: str, default, help: str, *, prefix="sagemaker_"):
        return self.flag(
            group,
            name,
            parse_yes_no(default),
            help + ": yes/no",
            prefix=prefix,
            type=parse_yes_no,
            nargs="?",
            const=True,
            metavar="yes|no",
        )


def add_user_arguments(
    parser: argparse.ArgumentParser,
    additional_arguments: Optional[Iterable[Any]],
    argparse_callback: Optional[Callable[[argparse.ArgumentParser], Any]],
) -> None:
    for item in additional_arguments or ():
        flags, kwargs = _additional_argument(item)
        parser.add_argument(*flags, **kwargs)
    if argparse_callback is not None:
        argparse_callback(parser)


def _additional_argument(item: Any) -> Tuple[List[str], dict]:
    """A dict whose ``dest`` is the flag (``'--filter-width'`` or ``'filter_width'``), or the
    seed's older ``(args, kwargs)`` pair."""
    if isinstance(item, dict):
        kwargs = dict(item)
        dest = kwargs.pop("dest", None) or kwargs.pop("name", None)
        if not dest:
            raise ValueError(f"additional_arguments item needs 'dest': {item!r}")
        flag = dest if dest.startswith("-") else flag_of(dest)
        return [flag], kwargs
    args, kwargs = item
    return list(args) if isinstance(args, (list, tuple)) else [args], dict(kwargs)
