"""Helpers of the bootstrap tests: run the container bootstrap as SageMaker runs it, a plain file
in a subprocess, with a temporary directory standing in for /opt/ml (AWS_SAGEMAKER_REMOTE_PATH_MAP).
"""

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import aws_sagemaker_remote.container.bootstrap as bootstrap_module

BOOTSTRAP = Path(bootstrap_module.__file__).resolve()
OPT_ML = "/opt/ml"
SCRIPT_PATH = "/opt/ml/processing/code/script/script.py"

# The test script records what it received: argv, selected environment, importable modules.
RECORDING_SCRIPT = """
import json, os, sys
record = {"argv": sys.argv[1:], "env": dict(os.environ)}
try:
    import helper_module
    record["helper"] = helper_module.VALUE
except ImportError:
    record["helper"] = None
out = os.environ["TEST_RECORD_FILE"]
with open(out, "w", encoding="utf-8") as stream:
    json.dump(record, stream)
sys.exit(int(os.environ.get("TEST_EXIT_CODE", "0")))
"""


def container_path(ml: Path, path: str) -> Path:
    """The host path behind a container path under /opt/ml."""
    assert path.startswith(OPT_ML + "/")
    return ml / path[len(OPT_ML) + 1 :]


def base_env(ml: Path) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("AWS_SAGEMAKER_REMOTE_")
        and not key.startswith("SM_")
        and key not in ("PYTHONPATH", "IS_SAGEMAKER", "PYTHONUNBUFFERED")
    }
    env.update(
        {
            "AWS_SAGEMAKER_REMOTE_PATH_MAP": f"{OPT_ML}={ml}",
            "AWS_SAGEMAKER_REMOTE_SCRIPT": SCRIPT_PATH,
            "AWS_SAGEMAKER_REMOTE_PYTHON": shlex.quote(sys.executable),
            "TEST_RECORD_FILE": str(ml / "record.json"),
        }
    )
    return env


def run(ml: Path, argv=(), **env_extra: str) -> subprocess.CompletedProcess:
    env = base_env(ml)
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, str(BOOTSTRAP), *argv],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )


def record(ml: Path) -> dict:
    return json.loads((ml / "record.json").read_text(encoding="utf-8"))


def failure(ml: Path) -> str:
    """The message file, which SageMaker Processing publishes as ExitMessage."""
    return (ml / "output" / "message").read_text(encoding="utf-8")


def assert_setup_failed(ml: Path, result: subprocess.CompletedProcess, reason: str) -> None:
    assert result.returncode == 1, result.stderr
    assert failure(ml) == reason
    assert not (ml / "output" / "failure").exists(), "processing jobs do not publish it"
    assert f"aws-sagemaker-remote: {reason}" in result.stderr
    assert not (ml / "record.json").exists(), "the script must not run after a setup failure"
