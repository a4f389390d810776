"""The setup steps before the user's script: PYTHONPATH, requirements, the configuration script
and command in one bash, host information (standard library only, Python 3.7+)."""

import collections
import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
from typing import Dict, List, Tuple

from aws_sagemaker_remote.container.settings import PathMap, Settings, SetupError, log
from aws_sagemaker_remote.container.signals import SignalForwarder, exit_code_of

RESOURCE_CONFIG = "/opt/ml/config/resourceconfig.json"
PIP_TAIL_LINES = 400
PIP_SHOWN_LINES = 200
PIP_NOISE = (
    "Requirement already satisfied:",
    "Looking in indexes:",
    "Looking in links:",
    "Using cached ",
    "Downloading ",
)

# Variables bash itself changes; the script keeps the values the bootstrap was started with.
SHELL_BOOKKEEPING = ("_", "SHLVL", "PWD", "OLDPWD")


# Runs the configuration in one bash. Positional parameters are cleared before sourcing, so the
# user's script sees no arguments; the status file tells which phase ended the shell. Images
# whose `env` has no -0 (old busybox) fall back to listing the exported names with bash itself.
# `builtin`, `command` and `>|` keep working whatever functions or options (noclobber) the user's
# script defines.
CONFIGURATION_PROGRAM = r"""
__asr_status=$1; __asr_env=$2; __asr_script=$3; __asr_command=$4
set --
if [ -n "$__asr_script" ]; then
    builtin printf script >| "$__asr_status"
    builtin source "$__asr_script"
    __asr_rc=$?
    if [ "$__asr_rc" -ne 0 ]; then builtin exit "$__asr_rc"; fi
fi
if [ -n "$__asr_command" ]; then
    builtin printf command >| "$__asr_status"
    builtin eval "$__asr_command"
    __asr_rc=$?
    if [ "$__asr_rc" -ne 0 ]; then builtin exit "$__asr_rc"; fi
fi
builtin printf capture >| "$__asr_status"
if ! command env -0 >| "$__asr_env" 2> /dev/null; then
    : >| "$__asr_env" || builtin exit 1
    for __asr_name in $(compgen -e); do
        builtin printf '%s=%s\0' "$__asr_name" "${!__asr_name}" >> "$__asr_env" || builtin exit 1
    done
fi
builtin printf done >| "$__asr_status"
builtin exit 0
"""

# Patterns whose first group names the requirement pip could not install, most specific first.
PIP_REQUIREMENT_PATTERNS = (
    r"No matching distribution found for (\S+)",
    r"Could not find a version that satisfies the requirement (\S+)",
    r"Failed building wheel for (\S+)",
    r"Failed to build installable wheels for some pyproject\.toml based projects \(([^)]+)\)",
    r"Invalid requirement: '([^'\n]+)'",
)


# ---------------------------------------------------------------- steps


def prepend_pythonpath(settings: Settings, env: Dict[str, str]) -> None:
    if not settings.pythonpath:
        return
    existing = [entry for entry in env.get("PYTHONPATH", "").split(":") if entry]
    env["PYTHONPATH"] = ":".join(settings.pythonpath + existing)


def install_requirements(
    settings: Settings, env: Dict[str, str], forwarder: SignalForwarder
) -> None:
    """pip stays quiet while it works; when it fails, its output (without the lines that only
    say what was already there) is shown before the reason."""
    requirements = settings.requirements
    if not requirements:
        return
    shown = settings.path_map.shown(requirements)
    if not os.path.isfile(requirements):
        raise SetupError(f"requirements: file not found: {shown}")
    log(f"installing requirements from {shown}")
    command = settings.python + ["-m", "pip", "install", "-r", requirements]
    pip_env = dict(env)
    pip_env.setdefault("PIP_DISABLE_PIP_VERSION_CHECK", "1")
    pip_env.setdefault("PIP_NO_INPUT", "1")
    pip_env.setdefault("PIP_ROOT_USER_ACTION", "ignore")
    pip_env.setdefault("PIP_PROGRESS_BAR", "off")
    pip_env.setdefault("PYTHONUNBUFFERED", "1")
    returncode, output = run_captured(command, pip_env, forwarder)
    forwarder.check("requirements installation")
    if returncode != 0:
        _show(pip_error_lines(output))
        raise SetupError(pip_failure_reason(output, exit_code_of(returncode)))


def run_captured(
    command: List[str], env: Dict[str, str], forwarder: SignalForwarder
) -> Tuple[int, str]:
    """Run ``command`` with stdout and stderr in one pipe (in order); its code and output tail."""
    flush_streams()
    try:
        child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    except OSError as error:
        raise SetupError(f"cannot run {command[0]}: {error}") from None
    forwarder.attach(child)
    tail = collections.deque(maxlen=PIP_TAIL_LINES)  # type: collections.deque
    try:
        for line in iter(child.stdout.readline, b""):
            tail.append(line)
        returncode = child.wait()
    finally:
        child.stdout.close()
        forwarder.detach()
    return returncode, b"".join(tail).decode("utf-8", "replace")


def pip_error_lines(output: str) -> List[str]:
    """pip's output without the lines that only report what was fine."""
    lines = [line for line in output.splitlines() if not line.startswith(PIP_NOISE)]
    return lines[-PIP_SHOWN_LINES:]


def _show(lines: List[str]) -> None:
    if lines:
        sys.stdout.write("\n".join(lines) + "\n")
        sys.stdout.flush()


