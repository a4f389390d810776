"""Container entrypoint of a processing job.

SageMaker (and the local emulator) runs this file directly:
``python3 /opt/ml/processing/code/support/aws_sagemaker_remote/container/bootstrap.py [ARGV...]``.
It runs inside arbitrary images, so it uses the standard library only, imports nothing from this
package and keeps to Python 3.6 syntax.

Steps (docs/architecture.md, "Request -> container"): PYTHONPATH, requirements, configuration
script + command in one bash, host information, then the user's script as a child process with
SIGTERM/SIGINT forwarded. A failing setup step writes a one-line reason to /opt/ml/output/failure,
prints it to stderr and exits 1 before user code starts.

Decisions beyond the contract:
- ``AWS_SAGEMAKER_REMOTE_PATH_MAP`` is also applied to the paths read from the environment
  (script, requirements, configuration script, job file, PYTHONPATH entries). Mapping is
  idempotent (a path already under TO is left alone), so an emulator that remapped the
  environment itself gets the same result. Arguments from ``sys.argv`` pass through untouched
  (the emulator rewrites ContainerArguments itself); job-file argv tokens are mapped, both bare
  paths and ``--flag=PATH``.
- A configuration script with CRLF line endings is sourced from an LF copy in a temporary
  directory (same basename); a script with LF endings is sourced in place.
- A signal received during setup aborts the setup (forwarded to the running step, if any) and the
  bootstrap exits with 128 + signal.
"""

import collections
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import traceback
from typing import Dict, List, Optional, Tuple

LOG_PREFIX = "aws-sagemaker-remote: "
ENV_PREFIX = "AWS_SAGEMAKER_REMOTE_"
RESOURCE_CONFIG = "/opt/ml/config/resourceconfig.json"
FAILURE_FILE = "/opt/ml/output/failure"
MAX_REASON_BYTES = 1024
EXIT_SETUP_FAILED = 1
FORWARDED_SIGNALS = (signal.SIGTERM, signal.SIGINT)
PIP_TAIL_LINES = 400

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


class SetupError(Exception):
    """A setup step failed; the message is the one-line reason."""

    def __init__(self, reason: str, exit_code: int = EXIT_SETUP_FAILED) -> None:
        super().__init__(reason)
        self.exit_code = exit_code


def log(message: str) -> None:
    sys.stderr.write(LOG_PREFIX + message + "\n")
    sys.stderr.flush()


def exit_code_of(returncode: int) -> int:
    """A child killed by signal N (negative return code) becomes 128 + N, as shells report it."""
    return 128 - returncode if returncode < 0 else returncode


def signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


# ---------------------------------------------------------------- path mapping


class PathMap:
    """Prefix replacement FROM -> TO for container paths (emulator only)."""

    def __init__(self, source: str = "", target: str = "") -> None:
        self.source = source
        self.target = target

    @classmethod
    def parse(cls, spec: Optional[str]) -> "PathMap":
        if not spec:
            return cls()
        source, sep, target = spec.partition("=")
        source, target = _strip_slash(source), _strip_slash(target)
        if not sep or not source.startswith("/") or not target:
            raise SetupError(
                f"{ENV_PREFIX}PATH_MAP must be FROM=TO with an absolute FROM, got {spec!r}"
            )
        return cls(source, target)

    def path(self, path: str) -> str:
        if not self.source or _is_under(path, self.target):
            return path
        if path == self.source:
            return self.target
        if path.startswith(self.source + "/"):
            return self.target + path[len(self.source) :]
        return path

    def token(self, token: str) -> str:
        """Map a bare path token, or the value of a ``--flag=PATH`` token."""
        if token.startswith("-") and "=" in token:
            flag, _, value = token.partition("=")
            return flag + "=" + self.path(value)
        return self.path(token)


def _strip_slash(path: str) -> str:
    return path.rstrip("/") or path


def _is_under(path: str, root: str) -> bool:
    return bool(root) and (path == root or path.startswith(root + "/"))


# ---------------------------------------------------------------- settings


class Settings:
    def __init__(self) -> None:
        self.script = ""
        self.python = []  # type: List[str]
        self.pythonpath = []  # type: List[str]
        self.requirements = ""
        self.configuration_script = ""
        self.configuration_command = ""
        self.argv = []  # type: List[str]


def load_settings(argv: List[str], environ: Dict[str, str], path_map: PathMap) -> Settings:
    settings = Settings()
    settings.script = path_map.path(environ.get(ENV_PREFIX + "SCRIPT", ""))
    if not settings.script:
        raise SetupError(f"{ENV_PREFIX}SCRIPT is not set")
    settings.python = _interpreter(environ.get(ENV_PREFIX + "PYTHON", ""))
    entries = environ.get(ENV_PREFIX + "PYTHONPATH", "").split(":")
    settings.pythonpath = [path_map.path(entry) for entry in entries if entry]
    settings.requirements = path_map.path(environ.get(ENV_PREFIX + "REQUIREMENTS", ""))
    settings.configuration_script = path_map.path(
        environ.get(ENV_PREFIX + "CONFIGURATION_SCRIPT", "")
    )
    settings.configuration_command = environ.get(ENV_PREFIX + "CONFIGURATION_COMMAND", "")
    settings.argv = list(argv)
    job_file = path_map.path(environ.get(ENV_PREFIX + "JOB_FILE", ""))
    if job_file:
        _apply_job_file(settings, job_file, path_map)
    return settings


