"""The container bootstrap, run as SageMaker runs it: arguments, PYTHONPATH, hosts, the script,
signals, and its pure parts."""

import ast
import json
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bootstrap_support import (
    BOOTSTRAP,
    SCRIPT_PATH,
    assert_setup_failed,
    base_env,
    container_path,
    failure,
    record,
    run,
)

import aws_sagemaker_remote.container.bootstrap as bootstrap_module
from aws_sagemaker_remote.container.bootstrap import PathMap, one_line
from aws_sagemaker_remote.container.run_script import MAX_MESSAGE_BYTES as MAX_REASON_BYTES

# ---------------------------------------------------------------- arguments


def test_argv_passes_through_exactly(ml: Path) -> None:
    argv = [
        "",
        "with space",
        "  padded  ",
        "--flag=value with = sign",
        "$HOME `id` 'single' \"double\" \\back",
        "line\nbreak",
        "unicodé ✓",
        "x" * 10_000,
        "/opt/ml/processing/input/data",
    ] + [f"--item-{i}" for i in range(300)]
    result = run(ml, argv)
    assert result.returncode == 0, result.stderr
    assert record(ml)["argv"] == argv
    assert not (ml / "output" / "message").exists()


def test_no_arguments(ml: Path) -> None:
    result = run(ml)
    assert result.returncode == 0, result.stderr
    assert record(ml)["argv"] == []


def test_job_file_argv_and_command_override_with_path_mapping(ml: Path) -> None:
    job = container_path(ml, "/opt/ml/processing/code/job/job.json")
    job.parent.mkdir(parents=True)
    job_argv = [
        "--input",
        "/opt/ml/processing/input/input",
        "--output=/opt/ml/processing/output/output",
        "/opt/ml",
        "/opt/mlx/not-under-the-root",
        "relative/opt/ml/path",
        "",
        "plain value",
    ]
    job.write_text(json.dumps({"argv": job_argv, "configuration_command": "export FROM_JOB=1"}))
    result = run(
        ml,
        ["ignored", "because", "the job file has argv"],
        AWS_SAGEMAKER_REMOTE_JOB_FILE="/opt/ml/processing/code/job/job.json",
        AWS_SAGEMAKER_REMOTE_CONFIGURATION_COMMAND="export FROM_ENV=1",
    )
    assert result.returncode == 0, result.stderr
    seen = record(ml)
    assert seen["argv"] == [
        "--input",
        f"{ml}/processing/input/input",
        f"--output={ml}/processing/output/output",
        str(ml),
        "/opt/mlx/not-under-the-root",
        "relative/opt/ml/path",
        "",
        "plain value",
    ]
    assert seen["env"]["FROM_JOB"] == "1"
    assert "FROM_ENV" not in seen["env"]


def test_job_file_without_argv_keeps_container_arguments(ml: Path) -> None:
    job = ml / "job.json"
    job.write_text(json.dumps({"configuration_command": "export FROM_JOB=yes"}))
    result = run(ml, ["a", "b"], AWS_SAGEMAKER_REMOTE_JOB_FILE=str(job))
    assert result.returncode == 0, result.stderr
    assert record(ml)["argv"] == ["a", "b"]
    assert record(ml)["env"]["FROM_JOB"] == "yes"


def test_invalid_job_file_is_a_setup_failure(ml: Path) -> None:
    job = ml / "job.json"
    job.write_text(json.dumps({"argv": "not a list"}))
    result = run(ml, AWS_SAGEMAKER_REMOTE_JOB_FILE=str(job))
    assert_setup_failed(ml, result, "job file /opt/ml/job.json: 'argv' must be a list of strings")


# ---------------------------------------------------------------- PYTHONPATH


def test_pythonpath_entries_are_prepended(ml: Path) -> None:
    module_dir = container_path(ml, "/opt/ml/processing/modules/helper")
    module_dir.mkdir(parents=True)
    (module_dir / "helper_module.py").write_text("VALUE = 'from module dir'\n")
    result = run(
        ml,
        AWS_SAGEMAKER_REMOTE_PYTHONPATH="/opt/ml/processing/modules/helper:/opt/ml/support",
        PYTHONPATH="/existing/entry",
    )
    assert result.returncode == 0, result.stderr
    seen = record(ml)
    assert seen["helper"] == "from module dir"
    assert seen["env"]["PYTHONPATH"] == f"{module_dir}:{ml}/support:/existing/entry"