def pip_failure_reason(output: str, exit_code: int) -> str:
    if re.search(r"No module named pip\b", output):
        return "requirements: pip is not available for this interpreter"
    for pattern in PIP_REQUIREMENT_PATTERNS:
        matches = re.findall(pattern, output, flags=re.MULTILINE)
        if matches:
            return f"requirements: pip could not install {matches[-1].strip()!r}"
    if "subprocess-exited-with-error" in output or "metadata-generation-failed" in output:
        collecting = re.findall(r"^\s*Collecting (\S+)", output, flags=re.MULTILINE)
        if collecting:
            return f"requirements: pip could not install {collecting[-1]!r}"
    errors = re.findall(r"^ERROR: (.+)$", output, flags=re.MULTILINE)
    if errors:
        return f"requirements: pip failed: {errors[-1].strip()}"
    return f"requirements: pip install failed with exit code {exit_code}"


def run_configuration(
    settings: Settings, env: Dict[str, str], forwarder: SignalForwarder
) -> Dict[str, str]:
    """Source the configuration script and eval the command in one bash; return its environment."""
    script, command = settings.configuration_script, settings.configuration_command
    if not script and not command:
        return env
    if script and not os.path.isfile(script):
        raise SetupError(f"configuration script not found: {settings.path_map.shown(script)}")
    parts = ["script " + settings.path_map.shown(script)] if script else []
    parts += ["command"] if command else []
    log("configuring: " + " + ".join(parts))
    env = dict(env)
    env.setdefault("PYTHONUNBUFFERED", "1")  # what Python prints there stays in order
    with tempfile.TemporaryDirectory(prefix="aws-sagemaker-remote-") as workdir:
        if script:
            script = _lf_copy(script, workdir)
        status_file = os.path.join(workdir, "status")
        env_file = os.path.join(workdir, "environment")
        bash = ["bash", "-c", CONFIGURATION_PROGRAM, "bash", status_file, env_file, script, command]
        returncode = run_child(bash, env, forwarder, "configuration")
        forwarder.check("configuration")
        phase = _read_text(status_file)
        if returncode != 0 or phase != "done":
            raise SetupError(_configuration_reason(phase, exit_code_of(returncode)))
        captured = _read_env0(env_file)
    return _merge_captured(captured, env)


def _lf_copy(script: str, workdir: str) -> str:
    """Return ``script``, or an LF copy of it in ``workdir`` when it has CRLF line endings."""
    with open(script, "rb") as stream:
        data = stream.read()
    if b"\r\n" not in data:
        return script
    copy_dir = os.path.join(workdir, "lf")
    os.mkdir(copy_dir)
    copy = os.path.join(copy_dir, os.path.basename(script))
    with open(copy, "wb") as stream:
        stream.write(data.replace(b"\r\n", b"\n"))
    return copy


def _configuration_reason(phase: str, exit_code: int) -> str:
    if phase == "script":
        if exit_code == 0:
            return (
                "configuration script called 'exit' before the environment was captured"
                " (use 'return' in a sourced script)"
            )
        return f"configuration script failed with exit code {exit_code}"
    if phase == "command":
        if exit_code == 0:
            return "configuration command called 'exit' before the environment was captured"
        return f"configuration command failed with exit code {exit_code}"
    if phase == "capture":
        return f"configuration: could not capture the environment (env -0, exit code {exit_code})"
    return f"configuration: bash failed with exit code {exit_code}"


def _read_text(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as stream:
            return stream.read().strip()
    except OSError:
        return ""


def _read_env0(path: str) -> Dict[str, str]:
    with open(path, "rb") as stream:
        data = stream.read()
    captured = {}  # type: Dict[str, str]
    for entry in data.split(b"\0"):
        name, sep, value = entry.partition(b"=")
        if sep and name:
            captured[_decode(name)] = _decode(value)
    return captured


def _decode(data: bytes) -> str:
    return data.decode(sys.getfilesystemencoding(), "surrogateescape")


def _merge_captured(captured: Dict[str, str], before: Dict[str, str]) -> Dict[str, str]:
    env = dict(captured)
    for name in SHELL_BOOKKEEPING:
        env.pop(name, None)
        if name in before:
            env[name] = before[name]
    return env


def set_host_information(env: Dict[str, str], path_map: PathMap) -> None:
    path = path_map.path(RESOURCE_CONFIG)
    if not os.path.isfile(path):
        return
    try:
        with open(path, encoding="utf-8") as stream:
            config = json.load(stream)
        current = config["current_host"]
        hosts = [str(host) for host in config["hosts"]]
    except (OSError, ValueError, KeyError, TypeError) as error:
        log(f"warning: ignoring unreadable {path_map.shown(path)}: {error!r}")
        return
    env["SM_CURRENT_HOST"] = str(current)
    env["SM_HOSTS"] = json.dumps(hosts)
    env["SM_NUM_HOSTS"] = str(len(hosts))
    if current in hosts:
        env["SM_HOST_INDEX"] = str(hosts.index(current))
    if len(hosts) > 1:
        log(f"host {current} (index {env.get('SM_HOST_INDEX', '?')} of {len(hosts)} hosts)")


def run_child(
    command: List[str], env: Dict[str, str], forwarder: SignalForwarder, what: str
) -> int:
    child = start_child(command, env, forwarder, what)
    try:
        return child.wait()
    finally:
        forwarder.detach()


def start_child(
    command: List[str], env: Dict[str, str], forwarder: SignalForwarder, what: str
) -> "subprocess.Popen":
    flush_streams()
    try:
        child = subprocess.Popen(command, env=env)
    except OSError as error:
        raise SetupError(f"{what}: cannot run {command[0]}: {error}") from None
    forwarder.attach(child)
    return child


def flush_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()


def script_environment(env: Dict[str, str]) -> Dict[str, str]:
    env = dict(env)
    env["IS_SAGEMAKER"] = "1"
    if not env.get("PYTHONUNBUFFERED"):
        env["PYTHONUNBUFFERED"] = "1"
    return env
