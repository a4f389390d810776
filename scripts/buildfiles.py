"""What an image's build files say it installs: the Python version and the Python distributions,
read from Dockerfiles (``pip``/``uv pip``/``conda``/``mamba`` installs, requirement files,
``uv sync`` of a ``uv.lock``), without building anything. Used by ``image_profiles.py``.

A build is a chain of Dockerfiles (a base Dockerfile, then one that starts ``FROM`` its result),
each built to a target stage. Within a Dockerfile, a stage inherits what its ``FROM`` stage
installed, and a ``COPY --from=STAGE`` of a Python environment (a venv, conda or site-packages
folder) brings that stage's packages along; other stages (compilers, downloads) do not count.

What a Dockerfile installs without a version (``pip install boto3``) is recorded with an empty
specifier: the resolver chose the version when the image was built. Installs the build files do
not name (a globbed wheel, a git URL, a package built from a clone) are listed as such.
"""

from __future__ import annotations

import posixpath
import re
import shlex
import subprocess
import urllib.parse
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import tomllib
from packaging.markers import Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

# ----------------------------------------------------------------------------- reading a repo


class Repo:
    """A git checkout or bare git directory, read at one ref with ``git show``."""

    def __init__(self, name: str, path: str, ref: str):
        self.name, self.path, self.ref = name, path, ref
        self.commit = self._git("rev-parse", f"{ref}^{{commit}}").strip()

    def _git(self, *args: str) -> str:
        done = subprocess.run(["git", "-C", self.path, *args], capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"{self.name} {self.ref}: git {' '.join(args)}: {done.stderr}")
        return done.stdout

    def read(self, path: str) -> str:
        return self._git("show", f"{self.commit}:{path}")


# ----------------------------------------------------------------------------- the result


@dataclass
class Installed:
    """Distributions (canonical name -> PEP 440 specifier, "" for any version) and the Python
    version, as one stage leaves them."""

    packages: dict = field(default_factory=dict)
    python: str = ""
    unnamed: list = field(default_factory=list)
    paths: list = field(default_factory=list)

    def copy(self) -> Installed:
        return Installed(dict(self.packages), self.python, list(self.unnamed), list(self.paths))

    def merge(self, other: Installed) -> None:
        self.packages.update(other.packages)
        self.unnamed += [u for u in other.unnamed if u not in self.unnamed]
        self.paths += [p for p in other.paths if p not in self.paths]
        self.python = self.python or other.python

    def add(self, name: str, specifier: str) -> None:
        self.packages[canonicalize_name(name)] = specifier


# ----------------------------------------------------------------------------- Dockerfile text


@dataclass
class Stage:
    base: str
    name: str
    instructions: list  # (keyword, text)


def logical_lines(text: str) -> list:
    """Continuation lines joined, comment lines dropped (also inside a continued line, as
    Docker does)."""
    result, current = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#") or (not stripped and not current):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        result.append((current + stripped).strip())
        current = ""
    return [line for line in result if line]


def instructions(text: str) -> list:
    """(KEYWORD, rest) per Dockerfile instruction."""
    result = []
    for line in logical_lines(text):
        keyword, _, rest = line.partition(" ")
        result.append((keyword.upper(), rest.strip()))
    return result


def stages(text: str) -> tuple:
    """The global ARG defaults and the stages of a Dockerfile."""
    global_args, found = {}, []
    for keyword, rest in instructions(text):
        if keyword == "FROM":
            words = rest.split()
            words = [w for w in words if not w.startswith("--platform")]
            name = words[2] if len(words) >= 3 and words[1].lower() == "as" else str(len(found))
            found.append(Stage(words[0], name, []))
        elif found:
            found[-1].instructions.append((keyword, rest))
        elif keyword == "ARG":
            key, _, value = rest.partition("=")
            global_args[key.strip()] = value.strip().strip('"')
    return global_args, found


_VARIABLE_RE = re.compile(r"\$\{(\w+)(?::?-([^}]*))?\}|\$(\w+)")


