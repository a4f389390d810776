"""The dockerless emulator backend, end to end: real S3 (SeaweedFS), real detached runners:
validation, running a job, stopping it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from datetime import datetime

import pytest
from emulator_support import (
    CODE,
    COPY_SCRIPT,
    INPUT,
    OUTPUT,
    SAFETY_TIMEOUT,
    TERMINAL,
    get,
    instance_path,
    make_request,
    put,
    runner_log,
    s3_input,
    s3_output,
    submit,
    submit_with_bootstrap,
    wait,
    wait_for_file,
)

from aws_sagemaker_remote.kinds import PROCESSING
from aws_sagemaker_remote.kinds.processing import ALGORITHM_ERROR

# ---------------------------------------------------------------------- validation


def test_invalid_request_raises_the_same_param_validation_error_as_boto3(backend, bucket):
    import boto3
    from botocore.exceptions import ParamValidationError

    request = make_request("invalid", bucket)
    del request["RoleArn"]
    request["ProcessingResources"]["ClusterConfig"]["InstanceCount"] = "2"
    with pytest.raises(ParamValidationError) as emulated:
        backend.create_job(PROCESSING, request)
    real = boto3.client("sagemaker", region_name="us-east-1")
    with pytest.raises(ParamValidationError) as genuine:  # raised before anything is sent
        real.create_processing_job(**request)
    assert str(emulated.value) == str(genuine.value)
    assert "RoleArn" in str(emulated.value)
    assert not backend.job_dir(PROCESSING, "invalid").exists()


def _dataset_input(request):
    request["ProcessingInputs"][0] = {
        "InputName": "code",
        "DatasetDefinition": {
            "LocalPath": "/opt/ml/processing/input/ds",
            "DataDistributionType": "FullyReplicated",
        },
    }


def _local_path_outside(request):
    request["ProcessingInputs"][0]["S3Input"]["LocalPath"] = "/tmp/x"


def _bad_name(request):
    request["ProcessingJobName"] = "bad_name"


def _no_entrypoint(request):
    del request["AppSpecification"]["ContainerEntrypoint"]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (_dataset_input, "DatasetDefinition"),
        (_local_path_outside, "/opt/ml/processing/"),
        (_bad_name, "regular expression"),
        (_no_entrypoint, "ContainerEntrypoint"),
    ],
)
def test_requests_the_emulator_cannot_run_are_rejected(backend, bucket, change, words):
    from botocore.exceptions import ClientError

    request = make_request("unrunnable", bucket)
    change(request)
    with pytest.raises(ClientError) as error:
        backend.create_job(PROCESSING, request)
    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert words in str(error.value)
    assert backend.list_jobs(PROCESSING)["ProcessingJobSummaries"] == []


def test_unknown_and_duplicate_jobs_are_validation_errors(backend, s3_client, bucket):
    from botocore.exceptions import ClientError

    for call in (backend.describe_job, backend.stop_job):
        with pytest.raises(ClientError) as error:
            call(PROCESSING, "no-such-job")
        assert error.value.response["Error"]["Code"] == "ValidationException"
        assert "Could not find requested job with name no-such-job" in str(error.value)
    submit(backend, s3_client, bucket, "dup", "print('hi')")
    with pytest.raises(ClientError) as error:
        backend.create_job(PROCESSING, make_request("dup", bucket))
    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert "already exists" in str(error.value)
    wait(backend, "dup")


# ---------------------------------------------------------------------- running


def test_copy_job_completes_and_uploads_outputs(backend, s3_client, bucket):
    put(s3_client, bucket, "data/in/a.txt", "alpha")
    put(s3_client, bucket, "data/in/sub/b.bin", bytes(range(256)) * 40)
    outputs = [s3_output("result", f"s3://{bucket}/results/copy", OUTPUT)]
    inputs = [s3_input("data", f"s3://{bucket}/data/in", INPUT)]
    created = submit(
        backend,
        s3_client,
        bucket,
        "copy-job",
        COPY_SCRIPT,
        arguments=[INPUT, OUTPUT],
        inputs=inputs,
        outputs=outputs,
    )
    assert created["ProcessingJobArn"] == (
        "arn:aws:sagemaker:us-east-1:000000000000:processing-job/copy-job"
    )
    description = wait(backend, "copy-job")
    assert description["ProcessingJobStatus"] == "Completed", description
    assert get(s3_client, bucket, "results/copy/a.txt") == b"alpha"
    assert get(s3_client, bucket, "results/copy/sub/b.bin") == bytes(range(256)) * 40
    # Describe has the request fields and the status fields, times as datetimes.
    assert description["ProcessingJobName"] == "copy-job"
    assert description["ProcessingJobArn"] == created["ProcessingJobArn"]
    assert description["ProcessingInputs"][1]["S3Input"]["S3Uri"] == f"s3://{bucket}/data/in"
    assert description["ProcessingOutputConfig"] == {"Outputs": outputs}
    assert "Tags" not in description
    assert "FailureReason" not in description
    for field in ("CreationTime", "ProcessingStartTime", "ProcessingEndTime", "LastModifiedTime"):
        assert isinstance(description[field], datetime), field
    assert description["CreationTime"] <= description["ProcessingStartTime"]
    assert description["ProcessingStartTime"] <= description["ProcessingEndTime"]
    # The container layout and the config files exist under the instance directory.
    config = json.loads(
        instance_path(backend, "copy-job", "/opt/ml/config/resourceconfig.json").read_text()
    )
    assert config == {
        "current_host": "algo-1",
        "hosts": ["algo-1"],
        "network_interface_name": "eth0",
    }
    job_config = instance_path(backend, "copy-job", "/opt/ml/config/processingjobconfig.json")
    assert json.loads(job_config.read_text())["ProcessingJobName"] == "copy-job"
    # As on AWS the instance's copies of its inputs are gone once the job ended; its outputs and
    # its log stay, and the log said what was being downloaded.
    assert not instance_path(backend, "copy-job", INPUT).exists()
    assert (instance_path(backend, "copy-job", OUTPUT) / "a.txt").read_text() == "alpha"
    logged = (backend.job_dir(PROCESSING, "copy-job") / "logs" / "algo-1.jsonl").read_text()
    assert "downloading input data: 2 files, 10.0 KiB" in logged


def test_environment_and_arguments_are_remapped_into_the_instance(backend, s3_client, bucket):
    script = """
    import json, os, sys
    out = sys.argv[1]
    report = {
        "argv": sys.argv[1:],
        "env": os.environ["MY_PATHS"],
        "plain": os.environ["PLAIN"],
        "path_map": os.environ["AWS_SAGEMAKER_REMOTE_PATH_MAP"],
        "executable": sys.executable,
    }
    open(os.path.join(out, "report.json"), "w").write(json.dumps(report))
    """
    outputs = [s3_output("result", f"s3://{bucket}/results/remap", OUTPUT)]
    env = {"MY_PATHS": f"{CODE}:/usr/lib:/opt/ml/processing/x", "PLAIN": "/opt/mlx"}
    submit(
        backend,
        s3_client,
        bucket,
        "remap",
        script,
        arguments=[OUTPUT, f"--flag={CODE}/script.py", "/opt/ml"],
        outputs=outputs,
        env=env,
    )
    assert wait(backend, "remap")["ProcessingJobStatus"] == "Completed"
    report = json.loads(get(s3_client, bucket, "results/remap/report.json"))
    root = str(backend.job_dir(PROCESSING, "remap") / "instances" / "algo-1")
    assert report["argv"] == [root + OUTPUT, f"--flag={root}{CODE}/script.py", root + "/opt/ml"]
    assert report["env"] == f"{root}{CODE}:/usr/lib:{root}/opt/ml/processing/x"
    assert report["plain"] == "/opt/mlx"
    assert report["path_map"] == f"/opt/ml={root}/opt/ml"
    # `python3` became the interpreter of the instance's own job environment
    job_python = backend.job_dir(PROCESSING, "remap") / "environments" / "algo-1" / "bin" / "python"
    assert report["executable"] == str(job_python)
    assert report["executable"] != sys.executable


def test_failing_script_fails_the_job_with_a_reason(backend, s3_client, bucket):
    script = """
    import sys
    print("about to fail")
    sys.exit(3)
    """
    submit(backend, s3_client, bucket, "fails", script)
    description = wait(backend, "fails")
    assert description["ProcessingJobStatus"] == "Failed"
    assert description["FailureReason"] == ALGORITHM_ERROR
    assert "ExitMessage" not in description  # no /opt/ml/output/message was written


def test_failure_file_is_not_published(backend, s3_client, bucket):
    """/opt/ml/output/failure is the training contract; processing jobs ignore it."""
    script = """
    import sys
    open(sys.argv[1], "w").write("could not frobnicate the widget\\n")
    sys.exit(1)
    """
    submit(
        backend,
        s3_client,
        bucket,
        "fails-with-file",
        script,
        arguments=["/opt/ml/output/failure"],
    )
    description = wait(backend, "fails-with-file")
    assert description["ProcessingJobStatus"] == "Failed"
    assert description["FailureReason"] == ALGORITHM_ERROR
    assert "ExitMessage" not in description


def test_an_entrypoint_that_cannot_start_fails_the_job(backend, s3_client, bucket):
    submit(backend, s3_client, bucket, "no-cmd", "", entrypoint=["no-such-command-here"])
    description = wait(backend, "no-cmd")
    assert description["ProcessingJobStatus"] == "Failed"
    assert description["FailureReason"].startswith("AlgorithmError: cannot run the entrypoint")


def test_missing_input_fails_the_job(backend, s3_client, bucket):
    inputs = [s3_input("data", f"s3://{bucket}/nothing/here", INPUT)]
    submit(backend, s3_client, bucket, "no-input", "print('never')", inputs=inputs)
    description = wait(backend, "no-input")
    assert description["ProcessingJobStatus"] == "Failed"
    assert description["FailureReason"].startswith("ClientError: Failed to download data")
    assert "'data'" in description["FailureReason"]


def test_bootstrap_runs_the_script_with_host_information(backend, s3_client, bucket):
    script = """
    import os, sys
    out = sys.argv[1]
    open(os.path.join(out, os.environ["SM_CURRENT_HOST"]), "w").write(
        os.environ["SM_HOSTS"] + " " + os.environ["IS_SAGEMAKER"]
    )
    """
    name = "with-bootstrap"
    outputs = [s3_output("result", f"s3://{bucket}/results/{name}", OUTPUT)]
    submit_with_bootstrap(
        backend, s3_client, bucket, name, script, count=2, arguments=[OUTPUT], outputs=outputs
    )
    description = wait(backend, name)
    assert description["ProcessingJobStatus"] == "Completed", runner_log(backend, name)
    hosts = '["algo-1", "algo-2"] 1'
    assert get(s3_client, bucket, f"results/{name}/algo-1") == hosts.encode()
    assert get(s3_client, bucket, f"results/{name}/algo-2") == hosts.encode()


def test_bootstrap_failure_reason_reaches_describe(backend, s3_client, bucket):
    submit_with_bootstrap(backend, s3_client, bucket, "bootstrap-fails", "raise SystemExit(4)")
    description = wait(backend, "bootstrap-fails")
    assert description["ProcessingJobStatus"] == "Failed"
    assert description["FailureReason"] == ALGORITHM_ERROR
    assert description["ExitMessage"] == "script exited with code 4"


# ---------------------------------------------------------------------- stopping


STOPPABLE_SCRIPT = """
import os, signal, sys, time
out = sys.argv[1]
def on_term(signum, frame):
    open(os.path.join(out, "got-sigterm"), "w").write("SIGTERM")
    sys.exit(0)
