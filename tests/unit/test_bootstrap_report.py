"""What the bootstrap leaves for ExitMessage and the logs: the script's exception, the failed step,
short lines with container paths, quiet pip, one ordered stream (issue 8 point 3, issue 11 point 4).

SageMaker Processing publishes /opt/ml/output/message as ExitMessage: "the first 1 KB ... If the
data in this file isn't UTF-8 encoded, the job fails" (SageMaker Developer Guide, "Save and Access
Metadata Information About Your Processing Job", byoc-metadata.html).
"""

import subprocess
import sys
from pathlib import Path

import pytest
from bootstrap_support import BOOTSTRAP, SCRIPT_PATH, base_env, container_path, failure, run

from aws_sagemaker_remote import contract
from aws_sagemaker_remote.container import bootstrap
from aws_sagemaker_remote.container.run_script import (
    MAX_MESSAGE_BYTES,
    exception_reason,
    utf8_bounded,
)
from aws_sagemaker_remote.kinds import PROCESSING


def with_script(ml: Path, source: str) -> None:
    container_path(ml, SCRIPT_PATH).write_text(source, encoding="utf-8")
    (ml / "output").mkdir(exist_ok=True)  # SageMaker and the emulator provide it


def test_message_file_is_the_contract_one() -> None:
    assert PROCESSING.message_file == bootstrap.MESSAGE_FILE
    assert MAX_MESSAGE_BYTES == contract.MAX_MESSAGE_BYTES


def test_uncaught_exception_type_and_message_become_the_message(ml: Path) -> None:
    with_script(ml, "def go():\n    raise ValueError('the widget is broken')\ngo()\n")
    result = run(ml)
    assert result.returncode == 1
    assert failure(ml) == "ValueError: the widget is broken"
    assert result.stderr.count("Traceback (most recent call last)") == 1
    assert result.stderr.count("ValueError: the widget is broken") == 1
    assert "run_script.py" not in result.stderr
    assert "runpy" not in result.stderr
    assert 'script.py", line 3, in <module>' in result.stderr
    assert 'script.py", line 2, in go' in result.stderr
    assert not (ml / "output" / "failure").exists()


def test_exception_of_a_module_is_named_with_its_module(ml: Path) -> None:
    with_script(ml, "import json\njson.loads('{')\n")
    result = run(ml)
    assert result.returncode == 1
    assert failure(ml).startswith("json.decoder.JSONDecodeError: Expecting property name")


def test_syntax_error_is_reported(ml: Path) -> None:
    with_script(ml, "print('unclosed'\n")
    result = run(ml)
    assert result.returncode == 1
    assert failure(ml).startswith("SyntaxError: ")
    assert "SyntaxError" in result.stderr


@pytest.mark.parametrize(
    "ending",
    ["import sys\nsys.exit('giving up: no data')\n", "raise SystemExit('giving up: no data')\n"],
)
def test_an_exit_message_becomes_the_message(ml: Path, ending: str) -> None:
    """Python prints the message of sys.exit("...") and exits 1; the message is the job's
    reason, as an exception's text is (issue 18 point 6)."""
    with_script(ml, "print('working')\n" + ending)
    result = run(ml)
    assert result.returncode == 1
    assert result.stderr.count("giving up: no data") == 1  # printed by Python, as it does
    assert "Traceback" not in result.stderr
    assert failure(ml) == "giving up: no data"


@pytest.mark.parametrize(
    ("ending", "code"),
    [("sys.exit(3)", 3), ("sys.exit(True)", 1), ("raise SystemExit(4)", 4)],
)
def test_an_exit_code_keeps_python_semantics(ml: Path, ending: str, code: int) -> None:
    with_script(ml, f"import sys\n{ending}\n")
    result = run(ml)
    assert result.returncode == code
    assert "Traceback" not in result.stderr
    assert failure(ml) == f"script exited with code {code}"


@pytest.mark.parametrize("ending", ["sys.exit()", "sys.exit(None)", "sys.exit(0)"])
def test_a_clean_exit_leaves_no_message(ml: Path, ending: str) -> None:
    with_script(ml, f"import sys\n{ending}\n")
    assert run(ml).returncode == 0
    assert not (ml / "output" / "message").exists()


def test_an_empty_exit_message_is_the_exit_code(ml: Path) -> None:
    with_script(ml, "import sys\nsys.exit('')\n")
    assert run(ml).returncode == 1
    assert failure(ml) == "script exited with code 1"


def test_message_written_by_the_script_is_kept(ml: Path) -> None:
    message = container_path(ml, "/opt/ml/output/message")
    with_script(
        ml,
        f"open({str(message)!r}, 'w').write('my own words')\nraise RuntimeError('after')\n",
    )
    assert run(ml).returncode == 1
    assert failure(ml) == "my own words"


