"""The container bootstrap, run as SageMaker runs it: a plain file in a subprocess.

A temporary directory stands in for /opt/ml through AWS_SAGEMAKER_REMOTE_PATH_MAP.
"""

import ast
import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import aws_sagemaker_remote.container.bootstrap as bootstrap_module
from aws_sagemaker_remote.container.bootstrap import MAX_REASON_BYTES, PathMap, one_line
from aws_sagemaker_remote.container.steps import pip_failure_reason

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


@pytest.fixture
def ml(tmp_path: Path) -> Path:
    root = tmp_path / "opt-ml"
    (root / "processing" / "code" / "script").mkdir(parents=True)
    (root / "config").mkdir()
    (root / "processing" / "code" / "script" / "script.py").write_text(RECORDING_SCRIPT)
    return root


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
    return (ml / "output" / "failure").read_text(encoding="utf-8")


def assert_setup_failed(ml: Path, result: subprocess.CompletedProcess, reason: str) -> None:
    assert result.returncode == 1, result.stderr
    assert failure(ml) == reason + "\n"
    assert f"aws-sagemaker-remote: {reason}" in result.stderr
    assert not (ml / "record.json").exists(), "the script must not run after a setup failure"


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
    assert not (ml / "output" / "failure").exists()


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
    assert_setup_failed(ml, result, f"job file {job}: 'argv' must be a list of strings")


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


# ---------------------------------------------------------------- configuration


def test_configuration_script_and_command_reach_the_script(ml: Path) -> None:
    config = container_path(ml, "/opt/ml/processing/code/configuration/setup.sh")
    config.parent.mkdir(parents=True)
    config.write_text("export FOO=bar\nexport CONFIG_ARGS=$#\nunset TO_REMOVE\n")
    result = run(
        ml,
        ["arg"],
        AWS_SAGEMAKER_REMOTE_CONFIGURATION_SCRIPT="/opt/ml/processing/code/configuration/setup.sh",
        AWS_SAGEMAKER_REMOTE_CONFIGURATION_COMMAND="export BAZ=$FOO-x",
        TO_REMOVE="present",
    )
    assert result.returncode == 0, result.stderr
    env = record(ml)["env"]
    assert env["FOO"] == "bar"
    assert env["BAZ"] == "bar-x"
    assert env["CONFIG_ARGS"] == "0"
    assert "TO_REMOVE" not in env
    assert env["IS_SAGEMAKER"] == "1"
    assert env["PYTHONUNBUFFERED"] == "1"
    assert env["PWD"] == os.environ.get("PWD", env["PWD"])
    assert "sourcing configuration script" in result.stderr
    assert "running configuration command" in result.stderr


def test_configuration_script_with_crlf_line_endings(ml: Path) -> None:
    config = ml / "crlf.sh"
    config.write_bytes(b"export CRLF_VALUE=clean\r\nif true; then\r\n  export OTHER=1\r\nfi\r\n")
    result = run(ml, AWS_SAGEMAKER_REMOTE_CONFIGURATION_SCRIPT=str(config))
    assert result.returncode == 0, result.stderr
    env = record(ml)["env"]
    assert env["CRLF_VALUE"] == "clean"
    assert env["OTHER"] == "1"


def test_values_with_newlines_and_equals_survive_capture(ml: Path) -> None:
    result = run(
        ml,
        AWS_SAGEMAKER_REMOTE_CONFIGURATION_COMMAND="export MULTI=$'a=b\\nc=d'",
    )
    assert result.returncode == 0, result.stderr
    assert record(ml)["env"]["MULTI"] == "a=b\nc=d"


def test_environment_capture_without_env_dash_zero(ml: Path) -> None:
    fake_bin = ml / "fake-bin"
    fake_bin.mkdir()
    (fake_bin / "env").write_text("#!/bin/sh\nexit 1\n")
    (fake_bin / "env").chmod(0o755)
    result = run(
        ml,
        AWS_SAGEMAKER_REMOTE_CONFIGURATION_COMMAND=(
            f"export PATH={shlex.quote(str(fake_bin))}:$PATH; export FALLBACK='a b=c'"
        ),
    )
    assert result.returncode == 0, result.stderr
    env = record(ml)["env"]
    assert env["FALLBACK"] == "a b=c"
    assert env["PATH"].startswith(str(fake_bin))


def test_user_shell_options_and_functions_do_not_break_capture(ml: Path) -> None:
    config = ml / "hostile.sh"
    config.write_text("set -o noclobber\nprintf() { return 9; }\nexport KEPT=1\n")
    result = run(ml, AWS_SAGEMAKER_REMOTE_CONFIGURATION_SCRIPT=str(config))
    assert result.returncode == 0, result.stderr
    assert record(ml)["env"]["KEPT"] == "1"


def test_exit_zero_in_sourced_script_is_explained(ml: Path) -> None:
    config = ml / "exits.sh"
    config.write_text("export LOST=1\nexit 0\n")
    result = run(ml, AWS_SAGEMAKER_REMOTE_CONFIGURATION_SCRIPT=str(config))
    assert_setup_failed(
        ml,
        result,
        "configuration script called 'exit' before the environment was captured"
        " (use 'return' in a sourced script)",
    )


def test_failing_configuration_command_stops_before_the_script(ml: Path) -> None:
    result = run(
        ml,
        AWS_SAGEMAKER_REMOTE_CONFIGURATION_COMMAND="export A=1; (exit 4)",
    )
    assert_setup_failed(ml, result, "configuration command failed with exit code 4")


