"""The package's shape, measured (issue 16): where job kinds are named, the import graph, the
backend interface. docs/architecture.md ("Where a kind lives") says the same in prose.

A module *names a job kind* when an identifier or a string literal in it contains a kind's name
("processing", "training"; any case), comments and docstrings aside. A kind's *homes* may:
- a module whose path below the package has a part that is a kind's name: the faces
  (`processing/`, `training/`), the kinds' entries (`kinds/processing.py`, `kinds/training.py`),
  the per-kind pipeline modules (`pipeline/processing.py`, `pipeline/training/`), the emulator's
  per-kind life and request rules (`backends/local/runner/<kind>`, `backends/local/caller/<kind>`)
  and the container's training steps (`container/training.py`);
- the kinds module itself (`kinds/`: the entries' registry);
- the container bootstrap (`container/bootstrap.py`: it picks the kind's steps in the image,
  where nothing but the standard library and its own package may be imported).
Every other module may name a kind only within a small budget (BUDGET), each one listed with its
reason (NAMED_OUTSIDE).
"""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple

import aws_sagemaker_remote
from aws_sagemaker_remote.backends.base import Backend
from aws_sagemaker_remote.kinds import KINDS

PACKAGE = Path(aws_sagemaker_remote.__file__).parent
NAME = PACKAGE.name
KIND_NAMES = tuple(KINDS)
HOME_MODULES = {"kinds", "container/bootstrap.py"}
BUDGET = 6
MAX_ABSTRACT_METHODS = 6


def modules() -> Iterator[Tuple[str, Path]]:
    """(dotted name, path) of every module of the package."""
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join([NAME, *parts]), path


def is_home(path: Path) -> bool:
    rel = path.relative_to(PACKAGE)
    parts = [*rel.parts[:-1], rel.stem]
    if any(part in KIND_NAMES for part in parts):
        return True
    return rel.parts[0] in HOME_MODULES or rel.as_posix() in HOME_MODULES


# ---------------------------------------------------------------------- naming a kind


def docstring_spans(tree: ast.AST) -> List[Tuple[Tuple[int, int], Tuple[int, int]]]:
    spans = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0] if node.body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                spans.append(
                    ((first.lineno, first.col_offset), (first.end_lineno, first.end_col_offset))
                )
    return spans


def kind_mentions(path: Path) -> List[Tuple[int, str]]:
    """(line, token) of each identifier or string literal that names a kind."""
    source = path.read_text(encoding="utf-8")
    docstrings = docstring_spans(ast.parse(source))
    found = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in (tokenize.NAME, tokenize.STRING):
            continue
        if token.type == tokenize.STRING and any(
            start <= token.start and token.end <= end for start, end in docstrings
        ):
            continue
        text = token.string.lower()
        if any(kind in text for kind in KIND_NAMES):
            found.append((token.start[0], token.string[:60]))
    return found


# The modules outside the homes that name a kind today, and why they must.
NAMED_OUTSIDE = {
    NAME: "the public API: sagemaker_processing_main and sagemaker_training_main (SPEC 2, 9)",
    f"{NAME}.cli.main": "the command's usage text, and which job command prunes the store",
}


def kind_namers() -> Dict[str, List[Tuple[int, str]]]:
    """Module -> its mentions of a kind, for every module outside the homes that has any."""
    outside = {}
    for name, path in modules():
        if not is_home(path):
            mentions = kind_mentions(path)
            if mentions:
                outside[name] = mentions
    return outside


def test_kind_names_stay_in_their_homes():
    outside = kind_namers()
    report = "\n".join(f"{name}: {hits[:3]}" for name, hits in sorted(outside.items()))
    assert len(outside) <= BUDGET, f"{len(outside)} modules name a job kind:\n{report}"


def test_each_module_that_names_a_kind_outside_its_homes_says_why():
    """A new one needs its reason in NAMED_OUTSIDE (or a home): the budget is not a quota."""
    unexplained = sorted(set(kind_namers()) - set(NAMED_OUTSIDE))
    assert not unexplained, unexplained


