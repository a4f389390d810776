"""The dockerless emulator backend, end to end: real S3 (SeaweedFS), real detached runners."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import textwrap
import time
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from aws_sagemaker_remote.backends.local import LocalBackend
from aws_sagemaker_remote.contract import PROCESSING_LOG_GROUP as LOG_GROUP

CODE = "/opt/ml/processing/input/code"
INPUT = "/opt/ml/processing/input/data"
OUTPUT = "/opt/ml/processing/output/result"
SAFETY_TIMEOUT = 120  # only bounds a hung test; nothing asserts on time
TERMINAL = ("Completed", "Failed", "Stopped")
PROBE_PACKAGE = "asr_emulator_probe_pkg"
REQ_DIR = "/opt/ml/processing/code/requirements"

COPY_SCRIPT = """
import shutil, sys
shutil.copytree(sys.argv[1], sys.argv[2], dirs_exist_ok=True)
print("copied", sys.argv[1], "->", sys.argv[2])
"""


# ---------------------------------------------------------------------- helpers


@pytest.fixture
def backend(aws_env, bucket, monkeypatch):
    """Depends on `bucket` so that leftover jobs are stopped before the bucket is deleted."""
    monkeypatch.setenv("AWS_SAGEMAKER_REMOTE_STOP_GRACE", "5")
    backend = LocalBackend()
    yield backend
    _stop_leftovers(backend)


def _stop_leftovers(backend):
    for summary in backend.list_processing_jobs(MaxResults=100)["ProcessingJobSummaries"]:
        if summary["ProcessingJobStatus"] == "InProgress":
            backend.stop_processing_job(ProcessingJobName=summary["ProcessingJobName"])
            wait(backend, summary["ProcessingJobName"])


def put(s3_client, bucket, key, body):
    s3_client.put_object(
        Bucket=bucket, Key=key, Body=body.encode() if isinstance(body, str) else body
    )


def get(s3_client, bucket, key):
    return s3_client.get_object(Bucket=bucket, Key=key)["Body"].read()


def keys(s3_client, bucket, prefix):
    pages = s3_client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return sorted(obj["Key"] for page in pages for obj in page.get("Contents", ()))


def s3_input(name, uri, local_path, distribution="FullyReplicated"):
    return {
        "InputName": name,
        "S3Input": {
            "S3Uri": uri,
            "LocalPath": local_path,
            "S3DataType": "S3Prefix",
            "S3InputMode": "File",
            "S3DataDistributionType": distribution,
        },
    }


def s3_output(name, uri, local_path, mode="EndOfJob"):
    return {
        "OutputName": name,
        "S3Output": {"S3Uri": uri, "LocalPath": local_path, "S3UploadMode": mode},
    }


def make_request(
    name,
    bucket,
    *,
    arguments=(),
    inputs=(),
    outputs=(),
    count=1,
    env=None,
    max_runtime=600,
    entrypoint=("python3", f"{CODE}/script.py"),
):
    request = {
        "ProcessingJobName": name,
        "ProcessingResources": {
            "ClusterConfig": {
                "InstanceCount": count,
                "InstanceType": "ml.t3.medium",
                "VolumeSizeInGB": 30,
            }
        },
        "StoppingCondition": {"MaxRuntimeInSeconds": max_runtime},
        "AppSpecification": {
            "ImageUri": "000000000000.dkr.ecr.us-east-1.amazonaws.com/emulated:latest",
            "ContainerEntrypoint": list(entrypoint),
        },
        "RoleArn": "arn:aws:iam::000000000000:role/emulated",
        "ProcessingInputs": [s3_input("code", f"s3://{bucket}/{name}/code", CODE), *inputs],
    }
    if arguments:
        request["AppSpecification"]["ContainerArguments"] = list(arguments)
    if outputs:
        request["ProcessingOutputConfig"] = {"Outputs": list(outputs)}
    if env:
        request["Environment"] = dict(env)
    return request


def submit(backend, s3_client, bucket, name, script, **kwargs):
    put(s3_client, bucket, f"{name}/code/script.py", textwrap.dedent(script))
    request = make_request(name, bucket, **kwargs)
    return backend.create_processing_job(**request)


def wait(backend, name, statuses=TERMINAL):
    deadline = time.monotonic() + SAFETY_TIMEOUT
    while time.monotonic() < deadline:
        description = backend.describe_processing_job(ProcessingJobName=name)
        if description["ProcessingJobStatus"] in statuses:
            return description
        time.sleep(0.1)
    pytest.fail(f"job {name} did not reach {statuses}; runner log:\n{runner_log(backend, name)}")


def wait_for_file(backend, name, path):
    deadline = time.monotonic() + SAFETY_TIMEOUT
    while not path.exists():
        description = backend.describe_processing_job(ProcessingJobName=name)
        assert description["ProcessingJobStatus"] == "InProgress", description
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def runner_log(backend, name):
    path = backend.job_dir(name) / "runner.log"
    return path.read_text() if path.exists() else "(none)"


def instance_path(backend, name, container_path, host="algo-1"):
    return backend.job_dir(name) / "instances" / host / container_path.lstrip("/")


def all_events(backend, stream):
    response = backend.logs.get_log_events(
        logGroupName=LOG_GROUP, logStreamName=stream, startFromHead=True
    )
    return [event["message"] for event in response["events"]]


# ---------------------------------------------------------------------- validation


def test_invalid_request_raises_the_same_param_validation_error_as_boto3(backend, bucket):
    import boto3
    from botocore.exceptions import ParamValidationError

    request = make_request("invalid", bucket)
    del request["RoleArn"]
    request["ProcessingResources"]["ClusterConfig"]["InstanceCount"] = "2"
    with pytest.raises(ParamValidationError) as emulated:
        backend.create_processing_job(**request)
    real = boto3.client("sagemaker", region_name="us-east-1")
    with pytest.raises(ParamValidationError) as genuine:  # raised before anything is sent
        real.create_processing_job(**request)
    assert str(emulated.value) == str(genuine.value)
    assert "RoleArn" in str(emulated.value)
    assert not backend.job_dir("invalid").exists()


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
    "change, words",
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
        backend.create_processing_job(**request)
    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert words in str(error.value)
    assert backend.list_processing_jobs()["ProcessingJobSummaries"] == []


def test_unknown_and_duplicate_jobs_are_validation_errors(backend, s3_client, bucket):
    from botocore.exceptions import ClientError

    for call in (backend.describe_processing_job, backend.stop_processing_job):
        with pytest.raises(ClientError) as error:
            call(ProcessingJobName="no-such-job")
        assert error.value.response["Error"]["Code"] == "ValidationException"
        assert "Could not find requested job with name no-such-job" in str(error.value)
    submit(backend, s3_client, bucket, "dup", "print('hi')")
    with pytest.raises(ClientError) as error:
        backend.create_processing_job(**make_request("dup", bucket))
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
    root = str(backend.job_dir("remap") / "instances" / "algo-1")
    assert report["argv"] == [root + OUTPUT, f"--flag={root}{CODE}/script.py", root + "/opt/ml"]
    assert report["env"] == f"{root}{CODE}:/usr/lib:{root}/opt/ml/processing/x"
    assert report["plain"] == "/opt/mlx"
    assert report["path_map"] == f"/opt/ml={root}/opt/ml"
    assert report["executable"] == sys.executable  # `python3` became this interpreter


def test_failing_script_fails_the_job_with_a_reason(backend, s3_client, bucket):
    script = """
    import sys
    print("about to fail")
    sys.exit(3)
    """
    submit(backend, s3_client, bucket, "fails", script)
    description = wait(backend, "fails")
    assert description["ProcessingJobStatus"] == "Failed"
    assert description["FailureReason"] == "AlgorithmError: exit code 3"
    assert "about to fail" in description["ExitMessage"]


def test_failure_file_becomes_the_failure_reason(backend, s3_client, bucket):
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
    assert description["FailureReason"] == "AlgorithmError: could not frobnicate the widget"


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


SUPPORT = "/opt/ml/processing/code/support"
BOOTSTRAP = f"{SUPPORT}/aws_sagemaker_remote/container/bootstrap.py"


def submit_with_bootstrap(backend, s3_client, bucket, name, script, *, env=None, inputs=(), **kw):
    """A job shaped like the planner's: the real bootstrap runs the script."""
    import aws_sagemaker_remote

    put(s3_client, bucket, f"{name}/code/script.py", textwrap.dedent(script))
    package = Path(aws_sagemaker_remote.__file__).parent
    for source in [package / "__init__.py", *sorted((package / "container").glob("*.py"))]:
        key = f"{name}/support/{source.relative_to(package.parent).as_posix()}"
        put(s3_client, bucket, key, source.read_bytes())
    request = make_request(
        name,
        bucket,
        entrypoint=["python3", BOOTSTRAP],
        inputs=[s3_input("code-support", f"s3://{bucket}/{name}/support", SUPPORT), *inputs],
        env={
            "AWS_SAGEMAKER_REMOTE_SCRIPT": f"{CODE}/script.py",
            "AWS_SAGEMAKER_REMOTE_PYTHON": "python3",
            "AWS_SAGEMAKER_REMOTE_PYTHONPATH": SUPPORT,
            **(env or {}),
        },
        **kw,
    )
    return backend.create_processing_job(**request)


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
    assert description["FailureReason"] == "AlgorithmError: script exited with code 4"


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
    backend.stop_processing_job(ProcessingJobName="stop-me")
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
        backend.stop_processing_job(ProcessingJobName="stop-me")


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
    backend.stop_processing_job(ProcessingJobName="stubborn")
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
    os.kill(int((backend.job_dir("orphan") / "runner.pid").read_text()), signal.SIGKILL)
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
    assert "MaxRuntimeInSeconds" in description["ExitMessage"]


