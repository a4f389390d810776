"""Walk and read the job's local inputs while `resolve` waits on AWS, so the plan finds their
files and digests in memory (each folder walked once): reading is CPU and disk, resolving is
mostly network, and the two overlap well.

Best effort: any error is left for the plan to report in its own words, in order.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import List, Tuple

from ..s3.digest import walk_ahead
from .spec import JobSpec


def warm_digests(spec: JobSpec) -> threading.Thread:
    """Digest the local inputs, modules and this library in a daemon thread (join it first)."""
    thread = threading.Thread(target=_digest_all, args=(_local_sources(spec),), daemon=True)
    thread.start()
    return thread


def _local_sources(spec: JobSpec) -> List[Tuple[Path, bool]]:
    """(path, whether the plan leaves junk out of it): inputs ship every file, code does not."""
    found = [(item.value, False) for item in spec.inputs if item.value]
    found += [(module.path, True) for module in spec.modules]
    support = Path(__file__).resolve().parents[1]  # this library, shipped with every job
    local = [(Path(value), junk) for value, junk in found if value and "://" not in value]
    return local + [(support, True)]


def _digest_all(paths: List[Tuple[Path, bool]]) -> None:
    for path, skip_junk in paths:
        with contextlib.suppress(Exception):
            walk_ahead(path, skip_junk=skip_junk)
