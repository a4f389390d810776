"""Container entrypoint of a processing or training job.

SageMaker (and the local emulator) runs this file directly:
``python3 /opt/ml/processing/code/support/aws_sagemaker_remote/container/bootstrap.py [ARGV...]``
(training: under ``/opt/ml/input/data/code-support/``).
It runs inside arbitrary images, so this package (``container``) uses the standard library only,
imports nothing else of this library and keeps to Python 3.7 syntax.

Steps (docs/architecture.md, "Request -> container"): the files of ManifestFile channels put
under their real names (``placement.py``), PYTHONPATH, requirements, configuration
script + command in one bash, host information, then the user's script as a child process with
SIGTERM/SIGINT forwarded. The first log line names the image's Python version.

Failure reporting follows SageMaker Processing: the container's /opt/ml/output/message becomes the
job's ExitMessage (first 1 KiB, UTF-8). With ``AWS_SAGEMAKER_REMOTE_KIND=training`` the same
reasons go to /opt/ml/output/failure, which SageMaker Training publishes as FailureReason, and the
training toolkit's SM_* variables are set (``training.py``), the script's arguments rebuilt from
hyperparameters.json when ``AWS_SAGEMAKER_REMOTE_HYPERPARAMETER_FLAGS`` names the script's flags
(``hyperparameters.py``). A failing setup
step writes its one-line reason there (the pip requirement, the configuration step), prints it
and exits 1 before user code starts; the script runs through ``run_script.py``, which writes an
uncaught exception's ``Type: message``; a script that exits non-zero otherwise leaves ``script
exited with code N``. A message the script wrote itself is never overwritten. Log lines show
container paths (/opt/ml/...), never the emulator's host paths.

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

import os
import platform
import shlex
import sys
import traceback
from typing import Dict, List, Optional, Tuple

if not __package__:  # run as a file: import the rest of this package from the support folder
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from aws_sagemaker_remote.container.placement import place_all  # noqa: E402
from aws_sagemaker_remote.container.protocol import (  # noqa: E402
    HYPERPARAMETER_FLAGS,
    KIND,
    PATH_MAP,
    USER_ARGC,
)
from aws_sagemaker_remote.container.run_script import utf8_bounded, write_message  # noqa: E402
from aws_sagemaker_remote.container.settings import (  # noqa: E402
    EXIT_SETUP_FAILED,
    PathMap,
    Settings,
    SetupError,
    load_settings,
    log,
)
from aws_sagemaker_remote.container.signals import SignalForwarder, exit_code_of  # noqa: E402
from aws_sagemaker_remote.container.steps import (  # noqa: E402
    install_requirements,
    prepend_pythonpath,
    run_configuration,
    script_environment,
    set_host_information,
    start_child,
)
from aws_sagemaker_remote.container.training import (  # noqa: E402
    FAILURE_FILE,
    KIND_TRAINING,
    TrainingConfig,
    hyperparameter_argv,
    set_training_variables,
)

MESSAGE_FILE = "/opt/ml/output/message"  # published by SageMaker Processing as ExitMessage
RUN_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "run_script.py")
KINDS = ("processing", KIND_TRAINING)


def is_training(environ: Dict[str, str]) -> bool:
    return environ.get(KIND, "") == KIND_TRAINING


def message_file(environ: Dict[str, str]) -> str:
    """Where a failure's reason goes: the file the job's kind publishes."""
    return FAILURE_FILE if is_training(environ) else MESSAGE_FILE


# ---------------------------------------------------------------- failure reporting


def report_failure(reason: str, path_map: PathMap, environ: Dict[str, str]) -> None:
    line = one_line(reason)
    log(line)
    write_message(path_map.path(message_file(environ)), line)


def one_line(reason: str) -> str:
    return utf8_bounded(" ".join(reason.split())).decode("utf-8")


# ---------------------------------------------------------------- main


def setup(
    argv: List[str], environ: Dict[str, str], forwarder: SignalForwarder, path_map: PathMap
) -> Tuple[Settings, Dict[str, str]]:
    check_modes(environ)
    settings = load_settings(argv, environ, path_map)
    settings.message_file = message_file(environ)
    training = TrainingConfig(path_map) if is_training(environ) else None
    user_args = settings.argv[: _count(environ.get(USER_ARGC, ""))]
    if training is not None and HYPERPARAMETER_FLAGS in environ:
        user_args = hyperparameter_argv(training, environ, path_map)
        settings.argv = user_args + settings.argv
    env = dict(environ)
    place_all(settings.place, path_map)
    prepend_pythonpath(settings, env)
    forwarder.check("setup")
    install_requirements(settings, env, forwarder)
    forwarder.check("setup")
    env = run_configuration(settings, env, forwarder)
    if training is not None:
        set_training_variables(env, path_map, training, settings, user_args)
    else:
        set_host_information(env, path_map)
    if not os.path.isfile(settings.script):
        raise SetupError(f"script not found: {path_map.shown(settings.script)}")
    forwarder.check("setup")
    return settings, script_environment(env)


def check_modes(environ: Dict[str, str]) -> None:
    value = environ.get(KIND, "")
    if value and value not in KINDS:
        choices = ", ".join(repr(kind) for kind in KINDS)
        raise SetupError(f"{KIND} is {value!r}; allowed: {choices}")
    if HYPERPARAMETER_FLAGS in environ and not is_training(environ):
        raise SetupError(f"{HYPERPARAMETER_FLAGS} is set; only a training job has hyperparameters")


def _count(text: str) -> int:
    return int(text) if text.isdigit() else 0


def run_script(
    settings: Settings, env: Dict[str, str], forwarder: SignalForwarder, path_map: PathMap
) -> int:
    runner = [RUN_SCRIPT, path_map.path(settings.message_file)]
    command = settings.python + runner + [settings.script] + settings.argv
    log(
        "running {} {} ({} argument{})".format(
            " ".join(shlex.quote(word) for word in settings.python),
            path_map.shown(settings.script),
            len(settings.argv),
            "" if len(settings.argv) == 1 else "s",
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
    log(f"Python {platform.python_version()}")
    forwarder = SignalForwarder()
    forwarder.install()
    path_map = PathMap()
    try:
        path_map = PathMap.parse(environ.get(PATH_MAP))
        settings, env = setup(argv, environ, forwarder, path_map)
        code = run_script(settings, env, forwarder, path_map)
    except SetupError as error:
        report_failure(str(error), path_map, environ)
        return error.exit_code
    except Exception as error:  # noqa: BLE001 - a bug here must still leave a reason
        traceback.print_exc()
        report_failure(f"bootstrap error: {type(error).__name__}: {error}", path_map, environ)
        return EXIT_SETUP_FAILED
    finally:
        forwarder.restore()
    if code != 0:
        report_failure(f"script exited with code {code}", path_map, environ)
    return code


if __name__ == "__main__":
    sys.exit(main())
