"""Digests of a big folder's files in child processes, while the parent walks it.

Hashing a small file is bound by the interpreter: some 15 µs a file, most of it holding the
GIL, so a second thread only adds contention (20,000 files of 4 KiB: 0.29 s in one thread,
0.35 s in two). Child processes use the other cores instead. Started before the parent's own walk,
each child walks the folder as `walk.walk` does and reads and hashes every n-th file, so the
hashing runs at the same time as the parent's walk, validation and resolve.

The parent keeps every judgement: a child's answer counts only when the size it read and the
stamp it saw after reading are the file's as the parent walked it (the check
`digest._hash_file` makes); any other file (unreadable, changed, behind a symlinked folder, a
child that died) is left without a digest, for the in-process digest to hash or to report in
its own words.

    python -m aws_sagemaker_remote.s3.hashers ROOT K N   (stdout: for each n-th file from the
    k-th, "<path>\0<bytes read> <size> <mtime_ns> <ctime_ns> <inode> <sha256> <crc64>\0")
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import os
import stat
import sys
import time
from typing import Any, Dict, Iterator, List, Optional, Tuple

CHUNK = 1024 * 1024
WORTH = 64  # entries at the top of a folder from which children are started
MAX_WORKERS = 3
POLL = 0.002  # seconds between looks at the children's answers when none came
READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)
BATCH = 256  # a child's answers written this many at a time


def read_digest(path: str, expected: int) -> Tuple[int, os.stat_result, str, str]:
    """(bytes read, stat after reading, sha256 hex, CRC64NVME base64) of a file, read `expected`
    bytes at most (raw `os` calls, one read for a small file; OSError if it cannot be read).
    Reading only what is expected also spares a 1 MiB buffer per small file."""
    crc64nvme = _crc64nvme()
    sha, crc, size = hashlib.sha256(), 0, 0
    fd = os.open(path, READ_FLAGS)
    try:
        while size < expected:  # a file grown since the walk: its stamp tells
            chunk = os.read(fd, min(CHUNK, expected - size))
            if not chunk:
                break
            sha.update(chunk)
            crc = crc64nvme(chunk, crc)
            size += len(chunk)
        info = os.fstat(fd)
    finally:
        os.close(fd)
    return size, info, sha.hexdigest(), crc64_text(crc)


@functools.lru_cache(maxsize=1)
def _crc64nvme() -> Any:
    """awscrt's CRC64NVME, imported once, on first use (importing this module must not)."""
    from awscrt.checksums import crc64nvme

    return crc64nvme


def crc64(data: bytes, previous: int = 0) -> int:
    return _crc64nvme()(data, previous)


def crc64_text(value: int) -> str:
    return base64.b64encode(value.to_bytes(8, "big")).decode("ascii")


def start(root: str) -> Optional[Walkers]:
    """Children that walk the folder `root` and hash its files while the parent walks it too,
    or None where it would not pay: a folder of fewer than WORTH entries at its top (a rough
    guess of a small input, made without walking it), one core, no interpreter to start. (The
    caller, `digest.start_hashing`, also leaves out a folder it has a digest cache for.)"""
    workers = min(MAX_WORKERS, (os.cpu_count() or 1) - 1)  # a core is the parent's
    if workers < 1 or not sys.executable:
        return None
    try:
        with os.scandir(root) as entries:
            if sum(1 for _ in zip(range(WORTH), entries)) < WORTH:
                return None
    except OSError:
        return None
    return Walkers(root, workers)