def _interpreter(command: str) -> List[str]:
    if not command.strip():
        return [sys.executable or "python3"]
    try:
        words = shlex.split(command)
    except ValueError as error:
        raise SetupError(f"{ENV_PREFIX}PYTHON {command!r}: {error}") from None
    return words or [sys.executable or "python3"]


def _apply_job_file(settings: Settings, job_file: str, path_map: PathMap) -> None:
    log(f"reading job file {job_file}")
    try:
        with open(job_file, encoding="utf-8") as stream:
            job = json.load(stream)
    except (OSError, ValueError) as error:
        raise SetupError(f"job file {job_file}: {error}") from None
    if not isinstance(job, dict):
        raise SetupError(f"job file {job_file}: expected a JSON object")
    if "argv" in job:
        argv = job["argv"]
        if not isinstance(argv, list) or not all(isinstance(token, str) for token in argv):
            raise SetupError(f"job file {job_file}: 'argv' must be a list of strings")
        settings.argv = [path_map.token(token) for token in argv]
    if "pythonpath" in job:
        entries = job["pythonpath"]
        if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
            raise SetupError(f"job file {job_file}: 'pythonpath' must be a list of strings")
        settings.pythonpath = [path_map.path(entry) for entry in entries if entry]
    if "configuration_command" in job:
        command = job["configuration_command"]
        if not isinstance(command, str):
            raise SetupError(f"job file {job_file}: 'configuration_command' must be a string")
        settings.configuration_command = command


# ---------------------------------------------------------------- signals


