"""An emulated job's Python environment (issue 17, issue 23 point 7): the image's, isolated from
the caller's, built once per contents and shared, and clean for every job; the caller's only on
request. Requests are shaped like the planner's; the real bootstrap runs where it matters."""

from __future__ import annotations

import importlib.util
import json
import sys
import threading
from pathlib import Path

import pytest
from emulator_support import (
    OUTPUT,
    PROBE_PACKAGE,
    REQ_DIR,
    get,
    make_request,
    probe_wheel,
    put,
    runner_log,
    s3_input,
    s3_output,
    submit,
    submit_with_bootstrap,
    wait,
)

from aws_sagemaker_remote.backends.local import LocalBackend
from aws_sagemaker_remote.backends.local.handoff import Emulation
from aws_sagemaker_remote.kinds import PROCESSING

REPORT_SCRIPT = f"""
import json, os, sys
report = {{"prefix": sys.prefix, "executable": sys.executable, "path": sys.path,
          "version": list(sys.version_info[:3])}}
try:
    import {PROBE_PACKAGE}
    report["probe"] = {PROBE_PACKAGE}.VALUE
    report["probe_file"] = {PROBE_PACKAGE}.__file__
except ImportError:
    report["probe"] = None
try:
    import leak_probe
    report["leak"] = leak_probe.__file__
except ImportError:
    report["leak"] = None
try:
    import boto3
    report["boto3"] = boto3.__file__
except ImportError as error:
    report["boto3"] = type(error).__name__
open(os.path.join(sys.argv[1], "report.json"), "w").write(json.dumps(report))
"""


def job_log(backend, name, kind=PROCESSING):
    """The job's log lines (its first instance's)."""
    streams = backend.logs.describe_log_streams(
        logGroupName=kind.log_group, logStreamNamePrefix=f"{name}/"
    )["logStreams"]
    events = backend.logs.get_log_events(
        logGroupName=kind.log_group,
        logStreamName=streams[0]["logStreamName"],
        startFromHead=True,
    )["events"]
    return "\n".join(event["message"] for event in events)


def with_requirements(backend, s3_client, bucket, name, requirements, script=REPORT_SCRIPT,
                      **kwargs):  # fmt: skip
    put(s3_client, bucket, f"{name}/requirements/requirements.txt", requirements)
    submit_with_bootstrap(
        backend,
        s3_client,
        bucket,
        name,
        script,
        arguments=[OUTPUT],
        inputs=[s3_input("code-requirements", f"s3://{bucket}/{name}/requirements", REQ_DIR)],
        outputs=[s3_output("result", f"s3://{bucket}/results/{name}", OUTPUT)],
        env={
            "AWS_SAGEMAKER_REMOTE_REQUIREMENTS": f"{REQ_DIR}/requirements.txt",
            **kwargs.pop("env", {}),
        },  # fmt: skip
        **kwargs,
    )


def report_of(backend, s3_client, bucket, name):
    description = wait(backend, name)
    assert description["ProcessingJobStatus"] == "Completed", (
        description,
        job_log(backend, name),
        runner_log(backend, name),
    )
    return json.loads(get(s3_client, bucket, f"results/{name}/report.json"))


def caller_sites():
    return [p for p in sys.path if p.endswith("site-packages")]


def test_requirements_go_into_a_shared_cached_environment_of_no_caller_package(
    backend, s3_client, bucket, tmp_path
):
    requirements = f"--no-index\n{probe_wheel(tmp_path, value='from the job env')}\n"
    reports = []
    for name in ("req-one", "req-two"):
        with_requirements(backend, s3_client, bucket, name, requirements)
        reports.append(report_of(backend, s3_client, bucket, name))
    venvs = backend.root.parent / "venvs"
    shared = [Path(r["probe_file"]).parents[1] for r in reports]
    for name, report in zip(("req-one", "req-two"), reports):
        assert report["probe"] == "from the job env"
        assert Path(report["prefix"]) == backend.job_dir(PROCESSING, name) / "environments/algo-1"
        assert report["executable"] != sys.executable
        assert report["boto3"] == "ModuleNotFoundError"  # the caller has it; the job does not
        assert not set(caller_sites()) & set(report["path"])
    assert shared[0] == shared[1]  # cached by content: built once
    assert venvs in shared[0].parents
    assert "building the job environment" in job_log(backend, "req-one")
    assert "(cached)" in job_log(backend, "req-two")
    assert not (backend.job_dir(PROCESSING, "req-one") / "environments").exists()  # thrown away
    assert importlib.util.find_spec(PROBE_PACKAGE) is None  # the caller is unchanged


CALLER_ONLY_SCRIPT = """
import os, sys
import tabulate
open(os.path.join(sys.argv[1], "ok"), "w").write(tabulate.__file__)
"""


