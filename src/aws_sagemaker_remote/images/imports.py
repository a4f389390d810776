"""What Python code imports, read with ``ast`` (nothing is run): every ``import`` and
``from ... import`` at any depth (in functions, classes, conditionals), and
``importlib.import_module("name")`` / ``__import__("name")`` with a literal name.

An import inside a ``try`` whose handlers catch ImportError (or ModuleNotFoundError, Exception,
BaseException, or everything) is optional: the code copes without it. Imports under
``if TYPE_CHECKING:`` never run and are left out, as are relative imports (the code's own).
A file that does not parse (another Python's syntax) is named in ``unreadable``.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, List, Optional, Tuple

CATCHES_IMPORT_ERROR = frozenset(
    ("ImportError", "ModuleNotFoundError", "Exception", "BaseException")
)
SKIPPED_FOLDERS = frozenset(("__pycache__", ".git", ".hg", ".svn", ".tox", ".venv", "venv"))


@dataclass(frozen=True)
class Import:
    module: str  # the dotted name as imported (from A import B: "A.B")
    file: str  # the file, as shown to the user
    line: int
    optional: bool

    @property
    def top(self) -> str:
        return self.module.split(".", 1)[0]


@dataclass
class CodeImports:
    imports: List[Import] = field(default_factory=list)
    unreadable: List[str] = field(default_factory=list)


def imports_of(files: Iterable[Tuple[Path, str]]) -> CodeImports:
    """The imports of each (path, shown name) file."""
    found = CodeImports()
    for path, shown in files:
        try:
            tree = ast.parse(path.read_bytes(), filename=str(path))
        except (OSError, SyntaxError, ValueError):
            found.unreadable.append(shown)
            continue
        found.imports.extend(_Visitor(shown).imports_in(tree))
    return found


def python_files(path: Path, shown: str) -> Iterator[Tuple[Path, str]]:
    """A .py file, or the .py files under a folder (hidden and cache folders left out), each
    with its name shown as ``shown/relative/path.py``."""
    if path.is_file():
        yield path, shown
        return
    for folder, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_FOLDERS and not d.startswith("."))
        for name in sorted(files):
            if name.endswith(".py"):
                full = Path(folder, name)
                yield full, f"{shown}/{full.relative_to(path).as_posix()}"


class _Visitor(ast.NodeVisitor):
    def __init__(self, shown: str) -> None:
        self.shown = shown
        self.optional = 0
        self.found: List[Import] = []

    def imports_in(self, tree: ast.AST) -> List[Import]:
        self.visit(tree)
        return self.found

    def _add(self, module: str, node: ast.AST) -> None:
        if module:
            self.found.append(Import(module, self.shown, node.lineno, self.optional > 0))

    def visit_Import(self, node: ast.Import) -> None:  # noqa: N802 - ast's visitor names
        for alias in node.names:
            self._add(alias.name, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:  # noqa: N802
        if node.level or not node.module:
            return
        for alias in node.names:
            name = node.module if alias.name == "*" else f"{node.module}.{alias.name}"
            self._add(name, node)

    def visit_Call(self, node: ast.Call) -> None:  # noqa: N802
        name = _literal_import(node)
        if name is not None:
            self._add(name, node)
        self.generic_visit(node)

    def visit_Try(self, node: ast.Try) -> None:  # noqa: N802
        guarded = any(_catches_import_error(h.type) for h in node.handlers)
        self.optional += guarded
        for statement in node.body:
            self.visit(statement)
        self.optional -= guarded
        for part in (*node.handlers, *node.orelse, *node.finalbody):
            self.visit(part)

    visit_TryStar = visit_Try  # noqa: N815 - Python 3.11's try/except*

    def visit_If(self, node: ast.If) -> None:  # noqa: N802
        if _is_type_checking(node.test):
            for statement in node.orelse:
                self.visit(statement)
            return
        self.generic_visit(node)


def _catches_import_error(handler: Optional[ast.expr]) -> bool:
    if handler is None:
        return True
    names = handler.elts if isinstance(handler, ast.Tuple) else [handler]
    return any(_name_of(n) in CATCHES_IMPORT_ERROR for n in names)


def _is_type_checking(test: ast.expr) -> bool:
    return _name_of(test) == "TYPE_CHECKING"


def _name_of(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _literal_import(node: ast.Call) -> Optional[str]:
    """The module of ``importlib.import_module("x")`` or ``__import__("x")``, else None."""
    if _name_of(node.func) not in ("import_module", "__import__") or not node.args:
        return None
    if isinstance(node.func, ast.Attribute) and _name_of(node.func.value) != "importlib":
        return None
    first = node.args[0]
    literal = isinstance(first, ast.Constant) and isinstance(first.value, str)
    return first.value if literal and not first.value.startswith(".") else None