def substitute(text: str, values: dict) -> str:
    def one(match: re.Match) -> str:
        name = match.group(1) or match.group(3)
        if name in values:
            return values[name]
        return match.group(2) if match.group(2) is not None else match.group(0)

    return _VARIABLE_RE.sub(one, text)


# ----------------------------------------------------------------------------- Python version

_PYTHON_EVIDENCE = (
    re.compile(r"\bpython=(\d\.\d+(?:\.\d+)?)"),  # conda/mamba install python=3.11.9
    re.compile(r"\bPython-(\d\.\d+\.\d+)\.t"),  # python.org source tarball
    re.compile(r"\buv python install (\d\.\d+(?:\.\d+)?)"),
    re.compile(r"(?:apt-get|apt|dnf|yum)\b[^&;|]*?\binstall\b[^&;|]*?\bpython(\d\.\d+)\b"),
)


def python_in(command: str) -> str:
    """The Python version a RUN command installs, or ""; the last evidence wins."""
    found = ""
    for pattern in _PYTHON_EVIDENCE:
        for match in pattern.finditer(command):
            found = match.group(1) if len(match.group(1)) >= len(found) else found
    return found


def python_of_base(image: str) -> str:
    match = re.match(r"(?:.*/)?python:(\d\.\d+(?:\.\d+)?)", image)
    return match.group(1) if match else ""


# ----------------------------------------------------------------------------- installs

CONDA_NOT_PYTHON = {
    "python", "conda", "curl", "libcurl", "mkl", "mkl-include", "cmake", "openssl",
    "ca-certificates", "make", "git", "gcc", "gxx",
}  # fmt: skip
CONDA_RENAMED = {"pytorch": "torch", "py-xgboost": "xgboost", "py-xgboost-cpu": "xgboost"}
PIP_VALUE_OPTIONS = {
    "-c", "--constraint", "-i", "--index-url", "--extra-index-url", "-f", "--find-links",
    "--trusted-host", "-t", "--target", "--prefix", "--root", "--platform", "--python-version",
    "--implementation", "--abi", "--progress-bar", "--cache-dir", "--src", "--python", "-p",
    "--index-strategy", "-C", "--config-settings", "--no-binary", "--only-binary",
    "--upgrade-strategy", "--retries", "--timeout", "--proxy", "--log", "--index",
    "--default-index", "--torch-backend",
}  # fmt: skip
CONDA_VALUE_OPTIONS = {"-c", "--channel", "-n", "--name", "-p", "--prefix", "--solver"}
PYTHON_ENV_PATHS = ("venv", "conda", "site-packages", "dist-packages", "/usr/local/lib/python")


def split_commands(text: str) -> list:
    """A RUN's shell text as commands (lists of words), split at ``&&``, ``||``, ``;`` and
    ``|``; a redirection and its target are dropped."""
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    commands, words, skip = [], [], False
    for token in lexer:
        if skip:
            skip = False
        elif token in ("&&", "||", ";", "|", "&", "(", ")"):
            commands.append(words)
            words = []
        elif set(token) <= set("<>&"):
            if words and words[-1].isdigit():
                words.pop()  # the file descriptor of "2>&1" or "2> file"
            skip = True
        else:
            words.append(token)
    commands.append(words)
    return [c for c in commands if c]


def requirement_of(spec: str):
    """(name, specifier) of a requirement or a wheel file/URL, or None when the words do not
    name a distribution."""
    spec = urllib.parse.unquote(spec)
    if spec.endswith(".whl"):
        wheel = PurePosixPath(urllib.parse.urlparse(spec).path).name
        parts = wheel.split("-")
        if "*" in wheel or len(parts) < 5:
            return None
        return parts[0], f"=={parts[1]}"
    if spec.startswith(("git+", "http://", "https://", "/", ".", "file:")):
        return None
    try:
        requirement = Requirement(spec)
    except InvalidRequirement:
        return None
    return requirement.name, str(requirement.specifier)