signal.signal(signal.SIGTERM, on_term)
open(os.path.join(out, "started"), "w").write("yes")
while True:
    time.sleep(0.05)
"""


def test_stop_sends_sigterm_and_ends_stopped(backend, s3_client, bucket):
    outputs = [s3_output("result", f"s3://{bucket}/results/stop-me", OUTPUT)]
    submit(
        backend,
        s3_client,
        bucket,
        "stop-me",
        STOPPABLE_SCRIPT,
        arguments=[OUTPUT],
        outputs=outputs,
    )
    wait_for_file(backend, "stop-me", instance_path(backend, "stop-me", OUTPUT) / "started")
    backend.stop_job(PROCESSING, "stop-me")
    assert wait(backend, "stop-me", ("Stopping",) + TERMINAL)["ProcessingJobStatus"] in (
        "Stopping",
        "Stopped",
    )
    description = wait(backend, "stop-me")
    assert description["ProcessingJobStatus"] == "Stopped"
    marker = instance_path(backend, "stop-me", OUTPUT) / "got-sigterm"
    assert marker.read_text() == "SIGTERM"
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError):  # a finished job cannot be stopped again
        backend.stop_job(PROCESSING, "stop-me")


def test_stop_kills_a_script_that_ignores_sigterm(backend, s3_client, bucket, monkeypatch):
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_STOP_GRACE", "0.5")
    script = """
    import os, signal, sys, time
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    open(os.path.join(sys.argv[1], "started"), "w").write("yes")
    while True:
        time.sleep(0.05)
    """
    outputs = [s3_output("result", f"s3://{bucket}/results/stubborn", OUTPUT)]
    submit(backend, s3_client, bucket, "stubborn", script, arguments=[OUTPUT], outputs=outputs)
    wait_for_file(backend, "stubborn", instance_path(backend, "stubborn", OUTPUT) / "started")
    backend.stop_job(PROCESSING, "stubborn")
    assert wait(backend, "stubborn")["ProcessingJobStatus"] == "Stopped"


def test_a_killed_runner_fails_the_job_and_ends_its_script(backend, s3_client, bucket):
    import os
    import signal

    outputs = [s3_output("result", f"s3://{bucket}/results/orphan", OUTPUT)]
    submit(
        backend, s3_client, bucket, "orphan", STOPPABLE_SCRIPT, arguments=[OUTPUT], outputs=outputs
    )
    result = instance_path(backend, "orphan", OUTPUT)
    wait_for_file(backend, "orphan", result / "started")
    os.kill(int((backend.job_dir(PROCESSING, "orphan") / "runner.pid").read_text()), signal.SIGKILL)
    description = wait(backend, "orphan")
    assert description["ProcessingJobStatus"] == "Failed"
    assert description["FailureReason"].startswith("InternalServerError")
    wait_for_file_only(result / "got-sigterm")


def wait_for_file_only(path):
    deadline = time.monotonic() + SAFETY_TIMEOUT
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def test_max_runtime_stops_the_job(backend, s3_client, bucket):
    script = "import time\nwhile True:\n    time.sleep(0.05)\n"
    submit(backend, s3_client, bucket, "too-long", script, max_runtime=1)
    description = wait(backend, "too-long")
    assert description["ProcessingJobStatus"] == "Stopped"
    assert "ExitMessage" not in description  # AWS publishes only the container's message file
    assert "FailureReason" not in description


def test_job_survives_the_process_that_created_it(backend, s3_client, bucket):
    name = "detached"
    put(s3_client, bucket, f"{name}/code/script.py", "import time; time.sleep(1); print('done')\n")
    request = json.dumps(make_request(name, bucket))
    creator = textwrap.dedent(
        f"""
        import json, os
        from aws_sagemaker_remote.backends.local import LocalBackend
        from aws_sagemaker_remote.kinds import PROCESSING
        LocalBackend().create_job(PROCESSING, json.loads({request!r}))
        os._exit(0)
        """
    )
    subprocess.run([sys.executable, "-c", creator], check=True)
    assert wait(backend, name)["ProcessingJobStatus"] == "Completed"


def test_a_backslash_in_a_key_is_one_file_name_as_in_a_linux_container(backend, s3_client, bucket):
    """Issue 23 point 4: a manifest channel's `back\\slash.txt` is delivered as one file of that
    name (S3 keys may hold a backslash; a SageMaker container on Linux writes it so)."""
    put(s3_client, bucket, "bs/in/back\\slash.txt", "slash")
    manifest = [{"prefix": f"s3://{bucket}/bs/in/"}, "back\\slash.txt"]
    put(s3_client, bucket, "bs/in.manifest", json.dumps(manifest))
    channel = s3_input("data", f"s3://{bucket}/bs/in.manifest", INPUT)
    channel["S3Input"]["S3DataType"] = "ManifestFile"
    script = """
        import os, sys
        print(os.listdir(sys.argv[1]))
        sys.exit(0 if os.listdir(sys.argv[1]) == ["back\\\\slash.txt"] else 3)
    """
    submit(backend, s3_client, bucket, "backslash", script, inputs=[channel], arguments=[INPUT])
    description = wait(backend, "backslash")
    assert description["ProcessingJobStatus"] == "Completed", description.get("FailureReason")