def test_a_package_only_the_caller_has_fails_as_on_aws_until_required(backend, s3_client, bucket):
    assert importlib.util.find_spec("tabulate") is not None  # the caller has it
    submit_with_bootstrap(
        backend,
        s3_client,
        bucket,
        "caller-only",
        CALLER_ONLY_SCRIPT,
        arguments=[OUTPUT],
        outputs=[s3_output("result", f"s3://{bucket}/results/caller-only", OUTPUT)],
    )
    description = wait(backend, "caller-only")
    assert description["ProcessingJobStatus"] == "Failed"
    assert description["FailureReason"].startswith("AlgorithmError")  # the script's exit 1
    assert description["ExitMessage"] == "ModuleNotFoundError: No module named 'tabulate'"
    # declared in the requirements (from the package index, as on AWS), it works
    with_requirements(backend, s3_client, bucket, "required", "tabulate\n", CALLER_ONLY_SCRIPT)
    assert wait(backend, "required")["ProcessingJobStatus"] == "Completed", job_log(
        backend, "required"
    )
    installed = get(s3_client, bucket, "results/required/ok").decode()
    assert str(backend.root.parent / "venvs") in installed


LEAKING_COMMAND = (
    # a pip install, a module dropped into the job's site-packages, and a write into the shared
    # environment's own files (past the job's environment): none may reach the next job
    "pip install --quiet --no-index {wheel} && "
    "python -c \"import site; open(site.getsitepackages()[0] + '/leak_probe.py', 'w')"
    ".write('')\" && "
    'python -c "import {probe}; '
    "open({probe}.__file__, 'a').write('\\nVALUE = \\'LEAK\\'\\n')\""
)


def test_each_job_starts_from_a_clean_environment(backend, s3_client, bucket, tmp_path):
    """Issue 23 point 7: job A's configuration command changes its environment every way it
    can; job B, with the same inputs, sees none of it (each SageMaker job gets a fresh
    container)."""
    requirements = f"--no-index\n{probe_wheel(tmp_path, value='clean')}\n"
    (tmp_path / "other").mkdir()
    other = probe_wheel(tmp_path / "other", name="asr_pip_installed_probe")
    command = LEAKING_COMMAND.format(wheel=other, probe=PROBE_PACKAGE)
    script = REPORT_SCRIPT + (
        "\ntry:\n    import asr_pip_installed_probe\n    report['pip'] = True\n"
        "except ImportError:\n    report['pip'] = False\n"
        "open(os.path.join(sys.argv[1], 'report.json'), 'w').write(json.dumps(report))\n"
    )
    env = {"AWS_SAGEMAKER_REMOTE_CONFIGURATION_COMMAND": command}
    with_requirements(backend, s3_client, bucket, "leak-a", requirements, script, env=env)
    first = report_of(backend, s3_client, bucket, "leak-a")
    assert first["probe"] == "LEAK"  # job A changed it all
    assert first["leak"]
    assert first["pip"]
    with_requirements(backend, s3_client, bucket, "leak-b", requirements, script)
    second = report_of(backend, s3_client, bucket, "leak-b")
    assert second["probe"] == "clean", job_log(backend, "leak-b")
    assert second["leak"] is None
    assert not second["pip"]
    assert "changed after it was built" in job_log(backend, "leak-b")