def test_job_survives_the_process_that_created_it(backend, s3_client, bucket):
    name = "detached"
    put(s3_client, bucket, f"{name}/code/script.py", "import time; time.sleep(1); print('done')\n")
    request = json.dumps(make_request(name, bucket))
    creator = textwrap.dedent(
        f"""
        import json, os
        from aws_sagemaker_remote.backends.local import LocalBackend
        LocalBackend().create_processing_job(**json.loads({request!r}))
        os._exit(0)
        """
    )
    subprocess.run([sys.executable, "-c", creator], check=True)
    assert wait(backend, name)["ProcessingJobStatus"] == "Completed"


# ---------------------------------------------------------------------- several instances


SEEN_SCRIPT = """
import os, sys
data, out = sys.argv[1], sys.argv[2]
names = sorted(os.listdir(data))
open(os.path.join(out, os.environ["HOST_FILE_PREFIX"] + "-" + str(len(names)) + "-"
     + str(os.getpid())), "w").write("\\n".join(names))
"""


def _seen_by_instance(backend, s3_client, bucket, name, distribution):
    for n in range(10):
        put(s3_client, bucket, f"{name}-data/part-{n:02d}.txt", f"row {n}")
    inputs = [s3_input("data", f"s3://{bucket}/{name}-data", INPUT, distribution)]
    outputs = [s3_output("result", f"s3://{bucket}/results/{name}", OUTPUT)]
    submit(
        backend,
        s3_client,
        bucket,
        name,
        SEEN_SCRIPT,
        count=3,
        arguments=[INPUT, OUTPUT],
        inputs=inputs,
        outputs=outputs,
        env={"HOST_FILE_PREFIX": "seen"},
    )
    assert wait(backend, name)["ProcessingJobStatus"] == "Completed"
    result_keys = keys(s3_client, bucket, f"results/{name}/")
    assert len(result_keys) == 3  # every instance's files went to the same S3Uri
    return [get(s3_client, bucket, key).decode().split("\n") for key in result_keys]


def test_sharded_input_gives_each_object_to_exactly_one_instance(backend, s3_client, bucket):
    seen = _seen_by_instance(backend, s3_client, bucket, "sharded", "ShardedByS3Key")
    everything = [name for names in seen for name in names]
    assert sorted(everything) == [f"part-{n:02d}.txt" for n in range(10)]  # no overlap, all
    assert sorted(len(names) for names in seen) == [3, 3, 4]
    # Deterministic: instance i gets sorted keys i-1, i-1+N, ...
    algo2 = instance_path(backend, "sharded", INPUT, host="algo-2")
    assert sorted(p.name for p in algo2.iterdir()) == ["part-01.txt", "part-04.txt", "part-07.txt"]


def test_fully_replicated_input_gives_each_instance_everything(backend, s3_client, bucket):
    seen = _seen_by_instance(backend, s3_client, bucket, "replicated", "FullyReplicated")
    for names in seen:
        assert names == [f"part-{n:02d}.txt" for n in range(10)]


def test_continuous_output_is_uploaded_while_the_job_runs(backend, s3_client, bucket):
    script = """
    import os, sys, time
    out, release = sys.argv[1], sys.argv[2]
    open(os.path.join(out, "early.txt"), "w").write("early")
    while not os.path.exists(release):
        time.sleep(0.05)
    open(os.path.join(out, "late.txt"), "w").write("late")
    """
    name = "continuous"
    outputs = [s3_output("result", f"s3://{bucket}/results/{name}", OUTPUT, "Continuous")]
    release = "/opt/ml/processing/release"
    submit(backend, s3_client, bucket, name, script, arguments=[OUTPUT, release], outputs=outputs)
    deadline = time.monotonic() + SAFETY_TIMEOUT
    while keys(s3_client, bucket, f"results/{name}/") != [f"results/{name}/early.txt"]:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert backend.describe_processing_job(ProcessingJobName=name)["ProcessingJobStatus"] in (
        "InProgress"
    )
    instance_path(backend, name, release).write_text("go")
    assert wait(backend, name)["ProcessingJobStatus"] == "Completed"
    assert get(s3_client, bucket, f"results/{name}/late.txt") == b"late"