def test_message_of_a_successful_script_is_kept(ml: Path) -> None:
    message = container_path(ml, "/opt/ml/output/message")
    with_script(ml, f"open({str(message)!r}, 'w').write('42 rows')\n")
    assert run(ml).returncode == 0
    assert failure(ml) == "42 rows"


def test_message_is_valid_utf8_and_at_most_1_kib(ml: Path) -> None:
    with_script(ml, "raise RuntimeError('\\udcff' + 'é' * 2000)\n")
    assert run(ml).returncode == 1
    data = container_path(ml, "/opt/ml/output/message").read_bytes()
    assert len(data) <= 1024
    text = data.decode("utf-8")  # strict: AWS fails the job on anything else
    assert text.startswith("RuntimeError: \\udcffé")


def test_script_sees_what_python_script_py_gives(ml: Path) -> None:
    (container_path(ml, SCRIPT_PATH).parent / "sibling.py").write_text("VALUE = 'next door'\n")
    with_script(
        ml,
        "import json, os, sys, sibling\n"
        "json.dump({'name': __name__, 'argv0': sys.argv[0], 'file': __file__,\n"
        "           'path0': sys.path[0], 'sibling': sibling.VALUE,\n"
        "           'main_file': sys.modules['__main__'].__file__},\n"
        "          open(os.environ['TEST_RECORD_FILE'], 'w'))\n",
    )
    result = run(ml, ["a"])
    assert result.returncode == 0, result.stderr
    import json

    seen = json.loads((ml / "record.json").read_text())
    script = str(container_path(ml, SCRIPT_PATH))
    assert seen["name"] == "__main__"
    assert seen["argv0"] == seen["file"] == seen["main_file"] == script
    assert seen["path0"] == str(Path(script).parent)
    assert seen["sibling"] == "next door"


def test_log_lines_are_few_short_and_name_container_paths(ml: Path) -> None:
    result = run(ml, ["x"])
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == f"aws-sagemaker-remote: Python {sys.version.split()[0]}"
    assert len(lines) == 2
    assert lines[1].endswith(f" {SCRIPT_PATH} (1 argument)")
    assert str(ml) not in result.stderr


def test_pip_is_quiet_when_it_succeeds(ml: Path) -> None:
    requirements = ml / "requirements.txt"
    requirements.write_text("--no-index\npip\n")  # already there: "Requirement already satisfied"
    result = run(ml, AWS_SAGEMAKER_REMOTE_REQUIREMENTS="/opt/ml/requirements.txt")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "Requirement already satisfied" not in result.stderr


def test_pip_error_is_shown_when_it_fails(ml: Path) -> None:
    requirements = ml / "requirements.txt"
    requirements.write_text("--no-index\npip\nnonexistent-package-xyz==1.0\n")
    result = run(ml, AWS_SAGEMAKER_REMOTE_REQUIREMENTS="/opt/ml/requirements.txt")
    assert result.returncode == 1
    assert "ERROR: No matching distribution found for nonexistent-package-xyz" in result.stdout
    assert "Requirement already satisfied" not in result.stdout
    assert failure(ml) == "requirements: pip could not install 'nonexistent-package-xyz==1.0'"


def test_configuration_output_keeps_its_order(ml: Path) -> None:
    """stdout and stderr of a step share the job's log: what Python prints there must not wait
    in a buffer until the step ends."""
    command = (
        "echo shell-out-1; echo shell-err-1 >&2; "
        f"{sys.executable} -c \"import sys; print('py-out'); print('py-err', file=sys.stderr)\"; "
        "echo shell-out-2"
    )
    env = base_env(ml)
    env["AWS_SAGEMAKER_REMOTE_CONFIGURATION_COMMAND"] = command
    result = subprocess.run(
        [sys.executable, str(BOOTSTRAP)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # one stream, as the emulator and CloudWatch see it
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout
    seen = [line for line in result.stdout.splitlines() if not line.startswith("aws-sagemaker")]
    assert seen == ["shell-out-1", "shell-err-1", "py-out", "py-err", "shell-out-2"]


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (ValueError("x"), "ValueError: x"),
        (KeyError("k"), "KeyError: 'k'"),
        (RuntimeError(), "RuntimeError"),
        (subprocess.CalledProcessError(2, "ls"), "subprocess.CalledProcessError: "),
    ],
)
def test_exception_reason(error: BaseException, reason: str) -> None:
    assert exception_reason(error).startswith(reason)


def test_utf8_bounded_never_splits_a_character() -> None:
    data = utf8_bounded("€" * 400)
    assert len(data) == 1023
    assert data.decode("utf-8") == "€" * 341