def test_concurrent_jobs_with_the_same_inputs_build_once(backend, s3_client, bucket, tmp_path):
    requirements = f"--no-index\n{probe_wheel(tmp_path, value='shared')}\n"
    names = [f"together-{i}" for i in range(3)]
    threads = [
        threading.Thread(
            target=with_requirements, args=(backend, s3_client, bucket, name, requirements)
        )
        for name in names
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    reports = [report_of(backend, s3_client, bucket, name) for name in names]
    assert len({Path(r["probe_file"]).parents[1] for r in reports}) == 1
    logs = [job_log(backend, name) for name in names]
    assert sum("building the job environment" in log for log in logs) == 1, logs


def test_the_caller_environment_on_request(aws_env, bucket, s3_client, monkeypatch):
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_STOP_GRACE", "5")
    backend = LocalBackend(emulation=Emulation("caller"))
    submit(
        backend,
        s3_client,
        bucket,
        "callers",
        REPORT_SCRIPT,
        arguments=[OUTPUT],
        outputs=[s3_output("result", f"s3://{bucket}/results/callers", OUTPUT)],
    )
    report = report_of(backend, s3_client, bucket, "callers")
    assert report["executable"] == sys.executable
    assert report["boto3"].endswith(".py")  # the caller's boto3


def test_declared_image_packages_are_the_image_s_own(aws_env, bucket, s3_client, tmp_path,
                                                      monkeypatch):  # fmt: skip
    """A user's image with its packages declared (a tiny profile): what the code imports of
    them is installed; an image without a profile gets one line saying so."""
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_STOP_GRACE", "5")
    wheel = probe_wheel(tmp_path, value="declared")
    declared = Emulation(image_packages=[f"{PROBE_PACKAGE} @ {wheel.as_uri()}"],
                         image_packages_file="image-packages.txt")  # fmt: skip
    backend = LocalBackend(emulation=declared)
    submit(backend, s3_client, bucket, "declared", REPORT_SCRIPT, arguments=[OUTPUT],
           outputs=[s3_output("result", f"s3://{bucket}/results/declared", OUTPUT)])  # fmt: skip
    report = report_of(backend, s3_client, bucket, "declared")
    assert report["probe"] == "declared"
    log = job_log(backend, "declared")
    assert "the image's asr_emulator_probe_pkg" in log
    assert "is unknown: the job runs on this machine's Python" in log
    plain = LocalBackend()
    submit(plain, s3_client, bucket, "undeclared", REPORT_SCRIPT, arguments=[OUTPUT],
           outputs=[s3_output("result", f"s3://{bucket}/results/undeclared", OUTPUT)])  # fmt: skip
    assert report_of(plain, s3_client, bucket, "undeclared")["probe"] is None
    lines = [line for line in job_log(plain, "undeclared").splitlines() if "no profile" in line]
    assert len(lines) == 1
    assert "--sagemaker-image-packages FILE" in lines[0]


SKLEARN_1_4_2 = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.4-2-cpu-py3"


def test_the_image_s_python_or_one_line_naming_both(backend, s3_client, bucket, monkeypatch,
                                                    tmp_path):  # fmt: skip
    """scikit-learn 1.4-2 runs Python 3.10: found here (pyenv, uv, PATH) it runs the job; with
    none to be found, the job runs on this Python and one line names both."""
    submit(backend, s3_client, bucket, "py310", REPORT_SCRIPT, arguments=[OUTPUT],
           outputs=[s3_output("result", f"s3://{bucket}/results/py310", OUTPUT)],
           image=SKLEARN_1_4_2)  # fmt: skip
    report = report_of(backend, s3_client, bucket, "py310")
    log = job_log(backend, "py310")
    if report["version"][:2] != [3, 10]:
        assert "runs Python 3.10, which this machine does not have" in log
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "no-pyenv"))
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    hidden = LocalBackend(root=tmp_path / "other-home" / "jobs")
    submit(hidden, s3_client, bucket, "py310-missing", REPORT_SCRIPT, arguments=[OUTPUT],
           outputs=[s3_output("result", f"s3://{bucket}/results/py310-missing", OUTPUT)],
           image=SKLEARN_1_4_2)  # fmt: skip
    report = report_of(hidden, s3_client, bucket, "py310-missing")
    if report["version"][:2] == [3, 10]:
        pytest.skip("a Python 3.10 is on /usr/bin here")
    local = ".".join(map(str, sys.version_info[:3]))
    lines = [line for line in job_log(hidden, "py310-missing").splitlines() if "3.10" in line]
    assert len(lines) == 1, lines
    assert f"the job runs on Python {local}" in lines[0]


GPU_SCRIPT = """
import os
print("SM_NUM_GPUS=" + os.environ["SM_NUM_GPUS"])
print("CUDA_VISIBLE_DEVICES=" + repr(os.environ.get("CUDA_VISIBLE_DEVICES")))
"""


def test_a_gpu_instance_type_s_gpus(backend, s3_client, bucket):
    """SM_NUM_GPUS is the instance type's (the SDK's table: ml.g5.xlarge has 1), and one line
    says when this machine has fewer."""
    from training_emulator_support import submit_training, wait_training

    from aws_sagemaker_remote.container.gpus import gpu_count
    from aws_sagemaker_remote.kinds import TRAINING

    submit_training(backend, s3_client, bucket, "on-a-gpu", GPU_SCRIPT,
                    instance_type="ml.g5.xlarge")  # fmt: skip
    assert wait_training(backend, "on-a-gpu")["TrainingJobStatus"] == "Completed"
    log = job_log(backend, "on-a-gpu", TRAINING)
    assert "SM_NUM_GPUS=1" in log
    warnings = [line for line in log.splitlines() if "this machine has" in line]
    if gpu_count() == 0:
        assert warnings == [
            "[local emulator] warning: ml.g5.xlarge has 1 GPU and this machine has none: the "
            "job runs on what is here (the CPU), with the CPU build of the image's packages"
        ]
    else:
        assert not warnings


def test_a_rerun_keeps_the_first_run_s_emulation(aws_env, bucket, s3_client, monkeypatch):
    """`processing rerun` (a backend made without settings) runs the job as the first run was:
    its RerunOf tag names it."""
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_STOP_GRACE", "5")
    first = LocalBackend(emulation=Emulation("caller"))
    submit(first, s3_client, bucket, "first-run", "print('hi')\n")
    wait(first, "first-run")
    again = LocalBackend()
    request = make_request("first-run-again", bucket)
    request["Tags"] = [{"Key": "RerunOf", "Value": "first-run"}]
    put(s3_client, bucket, "first-run-again/code/script.py", "print('hi')\n")
    again.create_job(PROCESSING, request)
    wait(again, "first-run-again")
    copied = Emulation.read(again.job_dir(PROCESSING, "first-run-again"))
    assert copied.environment == "caller"
