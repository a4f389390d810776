"""Helpers of the end-to-end tests: run scripts and the job CLI as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def run_script(script: Path, *argv: str, timeout: float = 180, **kwargs):
    return subprocess.run(
        [sys.executable, str(script), *map(str, argv)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=dict(os.environ),
        **kwargs,
    )


def run_cli(*argv: str, timeout: float = 120):
    return subprocess.run(
        [sys.executable, "-m", "aws_sagemaker_remote", *argv],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=dict(os.environ),
    )


def ctrl_c_after(script: Path, line: str, *argv: str, timeout: float = 120, signum=None):
    """Run the script, press Ctrl-C (or send `signum`) once it printed `line`; (exit code, all
    it printed)."""
    import signal

    process = subprocess.Popen(
        [sys.executable, str(script), *map(str, argv)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=dict(os.environ),
    )  # fmt: skip
    seen = []
    for printed in process.stdout:
        seen.append(printed)
        if printed.strip() == line:
            break
    process.send_signal(signum or signal.SIGINT)
    rest, _ = process.communicate(timeout=timeout)
    return process.returncode, "".join(seen) + rest


def tree_bytes(folder: Path) -> dict:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }
