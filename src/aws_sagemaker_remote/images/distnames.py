"""Which distributions (as pip names them) may provide an imported module.

In order: a small table of well-known import names that differ from their distribution's
(``sklearn`` is scikit-learn's), the import name itself and its first two parts
(``zope.interface`` -> ``zope-interface``), ``google.cloud.X`` -> ``google-cloud-X``, and this
machine's installed metadata (``importlib.metadata.packages_distributions()``). Names are
compared in PEP 503 form.

``DependencyClosure`` adds what the named distributions require, as far as this machine's
metadata knows them: an image that ships torch also ships filelock, a requirement of seaborn
brings matplotlib, though neither list names it.
"""

from __future__ import annotations

import functools
import re
from typing import Dict, FrozenSet, Iterable, List, Set, Tuple

from .profiles import canonical

# Import name (top-level or dotted) -> the distributions that install it, where they differ.
IMPORT_NAMES: Dict[str, Tuple[str, ...]] = {
    "sklearn": ("scikit-learn",),
    "skimage": ("scikit-image",),
    "yaml": ("pyyaml",),
    "cv2": (
        "opencv-python", "opencv-python-headless", "opencv-contrib-python",
        "opencv-contrib-python-headless",
    ),
    "PIL": ("pillow",),
    "bs4": ("beautifulsoup4",),
    "dateutil": ("python-dateutil",),
    "dotenv": ("python-dotenv",),
    "google.protobuf": ("protobuf",),
    "attr": ("attrs",),
    "jwt": ("pyjwt",),
    "Crypto": ("pycryptodome",),
    "Cryptodome": ("pycryptodomex",),
    "OpenSSL": ("pyopenssl",),
    "nacl": ("pynacl",),
    "git": ("gitpython",),
    "zmq": ("pyzmq",),
    "serial": ("pyserial",),
    "MySQLdb": ("mysqlclient",),
    "psycopg2": ("psycopg2", "psycopg2-binary"),
    "mpl_toolkits": ("matplotlib",),
    "pkg_resources": ("setuptools",),
    "distutils": ("setuptools",),
    "faiss": ("faiss-cpu", "faiss-gpu"),
    "Bio": ("biopython",),
    "fitz": ("pymupdf",),
    "docx": ("python-docx",),
    "pptx": ("python-pptx",),
    "jose": ("python-jose",),
    "magic": ("python-magic",),
    "websocket": ("websocket-client",),
    "socks": ("pysocks",),
    "tensorflow": ("tensorflow", "tensorflow-cpu", "tensorflow-gpu"),
    "lightning": ("lightning", "pytorch-lightning"),
    "pytorch_lightning": ("pytorch-lightning", "lightning"),
}  # fmt: skip
DEPENDENCY_DEPTH = 8


def candidates(module: str) -> List[str]:
    """The distributions that may provide ``module`` (a dotted import name), most likely
    first."""
    named = named_candidates(module)
    return named + [name for name in installed_candidates(module) if name not in named]


def named_candidates(module: str) -> List[str]:
    """From the table and the module's own name."""
    parts = module.split(".")
    found: List[str] = []
    for length in range(len(parts), 0, -1):
        found += [canonical(d) for d in IMPORT_NAMES.get(".".join(parts[:length]), ())]
    if parts[:2] == ["google", "cloud"] and len(parts) > 2:
        found.append(canonical(f"google-cloud-{parts[2]}"))
    if len(parts) > 1:
        found.append(canonical(".".join(parts[:2])))
    found.append(canonical(parts[0]))
    return list(dict.fromkeys(found))


def installed_candidates(module: str) -> List[str]:
    """From this machine's metadata (its first read scans every installed distribution)."""
    return [canonical(name) for name in _installed().get(module.split(".", 1)[0], ())]


@functools.lru_cache(maxsize=1)
def _installed() -> Dict[str, List[str]]:
    from importlib import metadata

    try:
        return dict(metadata.packages_distributions())
    except Exception:  # noqa: BLE001 - a broken installed distribution must not stop a check
        return {}


class DependencyClosure:
    """Distribution names plus what they require, by this machine's metadata (computed once,
    when first asked)."""

    def __init__(self, names: Iterable[str]) -> None:
        self._names = frozenset(canonical(n) for n in names)
        self._closure: FrozenSet[str] = frozenset()

    @property
    def names(self) -> FrozenSet[str]:
        """The names given, without what they require."""
        return self._names

    def __contains__(self, name: str) -> bool:
        name = canonical(name)
        if name in self._names:
            return True
        if not self._closure:
            self._closure = self._names | _requirements_of(self._names)
        return name in self._closure


def _requirements_of(names: FrozenSet[str]) -> FrozenSet[str]:
    found: Set[str] = set()
    todo = set(names)
    for _ in range(DEPENDENCY_DEPTH):
        todo = {r for name in todo for r in _requires(name)} - found - names
        if not todo:
            break
        found |= todo
    return frozenset(found)


_REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_EXTRA = re.compile(r"\bextra\s*==")


@functools.lru_cache(maxsize=None)  # noqa: UP033 - functools.cache is Python 3.9+
def _requires(name: str) -> Tuple[str, ...]:
    """What the installed distribution ``name`` requires (its extras' requirements left out);
    nothing when it is not installed here."""
    from importlib import metadata

    try:
        requirements = metadata.requires(name) or []
    except Exception:  # noqa: BLE001 - not installed here, or unreadable metadata
        return ()
    names = []
    for requirement in requirements:
        if _EXTRA.search(requirement):
            continue
        match = _REQUIREMENT_NAME.match(requirement)
        if match:
            names.append(canonical(match.group(1)))
    return tuple(names)