# ---------------------------------------------------------------- hosts


def test_resource_config_sets_host_information(ml: Path) -> None:
    hosts = ["algo-1", "algo-2", "algo-3"]
    (ml / "config" / "resourceconfig.json").write_text(
        json.dumps({"current_host": "algo-2", "hosts": hosts})
    )
    result = run(ml)
    assert result.returncode == 0, result.stderr
    env = record(ml)["env"]
    assert env["SM_CURRENT_HOST"] == "algo-2"
    assert json.loads(env["SM_HOSTS"]) == hosts
    assert env["SM_HOST_INDEX"] == "1"
    assert env["SM_NUM_HOSTS"] == "3"


def test_without_resource_config_no_host_information(ml: Path) -> None:
    result = run(ml)
    assert result.returncode == 0, result.stderr
    env = record(ml)["env"]
    assert not {"SM_CURRENT_HOST", "SM_HOSTS", "SM_HOST_INDEX", "SM_NUM_HOSTS"} & set(env)


# ---------------------------------------------------------------- the script


def test_script_exit_code_is_reported(ml: Path) -> None:
    result = run(ml, TEST_EXIT_CODE="3")
    assert result.returncode == 3
    assert failure(ml) == "script exited with code 3"
    assert "aws-sagemaker-remote: script exited with code 3" in result.stderr
    assert (ml / "record.json").exists()


def test_missing_script_is_a_setup_failure(ml: Path) -> None:
    result = run(ml, AWS_SAGEMAKER_REMOTE_SCRIPT="/opt/ml/processing/code/script/missing.py")
    assert_setup_failed(ml, result, "script not found: /opt/ml/processing/code/script/missing.py")


def test_missing_script_variable_is_a_setup_failure(ml: Path) -> None:
    result = run(ml, AWS_SAGEMAKER_REMOTE_SCRIPT="")
    assert_setup_failed(ml, result, "AWS_SAGEMAKER_REMOTE_SCRIPT is not set")


def test_unwritable_failure_file_is_ignored(ml: Path) -> None:
    (ml / "output").write_text("a file where the output directory should be")
    result = run(ml, TEST_EXIT_CODE="5")
    assert result.returncode == 5
    assert "aws-sagemaker-remote: script exited with code 5" in result.stderr


WAITING_SCRIPT = """
import os, signal, sys
def on_term(signum, frame):
    with open(os.environ["TEST_SIGNAL_FILE"], "w") as stream:
        stream.write(str(signum))
    sys.exit(7)
if os.environ.get("TEST_HANDLE_SIGTERM") == "1":
    signal.signal(signal.SIGTERM, on_term)
with open(os.environ["TEST_READY_FILE"], "w") as stream:
    stream.write("ready")
while True:
    signal.pause()
"""


def start_bootstrap(env: dict, ready: Path, what: str) -> subprocess.Popen:
    """Start the bootstrap and return once `ready` exists (the step under test is running)."""
    process = subprocess.Popen(
        [sys.executable, str(BOOTSTRAP)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120  # a guard against hanging, not a timing assertion
    while not ready.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"{what} did not start: {process.communicate()}")
        time.sleep(0.02)
    return process


def start_waiting_script(ml: Path, handle: bool) -> subprocess.Popen:
    container_path(ml, SCRIPT_PATH).write_text(WAITING_SCRIPT)
    env = base_env(ml)
    env.update(
        TEST_SIGNAL_FILE=str(ml / "signal"),
        TEST_READY_FILE=str(ml / "ready"),
        TEST_HANDLE_SIGTERM="1" if handle else "0",
    )
    return start_bootstrap(env, ml / "ready", "script")


def test_sigterm_reaches_the_script(ml: Path) -> None:
    process = start_waiting_script(ml, handle=True)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=120)
    assert (ml / "signal").read_text() == str(int(signal.SIGTERM))
    assert process.returncode == 7
    assert failure(ml) == "script exited with code 7"
    assert "script exited with code 7" in stderr


def test_script_killed_by_sigterm_exits_128_plus_signal(ml: Path) -> None:
    process = start_waiting_script(ml, handle=False)
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=120)
    code = 128 + int(signal.SIGTERM)
    assert process.returncode == code
    assert failure(ml) == f"script exited with code {code}"