def conda_spec(spec: str):
    """conda's ``name=1.2`` / ``name==1.2`` / ``name>=1`` (``channel::`` first or not) as
    (pip name, specifier), or None."""
    spec = spec.split("::")[-1]
    match = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(?:(==?|>=|<=|>|<|!=)\s*([^\s=]+))?(?:=.*)?", spec)
    if not match:
        return None
    name = match.group(1).lower()
    if name in CONDA_NOT_PYTHON or name.startswith("lib"):
        return None
    operator, version = match.group(2), match.group(3)
    specifier = "" if not version else f"{'==' if operator == '=' else operator}{version}"
    if specifier.startswith("==") and "*" in specifier:
        specifier = f"=={version}"
    return CONDA_RENAMED.get(name, name), specifier


@dataclass
class Context:
    """Where a build reads its files: the repo, the files COPY'd so far (container path ->
    repo path) and the build context (context-relative path -> repo path, or a root folder)."""

    repo: Repo
    root: str
    named: dict  # buildspec context: file name in the context -> repo path
    copied: dict = field(default_factory=dict)
    workdir: str = "/"

    def repo_path(self, source: str) -> str:
        source = source.lstrip("./") if source.startswith("./") else source
        if source in self.named:
            return self.named[source]
        return posixpath.normpath(posixpath.join(self.root, source))

    def record_copy(self, rest: str) -> None:
        words = [w for w in rest.split() if not w.startswith("--")]
        if len(words) < 2:
            return
        *sources, target = words
        target = posixpath.join(self.workdir, target)
        for source in sources:
            into = target.endswith("/") or len(sources) > 1
            where = posixpath.join(target, posixpath.basename(source)) if into else target
            self.copied[posixpath.normpath(where)] = self.repo_path(source)

    def file(self, container_path: str, cwd: str) -> str:
        """The repo path of a file the build copied into the container, or ""."""
        full = posixpath.normpath(posixpath.join(cwd, container_path))
        return self.copied.get(full, "")