class Walkers:
    """Child processes that each walk a folder as `walk.walk` does (regular files, sorted by
    name, symlinked folders left to the parent) and hash every n-th file, their answers in
    temporary files, which the parent reads as they grow (`answers`: a walk's answers used to
    wait for the children's end, and reading them then took 0.13 s at 20,000 files)."""

    def __init__(self, root: str, workers: int):
        import atexit
        import subprocess

        self.children: list = []  # (child, its answers opened for reading)
        for k in range(workers):
            command = [sys.executable, "-m", __name__, root, str(k), str(workers)]
            try:
                written, answers = _answer_file()
            except OSError:
                continue
            try:
                with written:
                    child = subprocess.Popen(
                        command, stdin=subprocess.DEVNULL, stdout=written, stderr=subprocess.DEVNULL
                    )
            except OSError:
                answers.close()
                continue
            self.children.append((child, answers))
        atexit.register(self.close)  # a submit that stops early (bad input) leaves no child

    def answers(self, files: Dict[str, Any]) -> Iterator[Tuple[Any, tuple]]:
        """(file, (size, sha256, crc64)) for each of `files` (path -> LocalFile) a child read
        as walked, taken as the children write them (a MiB at most at a time, so that 100,000
        answers never sit in memory at once), until every child has ended."""
        readers = [_Reader(child, answers) for child, answers in self.children]
        while readers:
            idle = True
            for reader in list(readers):
                for path, line in reader.records():
                    idle = False
                    file = files.get(os.fsdecode(path))
                    found = _vouched(file, line) if file is not None else None
                    if found is not None:
                        yield file, found
                if reader.done:
                    readers.remove(reader)
            if idle and readers:
                time.sleep(POLL)
        self.close()

    def close(self) -> None:
        for child, answers in self.children:
            if child.poll() is None:
                child.kill()
                child.wait()
            answers.close()


def _answer_file() -> Tuple[Any, Any]:
    """A temporary file for a child's answers (a pipe would stall the child until the parent
    reads), as two handles with their own offsets: the child's to write, the parent's to read
    while it writes."""
    import tempfile

    fd, path = tempfile.mkstemp(prefix="asr-digests-")
    written = os.fdopen(fd, "wb")
    answers = None
    try:
        answers = open(path, "rb")  # noqa: SIM115 - closed by Walkers.close
        os.unlink(path)  # where an open file cannot be removed, no children: the parent hashes
    except OSError:
        written.close()
        if answers is not None:
            answers.close()
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise
    return written, answers


class _Reader:
    """The whole records of a child's answers, read as it writes them: "<path>\0<line>\0"
    each. What follows the last separator waits for the next read; a record a child left
    unfinished (it died) is never taken."""

    def __init__(self, child: Any, answers: Any):
        self.child = child
        self.answers = answers
        self.rest = b""
        self.done = False

    def records(self) -> List[Tuple[bytes, bytes]]:
        ended = self.child.poll() is not None  # before reading: all it wrote is there then
        chunk = self.answers.read(CHUNK)
        if not chunk:
            self.done = ended
            return []
        fields = (self.rest + chunk).split(b"\0")
        self.rest = fields.pop()  # what follows the last separator: part of a record
        if len(fields) % 2:  # ... that had its path already
            self.rest = fields.pop() + b"\0" + self.rest
        return list(zip(fields[0::2], fields[1::2]))


def _vouched(file, line: bytes) -> Optional[tuple]:
    parts = line.split(b" ")
    if len(parts) != 7:
        return None
    try:
        read, size, mtime, ctime, ino = (int(p) for p in parts[:5])
    except ValueError:
        return None
    if read != file.size or (size, mtime, ctime, ino) != file.stamp():
        return None
    return file.size, parts[5].decode("ascii"), parts[6].decode("ascii")


def main(root: str, k: int, workers: int) -> int:
    index = -1
    out = sys.stdout.buffer
    answers: List[str] = []
    for folder, subfolders, names in os.walk(root):
        subfolders.sort()
        names.sort()
        prefix = os.path.join(folder, "")
        for name in names:
            index += 1
            if index % workers != k:
                continue
            path = prefix + name
            try:
                info = os.stat(path)
                if not stat.S_ISREG(info.st_mode):
                    continue
                read, info, sha, crc = read_digest(path, info.st_size)
            except OSError:
                continue
            stamp = f"{read} {info.st_size} {info.st_mtime_ns} {info.st_ctime_ns} {info.st_ino}"
            answers.append(f"{path}\0{stamp} {sha} {crc}\0")
            if len(answers) == BATCH:
                out.write(os.fsencode("".join(answers)))
                answers.clear()
    out.write(os.fsencode("".join(answers)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
