"""The container bootstrap's setup steps before the script: the configuration script and command,
and the requirements."""

import os
import shlex
from pathlib import Path

import pytest
from bootstrap_support import (
    assert_setup_failed,
    container_path,
    record,
    run,
)

from aws_sagemaker_remote.container.steps import pip_failure_reason

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
    configuring = [line for line in result.stderr.splitlines() if "configuring:" in line]
    assert len(configuring) == 1
    assert configuring[0].startswith("aws-sagemaker-remote: configuring: script /opt/ml/")
    assert configuring[0].endswith(" + command")


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
    assert_setup_failed(ml, result, "configuration script not found: /opt/ml/nope.sh")


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
    assert "installing requirements from /opt/ml/requirements.txt" in result.stderr


def test_missing_requirements_file(ml: Path) -> None:
    result = run(ml, AWS_SAGEMAKER_REMOTE_REQUIREMENTS="/opt/ml/missing.txt")
    assert_setup_failed(ml, result, "requirements: file not found: /opt/ml/missing.txt")


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
