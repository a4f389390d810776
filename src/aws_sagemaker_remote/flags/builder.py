"""Adding flags: the library's own (remembered, so that they can be told apart from the user's)
and the user's `additional_arguments`, on a parser whose usage errors are one line and whose
usage line fits a screen. Every flag's help ends with its default. What a flag builder returns
is a `ScriptConfig`: the items behind the flags it added (plain data)."""

import argparse
import functools
import os

from ..args import PathArgument, to_path_argument
from . import choice_of, flag_of, parse_yes_no

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, FrozenSet, Iterable, List, Optional, Set, Tuple

    from ..configuration import Places
    from ..configuration.keys import Key
    from ..configuration.layers import Setting
    from ..kinds.base import JobKind

YES_NO_METAVAR = "yes|no"


class HelpFormatter(argparse.HelpFormatter):
    """Wraps help text at spaces only, so that a path or a name with hyphens stays whole (and
    can be copied from the terminal)."""

    def _split_lines(self, text: str, width: int) -> "List[str]":
        import re
        import textwrap

        text = re.sub(r"\s+", " ", text).strip()
        return textwrap.wrap(text, width, break_on_hyphens=False, break_long_words=False)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        lines = self._split_lines(text, width - len(indent))
        return "\n".join(indent + line for line in lines)


class NeedsWholeParser(Exception):
    """A parser without the --sagemaker-* flags met a command line it cannot tell about."""


class OneLineErrorParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line and whose usage line is
    ``PROG [options] POSITIONALS``: the flags are listed, with their defaults, in the groups
    below it. An explicit ``usage=`` is kept as given."""

    # Set by `entry.parse_and_handle` on a parser of its own: the builder leaves the
    # --sagemaker-* flags out (`groups.deferred_values`), and an error is raised as
    # `NeedsWholeParser`, for the whole parser to parse the command line again.
    defer_own_flags = False

    def __init__(self, *args: "Any", **kwargs: "Any") -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    @property
    def usage(self) -> "Optional[str]":
        if self._explicit_usage is not None:
            return self._explicit_usage
        return short_usage(self._actions)

    @usage.setter
    def usage(self, value: "Optional[str]") -> None:
        self._explicit_usage = value

    def parse_args(self, args=None, namespace=None):
        """As argparse's, but a flag it does not know gets a did-you-mean from the options of
        the (sub)command it was given to."""
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            message = "unrecognized arguments: " + " ".join(extras)
            self.error(message + did_you_mean(extras, options_in_use(self, parsed)))
        return parsed

    def error(self, message: str):
        if self.defer_own_flags:
            raise NeedsWholeParser(message)
        if "invalid choice: " in message:
            message += _choice_hint(message)
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def options_in_use(parser: "argparse.ArgumentParser", parsed: "argparse.Namespace") -> "List[str]":
    """The long options of `parser` and of the subcommand `parsed` chose, recursively."""
    found = [o for o in parser._option_string_actions if o.startswith("--")]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            chosen = action.choices.get(getattr(parsed, action.dest, None) or "")
            if chosen is not None:
                found += options_in_use(chosen, parsed)
    return found


def did_you_mean(tokens: "Iterable[str]", options: "Iterable[str]") -> str:
    """`; did you mean --sagemaker-instance?` for the first unknown `--flag` in `tokens` that
    is close to one of `options` (difflib's ratio, as Python 3.14's argparse suggests)."""
    import difflib

    options = sorted(set(options))
    for token in tokens:
        flag = token.partition("=")[0]
        if not flag.startswith("--"):
            continue
        close = difflib.get_close_matches(flag, options, n=1, cutoff=0.6)
        if close:
            return f"; did you mean {close[0]}?"
    return ""


def _choice_hint(message: str) -> str:
    """argparse's `invalid choice: 'lst' (choose from 'list', ...)`: the closest choice."""
    import difflib
    import re

    found = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
    if not found:
        return ""
    choices = re.findall(r"'([^']*)'", found.group(2))
    close = difflib.get_close_matches(found.group(1), choices, n=1, cutoff=0.6)
    return f"; did you mean {close[0]}?" if close else ""


def short_usage(actions: "Iterable[argparse.Action]") -> str:
    """``%(prog)s [options]`` followed by the positional arguments, as argparse shows them."""
    parts = ["%(prog)s [options]"]
    for action in actions:
        if action.option_strings or action.help == argparse.SUPPRESS:
            continue
        parts.append(_positional_usage(action).replace("%", "%%"))
    return " ".join(parts)


def _positional_usage(action: "argparse.Action") -> str:
    metavar = action.metavar or action.dest
    name = " ".join(metavar) if isinstance(metavar, tuple) else str(metavar)
    nargs = action.nargs
    if nargs == argparse.OPTIONAL:
        return f"[{name}]"
    if nargs == argparse.ZERO_OR_MORE:
        return f"[{name} ...]"
    if nargs == argparse.ONE_OR_MORE:
        return f"{name} [{name} ...]"
    if nargs in (argparse.REMAINDER, argparse.PARSER):
        return f"{name} ..."
    if isinstance(nargs, int):
        return " ".join([name] * nargs)
    return name


