"""A configuration file parsed once per content: what a parse of its bytes found is kept in the
cache folder beside those bytes (`marshal`, built in: nothing to import); the next run that
reads the same bytes takes it from there, so tomllib (10-13 ms to import) is imported only for
a file that changed. Imported only when a file may hold a table of ours (`__init__.py`)."""

from __future__ import annotations

import marshal
import os
import sys

from ..errors import UsageError
from ..paths import cache_root

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict

CACHE_FILE = "configuration.marshal"
CACHE_ENTRIES = 32
# The cache's format; marshal's own changes with Python's version.
CACHE_FORMAT = (1, marshal.version, sys.version_info[:2])


def parsed(path: str, data: bytes, pick: Callable[[str, Dict[str, Any]], Any]) -> Any:
    """`pick(path, parse of data)`: from the cache when `path` held these very bytes before
    (a comparison of contents, so an edit is never missed whatever its time stamp)."""
    cache = _load_cache()
    entry = cache.get(path)
    if entry is not None and entry[0] == data:
        return entry[1]
    found = pick(path, _parse(path, data))
    _store_cache(cache, path, data, found)
    return found


def _cache_file() -> str:
    return os.path.join(cache_root(), CACHE_FILE)


def _load_cache() -> Dict[str, Any]:
    """The cache's entries (path -> (bytes, what was found)); none when it is missing, of
    another format or unreadable. The file is the user's own, written whole (os.replace)."""
    try:
        with open(_cache_file(), "rb") as handle:
            content = marshal.loads(handle.read())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not isinstance(content, dict) or content.get("format") != CACHE_FORMAT:
        return {}
    entries = content.get("entries")
    return entries if isinstance(entries, dict) else {}


def _store_cache(cache: Dict[str, Any], path: str, data: bytes, found: Any) -> None:
    """Best effort: a value marshal cannot write (a TOML date), a full disk or a read-only
    folder only means the next run parses again."""
    cache.pop(path, None)
    cache[path] = (data, found)
    while len(cache) > CACHE_ENTRIES:
        del cache[next(iter(cache))]
    target = _cache_file()
    temporary = f"{target}.{os.getpid()}.{id(cache)}.tmp"  # one per process and call
    try:
        content = marshal.dumps({"format": CACHE_FORMAT, "entries": cache})
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(temporary, "wb") as handle:
            handle.write(content)
        os.replace(temporary, target)
    except (OSError, ValueError):
        import contextlib

        with contextlib.suppress(OSError):
            os.unlink(temporary)


def _parse(path: str, data: bytes) -> Dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - the tests run on 3.11
        import tomli as tomllib
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text, as TOML must be") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML: {exc}") from None
