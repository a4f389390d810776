"""Helpers shared by tests of several folders (`pythonpath = ["tests"]` in pyproject)."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import tarfile
import time
import zipfile
from pathlib import Path
from typing import Iterator

from aws_sagemaker_remote.kinds import KINDS
from aws_sagemaker_remote.s3.digest import piece_digest, piece_files
from aws_sagemaker_remote.s3server import S3Server, find_weed

SAFETY_TIMEOUT = 120  # only bounds a hung test; nothing asserts on time
TERMINAL = ("Completed", "Failed", "Stopped")


def git(cwd, *args: str) -> None:
    """A git command in `cwd` with a throwaway identity (for repos made by a test)."""
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def path_digest(path: Path | str, *, lf: bool | None = None) -> str:
    """Digest of a file or directory as staging would upload it."""
    return piece_digest(piece_files(path, lf=lf))


def offline(monkeypatch, folder: Path) -> None:
    """No AWS setting of the caller's, no config or credentials file, nothing reachable."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(folder / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(folder / "none"))
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")


def our_folders_under(monkeypatch, root: Path) -> None:
    """Every folder the tool writes to (XDG and AWS_SAGEMAKER_REMOTE_HOME) below `root`."""
    for name in ("XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(name, str(root / name.lower()))
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_HOME", str(root / "home"))


def nested_tree(root: Path) -> Path:
    """30 files of distinct sizes two folders deep under `root`."""
    for i in range(30):
        folder = root / f"level1-{i % 3}" / f"level2-{i % 2}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"file-{i:02d}.bin").write_bytes(os.urandom(100 + i * 37))
    return root


def stop_leftovers(backend):
    """Stop the jobs of either kind a test left running, and wait for their end."""
    for kind in KINDS.values():
        for summary in backend.list_jobs(kind, MaxResults=100)[kind.field("Summaries")]:
            if kind.status(summary) == "InProgress":
                backend.stop_job(kind, kind.job_name(summary))
                deadline = time.monotonic() + SAFETY_TIMEOUT
                while (
                    kind.status(backend.describe_job(kind, kind.job_name(summary))) not in TERMINAL
                ):
                    assert time.monotonic() < deadline, f"{kind.job_name(summary)} did not stop"
                    time.sleep(0.1)


def probe_wheel(
    directory: Path, name: str = "asr_emulator_probe_pkg", value: str = "from a wheel"
) -> Path:
    """A tiny pure-Python wheel, so a job installs it with no index and no build step."""
    wheel = directory / f"{name}-0.1-py3-none-any.whl"
    info = f"{name}-0.1.dist-info"
    files = {
        f"{name}/__init__.py": f"VALUE = {value!r}\n",
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    files[f"{info}/RECORD"] = "".join(f"{path},,\n" for path in [*files, f"{info}/RECORD"])
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return wheel


STORE_FOLDERS = ("objects", "records", "channels", "code", "inputs", "leases")


def assert_staged_as_planned(plan: dict, before: set, after: set) -> None:
    """What a submit left in S3 (`s3://` URIs) is what its dry run's plan said: each version's
    record, its channel (the manifest, or the prefix copy), the contents in objects/, and the
    lease that now names the job; nothing else new (the S3 server is shared between tests:
    another test may have staged the same version before)."""
    for upload in plan["uploads"]:
        assert upload["record"] in after, upload
        channel = upload["s3_uri"]
        if upload["layout"] == "manifest":
            assert channel in after, upload
        else:
            assert any(k.startswith(channel) for k in after), upload
    store = plan["uploads"][0]["record"].split("/records/", 1)[0] + "/"
    new = after - before
    strays = [
        k for k in new if k.startswith(store) and k[len(store) :].split("/")[0] not in STORE_FOLDERS
    ]
    assert strays == []


def archive(files) -> bytes:
    """A model.tar.gz-like archive of {name: bytes}."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@contextlib.contextmanager
def started_s3_server(folder: Path) -> Iterator[S3Server]:
    """A SeaweedFS serving from `folder` on 127.0.0.1, stopped on leaving; a test fails (no
    traceback) when it cannot start."""
    import pytest

    try:
        find_weed()
    except FileNotFoundError as error:
        pytest.fail(f"{error} (needed by the tests that use S3)", pytrace=False)
    server = S3Server(folder)
    try:
        server.start(timeout=90)
    except RuntimeError as error:
        server.stop(grace=0)
        pytest.fail(f"SeaweedFS did not start: {error}", pytrace=False)
    try:
        yield server
    finally:
        server.stop()