# ---------------------------------------------------------------------- logs, list


def test_logs_are_readable_with_tokens(backend, s3_client, bucket):
    from botocore.exceptions import ClientError

    script = "for n in range(5):\n    print('line', n)\n"
    submit(backend, s3_client, bucket, "logged", script, count=2)
    description = wait(backend, "logged")
    assert description["ProcessingJobStatus"] == "Completed"
    streams = backend.logs.describe_log_streams(
        logGroupName=LOG_GROUP, logStreamNamePrefix="logged/"
    )["logStreams"]
    epoch = int(description["CreationTime"].timestamp())
    names = [stream["logStreamName"] for stream in streams]
    assert names == [f"logged/algo-1-{epoch}", f"logged/algo-2-{epoch}"]
    for stream in names:
        assert [m for m in all_events(backend, stream) if m.startswith("line")] == [
            f"line {n}" for n in range(5)
        ]
    # Paging forward one event at a time; at the end the same token comes back.
    token, messages = None, []
    for _ in range(100):
        kwargs = {"nextToken": token} if token else {"startFromHead": True}
        page = backend.logs.get_log_events(
            logGroupName=LOG_GROUP, logStreamName=names[0], limit=1, **kwargs
        )
        assert len(page["events"]) <= 1
        for event in page["events"]:
            assert set(event) == {"timestamp", "message", "ingestionTime"}
            messages.append(event["message"])
        if page["nextForwardToken"] == token:
            break
        token = page["nextForwardToken"]
    assert messages == all_events(backend, names[0])
    # Without startFromHead the latest events come first (as CloudWatch does).
    tail = backend.logs.get_log_events(logGroupName=LOG_GROUP, logStreamName=names[0], limit=2)
    assert [e["message"] for e in tail["events"]] == ["line 3", "line 4"]
    for kwargs in (
        {"logGroupName": LOG_GROUP, "logStreamName": "logged/algo-9-1"},
        {"logGroupName": "/aws/other", "logStreamName": names[0]},
    ):
        with pytest.raises(ClientError) as error:
            backend.logs.get_log_events(**kwargs)
        assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_list_filters_sorts_and_pages(backend, s3_client, bucket):
    submit(backend, s3_client, bucket, "list-ok", "print('ok')")
    submit(backend, s3_client, bucket, "list-bad", "raise SystemExit(2)")
    wait(backend, "list-ok")
    wait(backend, "list-bad")
    summaries = backend.list_processing_jobs(
        NameContains="list-", SortBy="Name", SortOrder="Ascending"
    )["ProcessingJobSummaries"]
    assert [s["ProcessingJobName"] for s in summaries] == ["list-bad", "list-ok"]
    assert set(summaries[0]) >= {
        "ProcessingJobName",
        "ProcessingJobArn",
        "CreationTime",
        "LastModifiedTime",
        "ProcessingEndTime",
        "ProcessingJobStatus",
        "FailureReason",
    }
    failed = backend.list_processing_jobs(StatusEquals="Failed")["ProcessingJobSummaries"]
    assert [s["ProcessingJobName"] for s in failed] == ["list-bad"]
    first = backend.list_processing_jobs(MaxResults=1)  # newest first by default
    assert [s["ProcessingJobName"] for s in first["ProcessingJobSummaries"]] == ["list-bad"]
    second = backend.list_processing_jobs(MaxResults=1, NextToken=first["NextToken"])
    assert [s["ProcessingJobName"] for s in second["ProcessingJobSummaries"]] == ["list-ok"]
    assert "NextToken" not in second


