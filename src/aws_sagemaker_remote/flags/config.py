"""What a flag builder returns: the items behind the flags it added (plain data)."""

from __future__ import annotations

import os

from ..args import PathArgument, to_path_argument

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any, Callable, Dict, List, Optional, Set, Tuple

    from ..configuration import Places
    from ..configuration.keys import Key
    from ..configuration.layers import Setting


class ScriptConfig:
    """The script, its inputs, outputs and modules, and the flags this library added.

    Not a dataclass: the local path must not import ``dataclasses``/``inspect``.
    """

    kind = None  # the job kind (kinds.JobKind), set by each face's subclass
    # Flags naming local folders that `main` writes and that a local run creates first.
    local_dirs: tuple = ()

    def __init__(
        self,
        script: str,
        inputs: Optional[Dict[str, Any]] = None,
        outputs: Optional[Dict[str, Any]] = None,
        dependencies: Optional[Dict[str, Any]] = None,
        env: Optional[Dict[str, str]] = None,
        tags: Optional[Dict[str, str]] = None,
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

    def settings_from(self, work_out: Callable[[], Tuple[List[Key], Dict[str, Setting]]]) -> None:
        self._settings_of, self._settings = work_out, None

    @property
    def settings(self) -> Dict[str, Setting]:
        """Each setting (by flag name without `sagemaker_`): its value and its origins."""
        return self._worked_out()[1]

    @property
    def setting_keys(self) -> List[Key]:
        return self._worked_out()[0]

    def _worked_out(self) -> Tuple[List[Key], Dict[str, Setting]]:
        if self._settings is None:
            self._settings = self._settings_of() if self._settings_of else ([], {})
        return self._settings

    @property
    def modules(self) -> Dict[str, str]:
        return self.dependencies

    def __repr__(self) -> str:
        fields = ("script", "inputs", "outputs", "dependencies", "env", "tags")
        shown = ", ".join(f"{f}={getattr(self, f)!r}" for f in fields)
        return f"{type(self).__name__}({shown})"


def _output_argument(name: str, value: Any) -> PathArgument:
    arg = to_path_argument(name, value)
    return arg if arg.remote else arg._replace(remote="default")


def _module_paths(modules: Dict[str, Any]) -> Dict[str, str]:
    """A module value may be a path or an imported module object (its package dir is shipped)."""
    paths = {}
    for name, value in modules.items():
        if hasattr(value, "__file__") and not isinstance(value, (str, os.PathLike)):
            path = value.__file__
            paths[name] = os.path.dirname(path) if path.endswith("__init__.py") else path
        else:
            paths[name] = os.fspath(value)
    return paths


def _check_names(config: ScriptConfig) -> None:
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
