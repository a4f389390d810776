"""Walk and read the job's local inputs and code while `validate` loads SageMaker's model and
`resolve` waits on AWS, so the plan finds their files and digests in memory. It starts before
validation (it only reads: nothing is sent before the plan); a big folder read for the first
time is hashed by child processes on the other cores meanwhile (s3/hashers.py). The files are the
ones the plan ships, walked as it walks them (layout.code_sources, layout.input_files): nothing
is read that never ships, and each folder is walked once (the plan takes these walks,
s3/digest.walking_ahead).

Best effort: any error is left for the plan to report in its own words, in order.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

from ..args import is_job_reference
from ..s3.digest import digest_many, release_digest_caches, start_hashing, walking_ahead
from .layout import code_sources, input_files
from .spec import JobSpec


def warm_digests(spec: JobSpec) -> threading.Thread:
    """Digest what the job ships in a daemon thread (join it first)."""
    thread = threading.Thread(target=_digest_all, args=(spec,), daemon=True)
    thread.start()
    return thread


def _digest_all(spec: JobSpec) -> None:
    support = Path(__file__).resolve().parents[1]  # this library, shipped with every job
    with walking_ahead():
        with contextlib.suppress(Exception):
            for _key, _source, files in code_sources(spec, support):
                _digest(files)
        for item in spec.inputs:
            if item.value and "://" not in item.value and not is_job_reference(item.value):
                _digest_input(Path(item.value))
    release_digest_caches()  # every file walked has its digest: the loaded entries may go


def _digest_input(path: Path) -> None:
    walkers = start_hashing(path) if path.is_dir() else None
    try:
        with contextlib.suppress(Exception):
            _digest(input_files(path), walkers)
    finally:
        if walkers is not None:
            walkers.close()


def _digest(files, walkers=None) -> None:
    digest_many([source for _rel, source in files], walkers)
