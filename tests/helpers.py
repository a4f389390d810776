"""Helpers shared by tests of several folders (`pythonpath = ["tests"]` in pyproject)."""

from __future__ import annotations

import time
from pathlib import Path

from aws_sagemaker_remote.contract import JOB_KINDS
from aws_sagemaker_remote.s3.digest import piece_digest, piece_files

SAFETY_TIMEOUT = 120  # only bounds a hung test; nothing asserts on time
TERMINAL = ("Completed", "Failed", "Stopped")


def path_digest(path: Path | str, *, lf: bool | None = None) -> str:
    """Digest of a file or directory as staging would upload it."""
    return piece_digest(piece_files(path, lf=lf))


def stop_leftovers(backend):
    """Stop the jobs of either kind a test left running, and wait for their end."""
    for kind in JOB_KINDS.values():
        for summary in backend.list_jobs(kind, MaxResults=100)[kind.field("Summaries")]:
            if kind.status(summary) == "InProgress":
                backend.stop_job(kind, kind.job_name(summary))
                deadline = time.monotonic() + SAFETY_TIMEOUT
                while (
                    kind.status(backend.describe_job(kind, kind.job_name(summary))) not in TERMINAL
                ):
                    assert time.monotonic() < deadline, f"{kind.job_name(summary)} did not stop"
                    time.sleep(0.1)