# ---------------------------------------------------------------------- requirements


def _probe_wheel(directory: Path) -> Path:
    """A tiny pure-Python wheel, so the job installs it with no index and no build step."""
    wheel = directory / f"{PROBE_PACKAGE}-0.1-py3-none-any.whl"
    info = f"{PROBE_PACKAGE}-0.1.dist-info"
    files = {
        f"{PROBE_PACKAGE}/__init__.py": "VALUE = 'from the job venv'\n",
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {PROBE_PACKAGE}\nVersion: 0.1\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    files[f"{info}/RECORD"] = "".join(f"{path},,\n" for path in [*files, f"{info}/RECORD"])
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return wheel


def test_requirements_install_into_an_isolated_cached_venv(backend, s3_client, bucket, tmp_path):
    wheel = _probe_wheel(tmp_path)
    requirements = f"--no-index\n{wheel}\n"
    script = f"""
    import json, os, subprocess, sys
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "-r",
         os.environ["AWS_SAGEMAKER_REMOTE_REQUIREMENTS"]],
        check=True,
    )
    import boto3  # the caller's packages stay visible
    import {PROBE_PACKAGE}
    report = {{"value": {PROBE_PACKAGE}.VALUE, "prefix": sys.prefix,
               "module": {PROBE_PACKAGE}.__file__}}
    open(os.path.join(sys.argv[1], "report.json"), "w").write(json.dumps(report))
    """
    reports = []
    for name in ("req-one", "req-two"):
        put(s3_client, bucket, f"{name}/requirements/requirements.txt", requirements)
        submit(
            backend,
            s3_client,
            bucket,
            name,
            script,
            arguments=[OUTPUT],
            inputs=[
                s3_input(
                    "requirements",
                    f"s3://{bucket}/{name}/requirements",
                    "/opt/ml/processing/input/requirements",
                )
            ],
            outputs=[s3_output("result", f"s3://{bucket}/results/{name}", OUTPUT)],
            env={
                "AWS_SAGEMAKER_REMOTE_REQUIREMENTS": (
                    "/opt/ml/processing/input/requirements/requirements.txt"
                )
            },
        )
        description = wait(backend, name)
        assert description["ProcessingJobStatus"] == "Completed", runner_log(backend, name)
        reports.append(json.loads(get(s3_client, bucket, f"results/{name}/report.json")))
    venvs = backend.root.parent / "venvs"
    for report in reports:
        assert report["value"] == "from the job venv"
        assert Path(report["prefix"]).parent == venvs
        assert Path(report["module"]).is_relative_to(report["prefix"])
    assert reports[0]["prefix"] == reports[1]["prefix"]  # cached by content
    assert importlib.util.find_spec(PROBE_PACKAGE) is None  # the caller is unchanged


def test_bootstrap_installs_requirements_into_the_job_venv(backend, s3_client, bucket, tmp_path):
    wheel = _probe_wheel(tmp_path)
    name = "bootstrap-req"
    put(s3_client, bucket, f"{name}/requirements/requirements.txt", f"--no-index\n{wheel}\n")
    script = f"""
    import os, sys
    import {PROBE_PACKAGE}
    open(os.path.join(sys.argv[1], "prefix"), "w").write(sys.prefix)
    """
    submit_with_bootstrap(
        backend,
        s3_client,
        bucket,
        name,
        script,
        arguments=[OUTPUT],
        inputs=[s3_input("code-requirements", f"s3://{bucket}/{name}/requirements", REQ_DIR)],
        outputs=[s3_output("result", f"s3://{bucket}/results/{name}", OUTPUT)],
        env={"AWS_SAGEMAKER_REMOTE_REQUIREMENTS": f"{REQ_DIR}/requirements.txt"},
    )
    description = wait(backend, name)
    assert description["ProcessingJobStatus"] == "Completed", description
    prefix = Path(get(s3_client, bucket, f"results/{name}/prefix").decode())
    assert prefix.parent == backend.root.parent / "venvs"
    assert importlib.util.find_spec(PROBE_PACKAGE) is None