class SignalForwarder:
    """Forwards SIGTERM/SIGINT to the current child; remembers a signal that found no child."""

    def __init__(self) -> None:
        self.child = None  # type: Optional[subprocess.Popen]
        self.received = None  # type: Optional[int]
        self.pending = None  # type: Optional[int]
        self._previous = {}  # type: Dict[int, object]

    def install(self) -> None:
        for signum in FORWARDED_SIGNALS:
            try:
                self._previous[signum] = signal.signal(signum, self._handle)
            except ValueError:  # not the main thread (in-process callers)
                return

    def restore(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous = {}

    def attach(self, child: "subprocess.Popen") -> None:
        self.child = child
        if self.pending is not None:
            signum, self.pending = self.pending, None
            self._send(signum)

    def detach(self) -> None:
        self.child = None

    def check(self, step: str) -> None:
        """Abort the setup when a signal arrived during ``step``."""
        if self.received is not None:
            raise SetupError(
                f"interrupted by {signal_name(self.received)} during {step}",
                exit_code=128 + self.received,
            )

    def _handle(self, signum: int, frame: object) -> None:
        self.received = signum
        if self.child is None:
            self.pending = signum
        else:
            self._send(signum)

    def _send(self, signum: int) -> None:
        try:
            self.child.send_signal(signum)
        except OSError:
            pass


# ---------------------------------------------------------------- steps


def prepend_pythonpath(settings: Settings, env: Dict[str, str]) -> None:
    if not settings.pythonpath:
        return
    log("PYTHONPATH: prepending {}".format(":".join(settings.pythonpath)))
    existing = [entry for entry in env.get("PYTHONPATH", "").split(":") if entry]
    env["PYTHONPATH"] = ":".join(settings.pythonpath + existing)


def install_requirements(
    settings: Settings, env: Dict[str, str], forwarder: SignalForwarder
) -> None:
    requirements = settings.requirements
    if not requirements:
        return
    if not os.path.isfile(requirements):
        raise SetupError(f"requirements: file not found: {requirements}")
    log(f"installing requirements from {requirements}")
    command = settings.python + ["-m", "pip", "install", "-r", requirements]
    pip_env = dict(env)
    pip_env.setdefault("PIP_DISABLE_PIP_VERSION_CHECK", "1")
    pip_env.setdefault("PIP_NO_INPUT", "1")
    pip_env.setdefault("PIP_ROOT_USER_ACTION", "ignore")
    returncode, output = run_teed(command, pip_env, forwarder)
    forwarder.check("requirements installation")
    if returncode != 0:
        raise SetupError(pip_failure_reason(output, exit_code_of(returncode)))
    log("requirements installed")


def run_teed(
    command: List[str], env: Dict[str, str], forwarder: SignalForwarder
) -> Tuple[int, str]:
    """Run ``command`` with its output copied to our stdout; return its code and output tail."""
    flush_streams()
    try:
        child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    except OSError as error:
        raise SetupError(f"cannot run {command[0]}: {error}") from None
    forwarder.attach(child)
    tail = collections.deque(maxlen=PIP_TAIL_LINES)  # type: collections.deque
    sink = getattr(sys.stdout, "buffer", None)
    try:
        for line in iter(child.stdout.readline, b""):
            tail.append(line)
            _write_bytes(sink, line)
        returncode = child.wait()
    finally:
        child.stdout.close()
        forwarder.detach()
    return returncode, b"".join(tail).decode("utf-8", "replace")


def _write_bytes(sink: object, data: bytes) -> None:
    if sink is not None:
        sink.write(data)
        sink.flush()
    else:
        sys.stdout.write(data.decode("utf-8", "replace"))
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
        raise SetupError(f"configuration script not found: {script}")
    with tempfile.TemporaryDirectory(prefix="aws-sagemaker-remote-") as workdir:
        if script:
            log(f"sourcing configuration script {script}")
            script = _lf_copy(script, workdir)
        if command:
            log("running configuration command")
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
    log("configuration script has CRLF line endings; sourcing an LF copy")
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
        log(f"warning: ignoring unreadable {path}: {error!r}")
        return
    env["SM_CURRENT_HOST"] = str(current)
    env["SM_HOSTS"] = json.dumps(hosts)
    env["SM_NUM_HOSTS"] = str(len(hosts))
    if current in hosts:
        env["SM_HOST_INDEX"] = str(hosts.index(current))
    index = env.get("SM_HOST_INDEX", "unknown")
    log(f"host {current}: index {index} of {len(hosts)} host(s)")


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
        try:
            stream.flush()
        except (OSError, ValueError):
            pass


def script_environment(env: Dict[str, str]) -> Dict[str, str]:
    env = dict(env)
    env["IS_SAGEMAKER"] = "1"
    if not env.get("PYTHONUNBUFFERED"):
        env["PYTHONUNBUFFERED"] = "1"
    return env


# ---------------------------------------------------------------- failure reporting


def report_failure(reason: str, path_map: PathMap) -> None:
    line = one_line(reason)
    log(line)
    write_failure_file(line, path_map.path(FAILURE_FILE))


def one_line(reason: str) -> str:
    line = " ".join(reason.split())
    data = line.encode("utf-8")
    if len(data) <= MAX_REASON_BYTES:
        return line
    return data[:MAX_REASON_BYTES].decode("utf-8", "ignore")


def write_failure_file(line: str, path: str) -> None:
    try:
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        with open(path, "w", encoding="utf-8") as stream:
            stream.write(line + "\n")
    except OSError:
        pass


# ---------------------------------------------------------------- main


def setup(
    argv: List[str], environ: Dict[str, str], forwarder: SignalForwarder, path_map: PathMap
) -> Tuple[Settings, Dict[str, str]]:
    settings = load_settings(argv, environ, path_map)
    env = dict(environ)
    prepend_pythonpath(settings, env)
    forwarder.check("setup")
    install_requirements(settings, env, forwarder)
    forwarder.check("setup")
    env = run_configuration(settings, env, forwarder)
    set_host_information(env, path_map)
    if not os.path.isfile(settings.script):
        raise SetupError(f"script not found: {settings.script}")
    forwarder.check("setup")
    return settings, script_environment(env)


def run_script(settings: Settings, env: Dict[str, str], forwarder: SignalForwarder) -> int:
    command = settings.python + [settings.script] + settings.argv
    log(
        "running {} {} with {} argument(s)".format(
            " ".join(shlex.quote(word) for word in settings.python),
            settings.script,
            len(settings.argv),
        )
    )
    child = start_child(command, env, forwarder, "script")
    try:
        return exit_code_of(child.wait())
    finally:
        forwarder.detach()


def main(argv: Optional[List[str]] = None, environ: Optional[Dict[str, str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    environ = dict(os.environ if environ is None else environ)
    forwarder = SignalForwarder()
    forwarder.install()
    path_map = PathMap()
    try:
        path_map = PathMap.parse(environ.get(ENV_PREFIX + "PATH_MAP"))
        settings, env = setup(argv, environ, forwarder, path_map)
        code = run_script(settings, env, forwarder)
    except SetupError as error:
        report_failure(str(error), path_map)
        return error.exit_code
    except Exception as error:  # a bug here must still leave a reason behind
        traceback.print_exc()
        report_failure(f"bootstrap error: {type(error).__name__}: {error}", path_map)
        return EXIT_SETUP_FAILED
    finally:
        forwarder.restore()
    if code != 0:
        report_failure(f"script exited with code {code}", path_map)
    else:
        log("script exited with code 0")
    return code


if __name__ == "__main__":
    sys.exit(main())
