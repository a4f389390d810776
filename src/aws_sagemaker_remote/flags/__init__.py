"""Command-line flags shared by every job kind: names and value types (yes/no, fixed choices,
numbers, lists, with one-line errors) here; the flag builder, the rows of the shared groups and
the user's own argv tokens in the modules beside. Standard library only."""

import argparse

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Sequence

TRUE_WORDS = ("yes", "true", "1")
FALSE_WORDS = ("no", "false", "0")


def flag_of(name: str) -> str:
    """The one conversion of a name to its flag: `train_data` -> `--train-data`."""
    return "--" + name.replace("_", "-")


def parse_yes_no(value) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise argparse.ArgumentTypeError(f"expected yes/true/1 or no/false/0 (any case), got {value!r}")


def choice_of(choices: "Sequence[str]") -> "Callable[[str], str]":
    """A case-insensitive choice that returns the canonical spelling."""
    by_lower = {c.lower(): c for c in choices}

    def parse(value: str) -> str:
        found = by_lower.get(str(value).strip().lower())
        if found is None:
            import difflib

            close = difflib.get_close_matches(str(value).strip().lower(), by_lower, n=1)
            hint = f"; did you mean {by_lower[close[0]]}?" if close else ""
            raise argparse.ArgumentTypeError(
                f"expected one of {', '.join(choices)}, got {value!r}{hint}"
            )
        return found

    parse.__name__ = "choice"
    return parse


def positive_int(value) -> int:
    """A whole number >= 1 written with ASCII digits only: `int()` alone also takes `١٢`, `1_0`,
    `+5` and surrounding spaces, which no other tool reading the same flags would."""
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    else:
        text = str(value).strip(" \t")
    if not text.isascii() or not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number (digits 0-9), got {value!r}")
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {value!r}")
    return number


def key_value_list(value: str) -> dict:
    """``KEY=VALUE,KEY2=VALUE2`` (a comma inside a value can be escaped as ``\\,``)."""
    result = {}
    if not value:
        return result
    for item in _split_unescaped(value):
        key, sep, val = item.partition("=")
        if not sep or not key.strip():
            raise argparse.ArgumentTypeError(f"expected KEY=VALUE[,KEY=VALUE...], got {item!r}")
        result[key.strip()] = val
    return result


def _split_unescaped(value: str) -> list:
    parts, current, escaped = [], [], False
    for char in value:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ",":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p for p in parts if p.strip()]


def comma_list(value: str) -> list:
    return [item.strip() for item in value.split(",") if item.strip()] if value else []