def default_text(value: "Any", words: bool = False) -> "Optional[str]":
    """How a default reads in --help, as it is typed: yes/no for booleans, lists
    comma-separated (`words`: as the words of a flag with several values, `sales units`),
    dicts as KEY=VALUE,...; None when there is nothing worth showing (no value, "")."""
    if value is None or value is argparse.SUPPRESS:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ",".join(f"{k}={v}" for k, v in value.items()) or None
    if isinstance(value, (list, tuple)):
        if words:
            import shlex

            return " ".join(shlex.quote(str(v)) for v in value) or None
        return ",".join(str(v) for v in value) or None
    return str(value) or None


def with_default(help_text: str, default: "Any", words: bool = False) -> str:
    """``help_text (default: X)``, escaped for argparse's %-formatting of help strings
    (`words`: default_text's)."""
    shown = default_text(default, words)
    if shown is None:
        return help_text
    return f"{help_text} (default: {shown.replace('%', '%%')})"


class FlagAdder:
    """Adds flags to argument groups and records each as one of the library's own."""

    def __init__(self, own_actions: "Set[argparse.Action]"):
        self.own_actions = own_actions

    def flag(
        self, group, name: str, default, help: str, *, prefix="sagemaker_", aliases=(), **kwargs
    ):
        """`aliases`: other spellings of the flag (the seed package's names); the dest and the
        name errors give are the first one's."""
        action = group.add_argument(
            flag_of(prefix + name),
            *aliases,
            default=default,
            help=with_default(help, default),
            **kwargs,
        )
        self.own_actions.add(action)
        return action

    def choice(self, group, name: str, default, choices, what: str, *, prefix=""):
        metavar = "{" + ",".join(choices) + "}"
        return self.flag(
            group, name, default, what, prefix=prefix, type=choice_of(choices), metavar=metavar
        )

    def yes_no(self, group, name: str, default, help: str, *, prefix="sagemaker_", aliases=()):
        return self.flag(
            group,
            name,
            parse_yes_no(default),
            help,
            prefix=prefix,
            aliases=aliases,
            type=parse_yes_no,
            nargs="?",
            const=True,
            metavar=YES_NO_METAVAR,
        )


def add_user_arguments(
    parser: "argparse.ArgumentParser",
    additional_arguments: "Optional[Iterable[Any]]",
    argparse_callback: "Optional[Callable[[argparse.ArgumentParser], Any]]",
) -> None:
    """Add the user's flags; their help shows their defaults as the library's flags do."""
    before = set(parser._actions)
    for item in additional_arguments or ():
        flags, kwargs = _additional_argument(item)
        parser.add_argument(*flags, **infer_type(kwargs))
    if argparse_callback is not None:
        argparse_callback(parser)
    if _shows_defaults_itself(parser):
        return
    for action in parser._actions:
        if action not in before:
            _show_default(action)


def infer_type(kwargs: dict) -> dict:
    """Give a flag without ``type`` the type of its default, as a user expects from
    ``{'dest': '--filter-width', 'default': 32}``: int, float, or yes/no for a bool default
    (bool is checked first: it is an int). ``type=bool`` becomes yes/no too (``bool('no')`` is
    True). Other defaults (None, str, lists) keep argparse's str."""
    if kwargs.get("action") not in (None, "store"):
        return kwargs
    kind = kwargs.get("type")
    default = kwargs.get("default")
    if kind is bool or (kind is None and isinstance(default, bool)):
        kwargs = {**kwargs, "type": parse_yes_no}
        if "nargs" not in kwargs and "choices" not in kwargs:
            kwargs.setdefault("const", True)
            kwargs["nargs"] = "?"
            kwargs.setdefault("metavar", YES_NO_METAVAR)
        return kwargs
    if kind is None and isinstance(default, (int, float)):
        return {**kwargs, "type": type(default)}
    return kwargs


def _shows_defaults_itself(parser: "argparse.ArgumentParser") -> bool:
    formatter = getattr(parser, "formatter_class", None)
    return isinstance(formatter, type) and issubclass(
        formatter, argparse.ArgumentDefaultsHelpFormatter
    )


def _show_default(action: "argparse.Action") -> None:
    if action.help == argparse.SUPPRESS or action.nargs == 0:
        return  # hidden, or a flag without a value (store_true, count, help, version)
    if action.help and ("%(default)" in action.help or "default:" in action.help):
        return
    default = action.default
    if isinstance(default, str) and action.type is parse_yes_no:
        default = parse_yes_no(default)
    words = action.nargs in (argparse.ZERO_OR_MORE, argparse.ONE_OR_MORE) or (
        isinstance(action.nargs, int) and action.nargs > 1
    )
    if default_text(default, words) is None:
        return
    action.help = with_default(action.help or "", default, words).lstrip()


def _additional_argument(item: "Any") -> "Tuple[List[str], dict]":
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


# ---------------------------------------------------------------- the builder's keywords