def test_the_homes_are_what_the_docs_say():
    """Each rule of `is_home` holds a module that exists: the budget measures something."""
    homes = {path.relative_to(PACKAGE).as_posix() for _, path in modules() if is_home(path)}
    for expected in (
        "processing/main.py",
        "training/main.py",
        "kinds/__init__.py",
        "kinds/processing/__init__.py",
        "kinds/processing/entry.py",
        "kinds/training/__init__.py",
        "kinds/training/entry.py",
        "pipeline/processing.py",
        "pipeline/training/__init__.py",
        "container/bootstrap.py",
        "container/training.py",
    ):
        assert expected in homes, expected
    assert "pipeline/plan.py" not in homes
    assert "contract.py" not in homes


def test_a_docstring_or_comment_is_not_a_mention(tmp_path):
    module = tmp_path / "m.py"
    module.write_text('"""About processing."""\n# training\nx = 1\ndef f():\n    """training"""\n')
    assert kind_mentions(module) == []
    module.write_text('x = "a training job"\nprocessing_y = 2\n')
    assert [token for _, token in kind_mentions(module)] == ['"a training job"', "processing_y"]


# ---------------------------------------------------------------------- the import graph


def _type_checking_nodes(tree: ast.AST) -> Set[int]:
    """Nodes under `if TYPE_CHECKING:`, which never run."""
    skipped: Set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for child in node.body:
                skipped.update(id(n) for n in ast.walk(child))
    return skipped


def _absolute(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = package[: len(package) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def imports(module: str, path: Path, known: Set[str]) -> Set[str]:
    """The package's modules `module` imports, at module or function level (and their
    packages, which Python imports first), plus the kind modules `kinds.home` finds."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_nodes(tree)
    targets: Set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, path, node)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                targets.add(sub if sub in known else base)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None)) == "home"
            and node.args
        ):
            package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
            targets.update(f"{package}.{kind}" for kind in KIND_NAMES)
    found = set()
    for target in targets:
        parts = target.split(".")
        for end in range(2, len(parts) + 1):  # the top package is lazy: left out
            name = ".".join(parts[:end])
            # A module's own packages are being imported already when it runs.
            if name in known and name != module and not module.startswith(name + "."):
                found.add(name)
    return found


def import_graph() -> Dict[str, Set[str]]:
    paths = dict(modules())
    known = set(paths)
    return {name: imports(name, path, known) for name, path in paths.items()}


def find_cycle(graph: Dict[str, Set[str]]) -> List[str]:
    state: Dict[str, int] = {}
    stack: List[str] = []

    def visit(node: str) -> List[str]:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return stack[stack.index(target) :] + [target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return []


def test_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert not cycle, " -> ".join(cycle)


def test_the_graph_sees_function_level_imports_and_kind_homes():
    graph = import_graph()
    assert f"{NAME}.pipeline.processing" in graph[f"{NAME}.pipeline.plan"]  # kinds.home
    assert f"{NAME}.pipeline.training" in graph[f"{NAME}.pipeline.validate"]
    assert f"{NAME}.follow.watch" in graph[f"{NAME}.pipeline.submit"]  # inside a function
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


# ---------------------------------------------------------------------- the backend


def test_the_backend_interface_is_narrow():
    abstract = sorted(Backend.__abstractmethods__)
    assert len(abstract) <= MAX_ABSTRACT_METHODS, abstract


def probes(path: Path) -> List[Tuple[int, str]]:
    """getattr/hasattr calls on something named a backend (or on `self` in backends/)."""
    in_backends = path.relative_to(PACKAGE).parts[0] == "backends"
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", None) in ("getattr", "hasattr")
            and node.args
        ):
            continue
        target = ast.unparse(node.args[0])
        if "backend" in target.lower() or (in_backends and target == "self"):
            found.append((node.lineno, ast.unparse(node)))
    return found


def test_no_backend_is_probed():
    found = {name: hits for name, path in modules() if (hits := probes(path))}
    assert not found, found
