"""Start-up cost of a local run: a trivial aws-sagemaker-remote script against the same script
written with plain argparse, run alternately in one session; and the same script in a project
whose pyproject.toml has a `[tool.aws-sagemaker-remote]` table (the configuration is parsed).

    python benchmarks/startup.py [--runs 30]

Prints the median wall time, CPU time (user + system, the steadier figure on a busy machine) and
peak memory (max RSS) of each and their ratios. The goal: a local run costs within a few
milliseconds of plain argparse, a wall-time ratio of at most 1.15 (the script without a table of
ours: what every user pays).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = {
    "aws-sagemaker-remote": HERE / "scripts" / "trivial_asr.py",
    "plain argparse": HERE / "scripts" / "trivial_argparse.py",
}
CONFIGURED = "... with a project table"
PROJECT_TABLE = """[project]
name = "benchmark"
dependencies = ["aws-sagemaker-remote"]

[tool.aws-sagemaker-remote]
region = "eu-west-1"
bucket = "team-bucket"
instance = "ml.m5.xlarge"
tags = { team = "ml" }

[tool.aws-sagemaker-remote.training]
spot = true
"""


def configured_copy(folder: Path) -> Path:
    """The trivial script in a project whose pyproject.toml holds a table of ours."""
    (folder / "pyproject.toml").write_text(PROJECT_TABLE)
    script = folder / "trivial_asr.py"
    script.write_text(SCRIPTS["aws-sagemaker-remote"].read_text())
    return script


# As users run it: bytecode cached after the first run (some shells set PYTHONDONTWRITEBYTECODE,
# which would make every run compile the library from source while the baseline uses the
# standard library's cached bytecode).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def measure(script: Path, output: str) -> tuple[float, int, float]:
    """Wall seconds, peak RSS (KiB) and CPU seconds of one run of ``script``."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, str(script), "--output", output], stdout=subprocess.DEVNULL, env=ENV
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"{script.name} exited with {process.returncode}")
    return elapsed, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        scripts = {**SCRIPTS, CONFIGURED: configured_copy(Path(tmp))}
        results: dict[str, list[tuple[float, int, float]]] = {name: [] for name in scripts}
        for script in scripts.values():
            measure(script, tmp)  # warm the file cache and .pyc files
        for _ in range(args.runs):
            for name, script in scripts.items():
                results[name].append(measure(script, tmp))
    wall = {n: statistics.median(r[0] for r in rows) for n, rows in results.items()}
    rss = {n: statistics.median(r[1] for r in rows) for n, rows in results.items()}
    cpu = {n: statistics.median(r[2] for r in rows) for n, rows in results.items()}
    for name in scripts:
        print(f"{name:25s} wall {wall[name] * 1000:7.1f} ms   CPU {cpu[name] * 1000:6.1f} ms   "
              f"peak RSS {rss[name] / 1024:6.1f} MiB")  # fmt: skip
    base = "plain argparse"
    ours = "aws-sagemaker-remote"
    print(f"wall-time ratio   {wall[ours] / wall[base]:.3f}x (goal <= 1.15x)")
    print(f"CPU-time ratio    {cpu[ours] / cpu[base]:.3f}x")
    print(f"peak-memory ratio {rss[ours] / rss[base]:.2f}x")
    print(f"with a project table: {wall[CONFIGURED] / wall[base]:.3f}x wall, "
          f"{cpu[CONFIGURED] / cpu[base]:.3f}x CPU, "
          f"{(cpu[CONFIGURED] - cpu[ours]) * 1000:+.1f} ms CPU over no table")  # fmt: skip
    print(f"({args.runs} alternating runs each, median; Python {sys.version.split()[0]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