class Interpreter:
    """Runs a stage's instructions on an Installed, as far as Python packages go."""

    def __init__(self, context: Context, installed: Installed, values: dict):
        self.context, self.installed, self.values = context, installed, values

    def run(self, text: str) -> None:
        text = re.sub(r"--mount=\S+", "", substitute(text, self.values))
        python = python_in(text)
        if python:
            self.installed.python = python
        cwd = self.context.workdir
        for words in split_commands(text):
            while words and re.fullmatch(r"\w+=.*", words[0]):
                words = words[1:]
            if words[:1] == ["cd"] and len(words) > 1:
                cwd = posixpath.join(cwd, words[1])
            elif words:
                self.command(words, cwd)

    def command(self, words: list, cwd: str) -> None:
        program = posixpath.basename(words[0])
        rest = words[1:]
        if re.fullmatch(r"python[\d.]*", program) and rest[:2] == ["-m", "pip"]:
            program, rest = "pip", rest[2:]
        if program == "uv" and rest[:1] == ["pip"]:
            program, rest = "pip", rest[1:]
        if re.fullmatch(r"pip[\d.]*", program):
            self.pip(rest, cwd)
        elif program in ("bash", "sh") and rest and self.context.file(rest[0], cwd):
            self.script(self.context.file(rest[0], cwd), rest[1:])
        elif program in ("conda", "mamba", "micromamba") and rest[:1] == ["install"]:
            self.conda(rest[1:])
        elif program == "uv" and rest[:1] == ["sync"]:
            self.uv_sync(rest[1:], cwd)

    def script(self, path: str, args: list) -> None:
        """A shell script the build copied in and runs: each of its lines as a command, its
        arguments and simple assignments (``NAME=value``) substituted; control flow is not
        followed, so what any branch installs counts."""
        self.installed.paths.append(path)
        values = {**self.values, **{str(i + 1): arg for i, arg in enumerate(args)}}
        for line in logical_lines(self.context.repo.read(path)):
            assignment = re.fullmatch(r"(\w+)=(\S*)", line)
            if assignment:
                values[assignment.group(1)] = substitute(assignment.group(2), values)
            else:
                Interpreter(self.context, self.installed, values).run(line)

    def pip(self, words: list, cwd: str) -> None:
        if not words or words[0] not in ("install", "uninstall"):
            return
        action, args = words[0], iter(words[1:])
        for word in args:
            if word in ("-r", "--requirement"):
                self.requirements_file(next(args, ""), cwd)
            elif word in PIP_VALUE_OPTIONS:
                next(args, None)
            elif word.startswith("-"):
                continue
            elif action == "uninstall":
                self.installed.packages.pop(canonicalize_name(word), None)
            else:
                self.requirement(word)

    def requirement(self, spec: str) -> None:
        found = requirement_of(spec)
        if found:
            self.installed.add(*found)
        elif spec not in self.installed.unnamed:
            self.installed.unnamed.append(spec)

    def requirements_file(self, container_path: str, cwd: str) -> None:
        path = self.context.file(container_path, cwd)
        if not path:
            self.installed.unnamed.append(f"-r {container_path}")
            return
        self.installed.paths.append(path)
        for line in self.context.repo.read(path).splitlines():
            line = re.sub(r"(^|\s)#.*", "", line).strip()
            if line.startswith(("-r ", "--requirement ")):
                nested = posixpath.join(posixpath.dirname(container_path), line.split()[1])
                self.requirements_file(nested, cwd)
            elif line and not line.startswith("-"):
                self.requirement(line.split(";")[0].strip())

    def conda(self, words: list) -> None:
        args = iter(words)
        for word in args:
            if word in CONDA_VALUE_OPTIONS:
                next(args, None)
            elif not word.startswith("-"):
                found = conda_spec(word)
                if found:
                    self.installed.add(*found)

    def uv_sync(self, words: list, cwd: str) -> None:
        extras = [words[i + 1] for i, w in enumerate(words[:-1]) if w == "--extra"]
        lock_path = self.context.file("uv.lock", cwd)
        if not lock_path:
            self.installed.unnamed.append(f"uv sync in {cwd} (no uv.lock copied there)")
            return
        self.installed.paths.append(lock_path)
        lock = tomllib.loads(self.context.repo.read(lock_path))
        python = self.installed.python or _lock_python(lock)
        for name, version in locked_packages(lock, extras, python).items():
            self.installed.add(name, f"=={version}")
        self.installed.python = self.installed.python or python


def _lock_python(lock: dict) -> str:
    match = re.search(r"(\d\.\d+)", lock.get("requires-python", ""))
    return match.group(1) if match else ""


# ----------------------------------------------------------------------------- uv.lock


def locked_packages(lock: dict, extras: list, python: str) -> dict:
    """The distributions ``uv sync --no-dev [--extra X]`` installs from a lock on Linux x86_64
    CPython ``python``: the root project's dependencies (and the extras asked for), followed
    through each package's own dependencies and extras, markers evaluated."""
    environment = {
        "python_version": ".".join(python.split(".")[:2]),
        "python_full_version": python if python.count(".") == 2 else f"{python}.0",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "platform_machine": "x86_64",
        "os_name": "posix",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "extra": "",
    }
    packages = lock["package"]
    root = next(p for p in packages if "virtual" in p["source"] or "editable" in p["source"])
    by_name: dict = {}
    for package in packages:
        by_name.setdefault(package["name"], []).append(package)
    wanted = list(root.get("dependencies", []))
    for extra in extras:
        wanted += root.get("optional-dependencies", {}).get(extra, [])
    found: dict = {}
    while wanted:
        dependency = wanted.pop()
        marker = dependency.get("marker")
        if marker and not Marker(marker).evaluate(environment):
            continue
        package = _pick(by_name[dependency["name"]], dependency)
        key = (package["name"], tuple(dependency.get("extra", ())))
        if key in found:
            continue
        found[key] = package["version"]
        wanted += package.get("dependencies", [])
        for extra in dependency.get("extra", ()):
            wanted += package.get("optional-dependencies", {}).get(extra, [])
    return {name: version for (name, _), version in sorted(found.items())}


