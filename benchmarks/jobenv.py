"""What a clean environment per emulated job costs, against copying the environment per job.

    python benchmarks/jobenv.py [--runs 5] [--packages "numpy scipy pandas scikit-learn"]

Builds one shared job environment (this Python, the packages given) with the emulator's own
builder and cache, in a temporary folder, then per "job": the cache's lookup (the lock and the
fingerprint check of the shared environment), one instance's fresh environment over it, and the
first `import` of each package in it; against the naive clean copy, `cp -a` of the whole
environment. Prints the shared environment's build time and size too. Needs uv and the package
index (or uv's cache) for the first build.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from aws_sagemaker_remote.backends.local.runner.environments.builder import Builder, find_uv
from aws_sagemaker_remote.backends.local.runner.environments.cache import EnvironmentCache
from aws_sagemaker_remote.backends.local.runner.environments.overlay import make_overlay
from aws_sagemaker_remote.backends.local.runner.environments.pythons import this_python

IMPORT_NAMES = {"scikit-learn": "sklearn", "pyyaml": "yaml", "pillow": "PIL"}


def timed(call):
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def files_and_bytes(folder: Path):
    count = size = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            count += 1
            size += os.lstat(os.path.join(root, name)).st_size
    return count, size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--packages", default="numpy scipy pandas scikit-learn")
    args = parser.parse_args()
    packages = args.packages.split()
    modules = [IMPORT_NAMES.get(p, p.replace("-", "_")) for p in packages]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        builder = Builder(find_uv(), folder, print)

        def build(target: Path) -> bool:
            builder.create(target, this_python())
            if not builder.install(target, packages).ok:
                raise SystemExit(f"could not install {packages}")
            return True

        cache = EnvironmentCache(folder / "venvs", print)
        (folder / "venvs").mkdir()
        build_time, (shared, lease, _) = timed(lambda: cache.acquire("f" * 32, build))
        lease.release()
        count, size = files_and_bytes(shared)
        lookups, overlays, imports, copies = [], [], [], []
        for run in range(args.runs):
            seconds, (_, lease, built) = timed(lambda: cache.acquire("f" * 32, build))
            assert not built
            lease.release()
            lookups.append(seconds)
            target = folder / "jobs" / f"job-{run}"
            seconds, python = timed(lambda target=target: make_overlay(shared, target))
            overlays.append(seconds)
            code = "; ".join(f"import {m}" for m in modules) or "pass"
            seconds, _ = timed(lambda python=python, code=code: subprocess.run(
                [str(python), "-c", code], check=True))  # fmt: skip
            imports.append(seconds)
            copy = folder / "copies" / f"job-{run}"
            seconds, _ = timed(lambda copy=copy: shutil.copytree(shared, copy, symlinks=True))
            copies.append(seconds)
    median = statistics.median
    print(f"shared environment: {', '.join(packages) or 'no package'} on Python "
          f"{this_python().text}: {count} files, {size / 2**20:.0f} MiB, built in "
          f"{build_time:.2f} s ({builder.name})")  # fmt: skip
    print(f"per job, median of {args.runs}:")
    print(f"  cache lookup (lock + fingerprint check)  {median(lookups) * 1000:7.1f} ms")
    print(f"  the instance's fresh environment          {median(overlays) * 1000:7.1f} ms")
    total = (median(lookups) + median(overlays)) * 1000
    print(f"  clean environment in all                  {total:7.1f} ms")
    print(f"  vs a full copy of the environment (cp -a) {median(copies) * 1000:7.1f} ms")
    print(f"  (a Python start with {', '.join(modules) or 'nothing'} imported there: "
          f"{median(imports) * 1000:.0f} ms)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