def test_failing_configuration_script_stops_before_the_command(ml: Path) -> None:
    config = ml / "fail.sh"
    config.write_text("echo about to fail\nexit 3\n")
    marker = ml / "command-ran"
    result = run(
        ml,
        AWS_SAGEMAKER_REMOTE_CONFIGURATION_SCRIPT=str(config),
        AWS_SAGEMAKER_REMOTE_CONFIGURATION_COMMAND=f"touch {shlex.quote(str(marker))}",
    )
    assert_setup_failed(ml, result, "configuration script failed with exit code 3")
    assert "about to fail" in result.stdout
    assert not marker.exists()


def test_missing_configuration_script(ml: Path) -> None:
    result = run(ml, AWS_SAGEMAKER_REMOTE_CONFIGURATION_SCRIPT="/opt/ml/nope.sh")
    assert_setup_failed(ml, result, f"configuration script not found: {ml}/nope.sh")


# ---------------------------------------------------------------- requirements


def test_requirements_failure_names_the_package(ml: Path) -> None:
    requirements = container_path(ml, "/opt/ml/processing/code/requirements/requirements.txt")
    requirements.parent.mkdir(parents=True)
    requirements.write_text("--no-index\nnonexistent-package-xyz==1.0\n")
    result = run(
        ml,
        AWS_SAGEMAKER_REMOTE_REQUIREMENTS="/opt/ml/processing/code/requirements/requirements.txt",
    )
    assert_setup_failed(
        ml, result, "requirements: pip could not install 'nonexistent-package-xyz==1.0'"
    )
    assert "installing requirements from" in result.stderr
    assert "nonexistent-package-xyz" in result.stdout  # pip's own output lands in the logs


def test_requirements_success_runs_the_script(ml: Path) -> None:
    requirements = ml / "requirements.txt"
    requirements.write_text("# nothing to install\n--no-index\n")
    result = run(ml, AWS_SAGEMAKER_REMOTE_REQUIREMENTS=str(requirements))
    assert result.returncode == 0, result.stderr
    assert record(ml)["env"]["IS_SAGEMAKER"] == "1"
    assert "requirements installed" in result.stderr


def test_missing_requirements_file(ml: Path) -> None:
    result = run(ml, AWS_SAGEMAKER_REMOTE_REQUIREMENTS="/opt/ml/missing.txt")
    assert_setup_failed(ml, result, f"requirements: file not found: {ml}/missing.txt")


@pytest.mark.parametrize(
    ("output", "reason"),
    [
        (
            "ERROR: Could not find a version that satisfies the requirement foo==9.9 "
            "(from versions: none)\nERROR: No matching distribution found for foo==9.9\n",
            "requirements: pip could not install 'foo==9.9'",
        ),
        (
            "ERROR: Invalid requirement: 'foo bar': Expected end\n    foo bar\n",
            "requirements: pip could not install 'foo bar'",
        ),
        (
            "Collecting brokenpkg==1.0\n  error: subprocess-exited-with-error\n"
            "  × python setup.py egg_info did not run successfully.\n"
            "error: metadata-generation-failed\n",
            "requirements: pip could not install 'brokenpkg==1.0'",
        ),
        (
            "ERROR: Failed to build installable wheels for some pyproject.toml based "
            "projects (native-thing)\n",
            "requirements: pip could not install 'native-thing'",
        ),
        (
            "ERROR: Cannot install a==1 and b==2 because these package versions have "
            "conflicting dependencies.\n",
            "requirements: pip failed: Cannot install a==1 and b==2 because these package "
            "versions have conflicting dependencies.",
        ),
        ("/usr/bin/python3: No module named pip\n", None),
        ("something unexpected\n", "requirements: pip install failed with exit code 2"),
    ],
)
def test_pip_failure_reason(output: str, reason) -> None:
    expected = reason or "requirements: pip is not available for this interpreter"
    assert pip_failure_reason(output, 2) == expected


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
    assert failure(ml) == "script exited with code 3\n"
    assert "aws-sagemaker-remote: script exited with code 3" in result.stderr
    assert (ml / "record.json").exists()


def test_missing_script_is_a_setup_failure(ml: Path) -> None:
    result = run(ml, AWS_SAGEMAKER_REMOTE_SCRIPT="/opt/ml/processing/code/script/missing.py")
    assert_setup_failed(ml, result, f"script not found: {ml}/processing/code/script/missing.py")


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
    assert failure(ml) == "script exited with code 7\n"
    assert "script exited with code 7" in stderr


def test_script_killed_by_sigterm_exits_128_plus_signal(ml: Path) -> None:
    process = start_waiting_script(ml, handle=False)
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=120)
    code = 128 + int(signal.SIGTERM)
    assert process.returncode == code
    assert failure(ml) == f"script exited with code {code}\n"


def test_sigint_is_forwarded(ml: Path) -> None:
    process = start_waiting_script(ml, handle=False)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    # The script's default handler raises KeyboardInterrupt; Python then dies of SIGINT.
    assert "KeyboardInterrupt" in stderr
    code = 128 + int(signal.SIGINT)
    assert process.returncode == code
    assert failure(ml) == f"script exited with code {code}\n"


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
    assert failure(ml) == "interrupted by SIGTERM during configuration\n"
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