def _pick(candidates: list, dependency: dict) -> dict:
    if "version" in dependency:
        return next(p for p in candidates if p["version"] == dependency["version"])
    return candidates[0]


# ----------------------------------------------------------------------------- a whole build


def build(
    context: Context,
    path: str,
    target: str = "",
    inherited: Installed | None = None,
    build_args: dict | None = None,
) -> Installed:
    """What the Dockerfile at ``path``, built to ``target`` (default: its last stage) with
    ``build_args``, leaves installed; an external ``FROM`` starts from ``inherited`` (the
    previous Dockerfile of a chain) when given, else from nothing."""
    global_args, found = stages(context.repo.read(path))
    args = dict(build_args or {})
    global_args = {key: args.get(key, value) for key, value in global_args.items()}
    dockerfile = _Dockerfile(context, found, global_args, args, inherited)
    final = dockerfile.stage(dockerfile.by_name[target] if target else found[-1])[0]
    final.paths.insert(0, path)
    final.python = final.python or global_args.get("PYTHON_VERSION", "")
    return final


class _Dockerfile:
    """Runs stages on demand, each once: a stage starts from its FROM stage's packages and
    build arguments (BuildKit passes both on to a stage derived from another)."""

    def __init__(self, context, found, global_args, build_args, inherited):
        self.context, self.global_args, self.build_args = context, global_args, build_args
        self.inherited = inherited
        self.by_name = {stage.name: stage for stage in found}
        self.done: dict = {}

    def stage(self, stage: Stage) -> tuple:
        if stage.name not in self.done:
            self.done[stage.name] = self._run(stage)
        return self.done[stage.name]

    def _start(self, stage: Stage) -> tuple:
        base = substitute(stage.base, self.global_args)
        if base in self.by_name:
            installed, values = self.stage(self.by_name[base])
            return installed.copy(), dict(values)
        self.context.workdir = "/"
        if self.inherited is not None:
            return self.inherited.copy(), {}
        return Installed(python=python_of_base(base)), {}

    def _run(self, stage: Stage) -> tuple:
        installed, values = self._start(stage)
        interpreter = Interpreter(self.context, installed, values)
        for keyword, rest in stage.instructions:
            if keyword == "ARG":
                key, equals, default = (part.strip() for part in rest.partition("="))
                given = default.strip('"') if equals else self.global_args.get(key, "")
                values[key] = self.build_args.get(key, given)
            elif keyword == "ENV":
                values.update(_env_pairs(substitute(rest, values)))
            elif keyword == "RUN" and not rest.startswith("["):
                interpreter.run(rest)
            elif keyword in ("COPY", "ADD"):
                self._copy(substitute(rest, values), installed)
            elif keyword == "WORKDIR":
                self.context.workdir = posixpath.join(
                    self.context.workdir, substitute(rest, values)
                )
        return installed, values

    def _copy(self, rest: str, installed: Installed) -> None:
        source_stage = re.search(r"--from=(\S+)", rest)
        if not source_stage:
            self.context.record_copy(rest)
            return
        stage = self.by_name.get(source_stage.group(1))
        sources = [w for w in rest.split() if not w.startswith("--")][:-1]
        if stage and any(marker in s for s in sources for marker in PYTHON_ENV_PATHS):
            installed.merge(self.stage(stage)[0])


def _env_pairs(text: str) -> dict:
    words = shlex.split(text)
    if words and "=" not in words[0]:
        return {words[0]: " ".join(words[1:])}
    return dict(word.partition("=")[::2] for word in words if "=" in word)
