"""Where emulated jobs live on disk, and the name of every file in a job's folder.

Only the runner writes ``status.json``; a stop request is a separate file written by the caller,
so the two processes never overwrite each other's updates.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, Iterator, Optional

from ...contract import PLACEHOLDER_ACCOUNT
from ...kinds import JobKind
from ...paths import jobs_dir
from ...procs import same_process

REQUEST_FILE = "request.json"
STATUS_FILE = "status.json"
STOP_FILE = "stop-requested"
INTERRUPT_FILE = "spot-interruption-requested"  # emulator only: reclaim a spot job's instances
RUNNER_LOG = "runner.log"
RUNNER_PID = "runner.pid"  # written by the creator when it spawns the runner
RUNNER_RECORD = "runner.json"  # written by the runner itself: its pid and start time
DISK_RESERVE = "disk-reserve"  # the runner's room for the final status on a full disk
LOGS_DIR = "logs"  # logs/algo-<i>.jsonl, one per instance
LOG_SUFFIX = ".jsonl"
CREATING = ".creating."  # a job folder being written, renamed to the job's name when whole
INSTANCES_DIR = "instances"  # instances/algo-<i>/ plays the container's / for that instance


def default_root() -> Path:
    return jobs_dir()


def kind_root(root: Path, folder: Optional[str]) -> Path:
    """The folder of one kind's jobs: `root` (the first kind's), or `folder` beside it (each
    kind has its own job names on AWS, so two kinds' jobs may share a name)."""
    return root if folder is None else root.parent / folder


def job_arn(region: str, name: str, kind: JobKind) -> str:
    return kind.arn("aws", region, PLACEHOLDER_ACCOUNT, name)


def read_json(path: Path) -> Any:
    with open(path, encoding="utf-8") as stream:
        return json.load(stream)


def write_json(path: Path, data: Any) -> None:
    """Write atomically: readers see the old or the new file, never half of one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as stream:
            json.dump(data, stream, indent=1, default=str)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # a full disk leaves no half file behind
        raise


class JobStore:
    """Job directories under one root: `<root>/<name>/`."""

    def __init__(self, root: Optional[Path] = None) -> None:
        self.root = (Path(root) if root is not None else default_root()).absolute()

    def job_dir(self, name: str) -> Path:
        return self.root / name

    def exists(self, name: str) -> bool:
        return (self.job_dir(name) / STATUS_FILE).is_file()

    def names(self) -> Iterator[str]:
        if not self.root.is_dir():
            return iter(())
        return (
            p.name
            for p in self.root.iterdir()
            if not p.name.startswith(CREATING) and (p / STATUS_FILE).is_file()
        )

    def create(
        self,
        name: str,
        request: Dict[str, Any],
        status: Dict[str, Any],
        more: Optional[Dict[str, Any]] = None,
    ) -> Path:
        """Make the job directory whole or not at all; FileExistsError when the name is taken.
        `more`: other JSON files of the folder, by name.

        Its files are written in a hidden folder beside it, renamed to the job's name once
        complete: a full disk or a kill leaves no job that has taken its name but cannot be
        described. The rename is the name's reservation (it fails onto a job's folder)."""
        self.root.mkdir(parents=True, exist_ok=True)
        job_dir = self.job_dir(name)
        if job_dir.exists() and any(job_dir.iterdir()):
            raise FileExistsError(errno.EEXIST, "job exists", str(job_dir))
        self._sweep_abandoned()
        prefix = f"{CREATING}{os.getpid()}.{name}."
        building = Path(tempfile.mkdtemp(prefix=prefix, dir=self.root))
        try:
            write_json(building / REQUEST_FILE, request)
            write_json(building / STATUS_FILE, status)
            for file_name, data in (more or {}).items():
                write_json(building / file_name, data)
            try:
                os.rename(building, job_dir)
            except OSError as error:
                if error.errno in (errno.EEXIST, errno.ENOTEMPTY):
                    raise FileExistsError(errno.EEXIST, "job exists", str(job_dir)) from None
                raise
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
        return job_dir

    def _sweep_abandoned(self) -> None:
        """Remove the job folders being written by a creator that is gone (killed -9)."""
        for entry in os.scandir(self.root):
            pid = entry.name[len(CREATING) :].split(".", 1)[0]
            if (
                entry.name.startswith(CREATING)
                and pid.isdigit()
                and not same_process(int(pid), None)
            ):
                shutil.rmtree(entry.path, ignore_errors=True)

    def request(self, name: str) -> Dict[str, Any]:
        return read_json(self.job_dir(name) / REQUEST_FILE)

    def status(self, name: str) -> Dict[str, Any]:
        return read_json(self.job_dir(name) / STATUS_FILE)

    def request_stop(self, name: str) -> None:
        path = self.job_dir(name) / STOP_FILE
        if not path.exists():
            path.write_text(f"{time.time()}\n", encoding="utf-8")

    def stop_requested_at(self, name: str) -> Optional[float]:
        return stop_requested_at(self.job_dir(name))

    def request_interrupt(self, name: str) -> None:
        (self.job_dir(name) / INTERRUPT_FILE).write_text(f"{time.time()}\n", encoding="utf-8")


def stop_requested_at(job_dir: Path) -> Optional[float]:
    try:
        return (job_dir / STOP_FILE).stat().st_mtime
    except FileNotFoundError:
        return None


def take_interrupt_request(job_dir: Path) -> bool:
    """Runner side: whether an interruption was asked for since the last call (it is consumed)."""
    try:
        (job_dir / INTERRUPT_FILE).unlink()
    except FileNotFoundError:
        return False
    return True


def update_status(job_dir: Path, **fields: Any) -> Dict[str, Any]:
    """Runner side: merge `fields` into status.json and stamp LastModifiedTime."""
    path = job_dir / STATUS_FILE
    status = read_json(path)
    status.update(fields)
    status["LastModifiedTime"] = time.time()
    write_json(path, status)
    return status
