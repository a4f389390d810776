"""Read the job's local inputs while `resolve` waits on AWS, so the plan finds their digests in
memory: reading is CPU and disk, resolving is mostly network, and the two overlap well.

Best effort: any error is left for the plan to report in its own words, in order.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import List

from ..s3.digest import piece_files, source_digest
from .spec import JobSpec


def warm_digests(spec: JobSpec) -> threading.Thread:
    """Digest the local inputs, modules and this library in a daemon thread (join it first)."""
    thread = threading.Thread(target=_digest_all, args=(_local_sources(spec),), daemon=True)
    thread.start()
    return thread


def _local_sources(spec: JobSpec) -> List[Path]:
    values = [item.value for item in spec.inputs if item.value]
    values += [module.path for module in spec.modules]
    support = Path(__file__).resolve().parents[1]  # this library, shipped with every job
    return [Path(value) for value in values if "://" not in value] + [support]


def _digest_all(paths: List[Path]) -> None:
    for path in paths:
        with contextlib.suppress(Exception):
            for _rel, source in piece_files(path, lf=False, skip_junk=False):
                source_digest(source)