def test_sigint_is_forwarded(ml: Path) -> None:
    process = start_waiting_script(ml, handle=False)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    # The script's default handler raises KeyboardInterrupt; Python then dies of SIGINT.
    assert stderr.count("KeyboardInterrupt") == 1  # the traceback, once
    code = 128 + int(signal.SIGINT)
    assert process.returncode == code
    assert failure(ml) == "KeyboardInterrupt"
    assert f"aws-sagemaker-remote: script exited with code {code}" in stderr


def test_sigterm_during_setup_stops_before_the_script(ml: Path) -> None:
    ready = ml / "config-ready"
    env = base_env(ml)
    env["AWS_SAGEMAKER_REMOTE_CONFIGURATION_COMMAND"] = (
        f"touch {shlex.quote(str(ready))}; while true; do sleep 0.05; done"
    )
    process = start_bootstrap(env, ready, "configuration")
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=120)
    assert process.returncode == 128 + int(signal.SIGTERM)
    assert failure(ml) == "interrupted by SIGTERM during configuration"
    assert not (ml / "record.json").exists()


# ---------------------------------------------------------------- in process and pure parts


def test_main_in_process(ml: Path) -> None:
    code = bootstrap_module.main(["x", ""], base_env(ml))
    assert code == 0
    assert record(ml)["argv"] == ["x", ""]


def test_path_map() -> None:
    path_map = PathMap.parse("/opt/ml=/data/job/opt/ml/")
    assert path_map.path("/opt/ml") == "/data/job/opt/ml"
    assert path_map.path("/opt/ml/a/b") == "/data/job/opt/ml/a/b"
    assert path_map.path("/opt/mlx") == "/opt/mlx"
    assert path_map.path("opt/ml/a") == "opt/ml/a"
    assert path_map.token("--x=/opt/ml/a") == "--x=/data/job/opt/ml/a"
    assert path_map.token("x=/opt/ml/a") == "x=/opt/ml/a"
    nested = PathMap.parse("/opt/ml=/opt/ml/jobs/j1")
    assert nested.path(nested.path("/opt/ml/a")) == "/opt/ml/jobs/j1/a"  # idempotent
    assert PathMap.parse("").path("/opt/ml/a") == "/opt/ml/a"


def test_bad_path_map_is_a_setup_failure(ml: Path) -> None:
    result = run(ml, AWS_SAGEMAKER_REMOTE_PATH_MAP="no-equals-sign")
    assert result.returncode == 1
    assert "AWS_SAGEMAKER_REMOTE_PATH_MAP must be FROM=TO" in result.stderr


def test_failure_reason_is_one_line_and_bounded() -> None:
    assert one_line("first\nsecond\r\nthird") == "first second third"
    long = one_line("é" * 2000)
    assert len(long.encode("utf-8")) <= MAX_REASON_BYTES
    assert long == "é" * (MAX_REASON_BYTES // 2)


@pytest.mark.parametrize("module", sorted(BOOTSTRAP.parent.glob("*.py")), ids=lambda p: p.name)
def test_container_package_is_python37_and_stdlib_only(module: Path) -> None:
    tree = ast.parse(module.read_text(encoding="utf-8"), feature_version=(3, 7))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "relative imports fail when run as a plain file"
            assert node.module != "__future__"
            if node.module.startswith("aws_sagemaker_remote."):
                assert node.module.startswith("aws_sagemaker_remote.container."), node.module
                continue
            imported.add(node.module.split(".")[0])
    assert "aws_sagemaker_remote" not in imported
    stdlib = getattr(sys, "stdlib_module_names", None)
    if stdlib is not None:
        assert imported <= set(stdlib), imported - set(stdlib)


def test_job_file_pythonpath_replaces_the_variable(ml: Path) -> None:
    module_dir = container_path(ml, "/opt/ml/processing/modules/helper")
    module_dir.mkdir(parents=True)
    (module_dir / "helper_module.py").write_text("VALUE = 'from the job file'\n")
    job = container_path(ml, "/opt/ml/processing/code/job/job.json")
    job.parent.mkdir(parents=True)
    job.write_text(json.dumps({"pythonpath": ["/opt/ml/processing/modules/helper"]}))
    result = run(
        ml,
        AWS_SAGEMAKER_REMOTE_JOB_FILE="/opt/ml/processing/code/job/job.json",
        AWS_SAGEMAKER_REMOTE_PYTHONPATH="/opt/ml/ignored",
    )
    assert result.returncode == 0, result.stderr
    assert record(ml)["helper"] == "from the job file"
    assert "ignored" not in record(ml)["env"]["PYTHONPATH"]