def keyword_builder(
    build: "Callable[[Dict[str, Any], FrozenSet[str]], Any]",
) -> "Callable[[Callable[..., Dict[str, Any]]], Callable[..., Any]]":
    """Decorate a function whose signature and docstring are a kind's public
    `sagemaker_*_args` and whose body returns its keywords (`dict(locals())`): the public
    function binds the caller's arguments as Python does, then returns
    `build(keywords, names the caller passed)`. The names, not a comparison with the defaults:
    a keyword passed with the built-in value (`volume_size=30`) still beats a configuration
    file."""

    def decorate(signature: "Callable[..., Dict[str, Any]]") -> "Callable[..., Any]":
        code = signature.__code__
        positional = code.co_varnames[: code.co_argcount]

        @functools.wraps(signature)
        def builder(*args: "Any", **kwargs: "Any") -> "Any":
            values = signature(*args, **kwargs)
            return build(values, frozenset(positional[: len(args)]).union(kwargs))

        return builder

    return decorate


class ScriptConfig:
    """The script, its inputs, outputs and modules, and the flags this library added.

    Not a dataclass: the local path must not import ``dataclasses``/``inspect``.
    """

    kind_name = ""  # the job kind's name (kinds.KINDS), set by each face's subclass
    # Flags naming local folders that `main` writes and that a local run creates first.
    local_dirs: tuple = ()
    # When a parser of `entry.parse_and_handle` left out the --sagemaker-* flags: their values
    # (groups.deferred_values, its arguments bound)
    deferred = None

    def __init__(
        self,
        script: str,
        inputs: "Optional[Dict[str, Any]]" = None,
        outputs: "Optional[Dict[str, Any]]" = None,
        dependencies: "Optional[Dict[str, Any]]" = None,
        env: "Optional[Dict[str, str]]" = None,
        tags: "Optional[Dict[str, str]]" = None,
    ):
        self.script = os.fspath(script)
        self.inputs = {k: to_path_argument(k, v) for k, v in (inputs or {}).items()}
        self.outputs = {k: _output_argument(k, v) for k, v in (outputs or {}).items()}
        self.dependencies = _module_paths(dependencies or {})
        self.env = {str(k): str(v) for k, v in (env or {}).items()}
        self.tags = {str(k): str(v) for k, v in (tags or {}).items()}
        self.own_actions: Set[argparse.Action] = set()
        self.parser: Optional[argparse.ArgumentParser] = None
        # Where the configuration looked for each --sagemaker-* setting's default, and how to
        # work out what it decided (flags/groups.py): what `config show` prints.
        self.places: Optional[Places] = None
        self.script_is_default = False  # the file that defines `main`, not the script's keyword
        self._settings_of: Optional[Callable[[], Tuple[List[Key], Dict[str, Setting]]]] = None
        self._settings: Optional[Tuple[List[Key], Dict[str, Setting]]] = None
        _check_names(self)

    @property
    def kind(self) -> "JobKind":
        """The job kind, its entry imported when first asked for (a local run needs only the
        kind's name and its face's defaults)."""
        from ..kinds import KINDS

        return KINDS[self.kind_name]

    def settings_from(self, work_out: "Callable[[], Tuple[List[Key], Dict[str, Setting]]]") -> None:
        self._settings_of, self._settings = work_out, None

    @property
    def settings(self) -> "Dict[str, Setting]":
        """Each setting (by flag name without `sagemaker_`): its value and its origins."""
        return self._worked_out()[1]

    @property
    def setting_keys(self) -> "List[Key]":
        return self._worked_out()[0]

    def _worked_out(self) -> "Tuple[List[Key], Dict[str, Setting]]":
        if self._settings is None:
            self._settings = self._settings_of() if self._settings_of else ([], {})
        return self._settings

    @property
    def modules(self) -> "Dict[str, str]":
        return self.dependencies

    def __repr__(self) -> str:
        fields = ("script", "inputs", "outputs", "dependencies", "env", "tags")
        shown = ", ".join(f"{f}={getattr(self, f)!r}" for f in fields)
        return f"{type(self).__name__}({shown})"


def _output_argument(name: str, value: "Any") -> "PathArgument":
    arg = to_path_argument(name, value)
    return arg if arg.remote else arg._replace(remote="default")


def _module_paths(modules: "Dict[str, Any]") -> "Dict[str, str]":
    """A module value may be a path or an imported module object (its package dir is shipped)."""
    paths = {}
    for name, value in modules.items():
        if hasattr(value, "__file__") and not isinstance(value, (str, os.PathLike)):
            path = value.__file__
            paths[name] = os.path.dirname(path) if path.endswith("__init__.py") else path
        else:
            paths[name] = os.fspath(value)
    return paths


def _check_names(config: "ScriptConfig") -> None:
    seen: Dict[str, str] = {}
    for kind, names in (
        ("input", config.inputs),
        ("output", config.outputs),
        ("module", config.dependencies),
    ):
        for name in names:
            if not name.isidentifier():
                raise ValueError(f"{kind} name {name!r}: use letters, digits and underscores")
            if name in seen:
                raise ValueError(f"{kind} name {name!r} is already used by a {seen[name]}")
            seen[name] = kind
