"""The job command line, log tailing and job references against moto (SageMaker, Logs) and
SeaweedFS (S3), over HTTP through the endpoints `aws_env` sets."""

from __future__ import annotations

import contextlib
import io
import json
import re
import time

import pytest

from aws_sagemaker_remote import __version__, cli
from aws_sagemaker_remote.backends import get_backend
from aws_sagemaker_remote.backends.aws import AwsBackend
from aws_sagemaker_remote.cli import jobs as jobcli
from aws_sagemaker_remote.errors import UsageError
from aws_sagemaker_remote.follow.logtail import LogTailer
from aws_sagemaker_remote.kinds import PROCESSING
from aws_sagemaker_remote.kinds.processing import LOG_GROUP
from aws_sagemaker_remote.pipeline.jobref import resolve_job_reference

pytestmark = pytest.mark.usefixtures("aws_env")

GROUP = "/aws/sagemaker/ProcessingJobs"
ROLE = "arn:aws:iam::123456789012:role/x"
JOB = "demo-2024-01-02-03-04-05-678"
RESOURCES = {
    "ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.t3.medium", "VolumeSizeInGB": 30}
}


@pytest.fixture
def sagemaker():
    import boto3

    return boto3.session.Session().client("sagemaker")


@pytest.fixture
def logs():
    import boto3

    return boto3.session.Session().client("logs")


@pytest.fixture
def backend():
    return get_backend("aws")


def job_request(name, bucket="b", outputs=("output",)):
    return {
        "ProcessingJobName": name,
        "RoleArn": ROLE,
        "AppSpecification": {
            "ImageUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/img:1",
            "ContainerEntrypoint": ["python3", "/opt/ml/processing/code/script/s.py"],
            "ContainerArguments": ["--x", "1"],
        },
        "ProcessingResources": RESOURCES,
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        "ProcessingInputs": [
            {
                "InputName": "code-script",
                "S3Input": {
                    "S3Uri": f"s3://{bucket}/p/code/script-0123456789abcdef/s.py",
                    "LocalPath": "/opt/ml/processing/code/script",
                    "S3DataType": "S3Prefix",
                    "S3InputMode": "File",
                },
            }
        ],
        "ProcessingOutputConfig": {
            "Outputs": [
                {
                    "OutputName": out,
                    "S3Output": {
                        "S3Uri": f"s3://{bucket}/p/{name}/{out}",
                        "LocalPath": f"/opt/ml/processing/output/{out}",
                        "S3UploadMode": "EndOfJob",
                    },
                }
                for out in outputs
            ]
        },
        "Tags": [{"Key": "Source", "Value": "aws-sagemaker-remote"}],
    }


NOW_MS = int(time.time() * 1000)  # CloudWatch refuses events older than 14 days


def put_logs(logs, stream, *messages, start=0):
    with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
        logs.create_log_group(logGroupName=GROUP)
    with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
        logs.create_log_stream(logGroupName=GROUP, logStreamName=stream)
    events = [{"timestamp": NOW_MS + start + i, "message": m} for i, m in enumerate(messages)]
    logs.put_log_events(logGroupName=GROUP, logStreamName=stream, logEvents=events)


def run_cli(capsys, *argv):
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# ---------------------------------------------------------------- log tailer on moto


def test_tailer_missing_group_has_no_events(logs):
    assert LogTailer(logs, JOB, LOG_GROUP).poll() == []


def test_tailer_reads_in_order_and_never_repeats(logs):
    put_logs(logs, f"{JOB}/algo-1-1700000000", "one", "two", start=1000)
    put_logs(logs, f"{JOB}-other/algo-1-1700000000", "not mine", start=1000)
    tailer = LogTailer(logs, JOB, LOG_GROUP)
    assert [e[2] for e in tailer.poll()] == ["one", "two"]
    assert tailer.poll() == []
    put_logs(logs, f"{JOB}/algo-1-1700000000", "three", "four", start=2000)
    assert tailer.poll() == [
        ("algo-1-1700000000", NOW_MS + 2000, "three"),
        ("algo-1-1700000000", NOW_MS + 2001, "four"),
    ]
    assert tailer.poll() == []


def test_tailer_stream_created_later(logs):
    put_logs(logs, "someone-else/algo-1-1", "x")
    tailer = LogTailer(logs, JOB, LOG_GROUP)
    assert tailer.poll() == []
    put_logs(logs, f"{JOB}/algo-1-1700000000", "late")
    assert [e[2] for e in tailer.poll()] == ["late"]


def test_logs_two_streams_are_prefixed(capsys, sagemaker, logs):
    sagemaker.create_processing_job(**job_request(JOB))
    put_logs(logs, f"{JOB}/algo-1-1700000000", "hello from one", start=1000)
    put_logs(logs, f"{JOB}/algo-2-1700000000", "hello from two", start=1001)
    code, out, _ = run_cli(capsys, "processing", "logs", JOB)
    assert code == 0
    assert out.splitlines() == ["[algo-1] hello from one", "[algo-2] hello from two"]


def test_logs_one_stream_not_prefixed_and_follow_ends_with_job(capsys, sagemaker, logs):
    sagemaker.create_processing_job(**job_request(JOB))
    put_logs(logs, f"{JOB}/algo-1-1700000000", "only line")
    code, out, _ = run_cli(capsys, "processing", "logs", JOB)
    assert (code, out) == (0, "only line\n")
    code, out, _ = run_cli(capsys, "processing", "logs", JOB, "--follow")
    assert code == 0
    assert out.splitlines()[0] == "only line"
    assert f"Job {JOB} Completed." in out


# ---------------------------------------------------------------- list, describe, wait, stop


def test_list_json_and_table(capsys, sagemaker):
    for name in ("first-job", "second-job"):
        sagemaker.create_processing_job(**job_request(name))
    sagemaker.stop_processing_job(ProcessingJobName="second-job")
    code, out, _ = run_cli(capsys, "processing", "list", "--json")
    assert code == 0
    jobs = json.loads(out)
    assert {job["ProcessingJobName"] for job in jobs} == {"first-job", "second-job"}
    assert all(isinstance(job["CreationTime"], str) for job in jobs)
    code, out, _ = run_cli(capsys, "processing", "list", "--status", "Stopped")
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "STATUS", "CREATED", "DURATION"]
    assert len(lines) == 2
    assert lines[1].split()[:2] == ["second-job", "Stopped"]
    code, out, _ = run_cli(capsys, "processing", "list", "--max", "1", "--json")
    assert len(json.loads(out)) == 1


def test_list_empty(capsys):
    assert run_cli(capsys, "processing", "list")[1] == "No processing jobs.\n"


def test_describe_json_and_human(capsys, sagemaker):
    sagemaker.create_processing_job(**job_request(JOB))
    code, out, _ = run_cli(capsys, "processing", "describe", JOB, "--json")
    assert code == 0
    data = json.loads(out)
    assert data["ProcessingJobName"] == JOB
    assert data["RoleArn"] == ROLE
    assert "ResponseMetadata" not in data
    code, out, _ = run_cli(capsys, "processing", "describe", JOB)
    assert f"Name:      {JOB}" in out
    assert "Status:    Completed" in out
    assert f"Output output: s3://b/p/{JOB}/output" in out
    assert f"#/processing-jobs/{JOB}" in out


def test_unknown_job_is_one_line_usage_error(capsys):
    code, out, err = run_cli(capsys, "processing", "describe", "no-such-job")
    assert code == 2
    assert out == ""
    assert (
        err == "aws-sagemaker-remote: error: NAME: there is no processing job named "
        "'no-such-job' or starting with it\n"
    )


def test_stop_then_wait_exit_codes(capsys, sagemaker):
    sagemaker.create_processing_job(**job_request("done-job"))
    sagemaker.create_processing_job(**job_request(JOB))
    assert run_cli(capsys, "processing", "wait", "done-job")[0] == 0
    code, out, _ = run_cli(capsys, "processing", "stop", JOB)
    assert code == 0
    assert f"Stopping job {JOB}" in out
    status = sagemaker.describe_processing_job(ProcessingJobName=JOB)["ProcessingJobStatus"]
    assert status == "Stopped"
    code, out, _ = run_cli(capsys, "processing", "wait", JOB)
    assert code == 1
    assert f"Job {JOB} Stopped." in out


def test_stop_unknown_job(capsys):
    code, _, err = run_cli(capsys, "processing", "stop", "ghost")
    assert code == 2
    assert "ghost" in err


# ---------------------------------------------------------------- download


def test_download_each_output_to_its_folder(capsys, sagemaker, s3_client, bucket, tmp_path):
    sagemaker.create_processing_job(**job_request(JOB, bucket, outputs=("model", "report")))
    s3_client.put_object(Bucket=bucket, Key=f"p/{JOB}/model/weights.bin", Body=b"\x00\x01")
    s3_client.put_object(Bucket=bucket, Key=f"p/{JOB}/model/sub/meta.json", Body=b"{}")
    s3_client.put_object(Bucket=bucket, Key=f"p/{JOB}/report/summary.txt", Body=b"ok\n")
    target = tmp_path / "dl"
    code, out, _ = run_cli(capsys, "processing", "download", JOB, "--output", str(target))
    assert code == 0
    assert (target / "model" / "weights.bin").read_bytes() == b"\x00\x01"
    assert (target / "model" / "sub" / "meta.json").read_bytes() == b"{}"
    assert (target / "report" / "summary.txt").read_text() == "ok\n"
    assert "Downloaded output model" in out


# ---------------------------------------------------------------- rerun


class FullDescribe(AwsBackend):
    """moto does not keep ProcessingResources/Environment: put back what the request had."""

    def __init__(self, session, extra):
        super().__init__(session)
        self.extra = extra

    def describe_job(self, kind, name):
        description = super().describe_job(kind, name)
        for key, value in self.extra.get(name, {}).items():
            description.setdefault(key, value)
        return description


def test_rerun_repeats_request_under_new_name(sagemaker):
    import boto3

    sagemaker.create_processing_job(**job_request(JOB))
    backend = FullDescribe(boto3.session.Session(), {JOB: {"ProcessingResources": RESOURCES}})
    out = io.StringIO()
    code = jobcli.main(
        ["rerun", JOB], out=out, backend=backend, sleep=lambda s: None, kind=PROCESSING
    )
    assert code == 0
    names = [
        j["ProcessingJobName"]
        for j in sagemaker.list_processing_jobs()["ProcessingJobSummaries"]
        if j["ProcessingJobName"] != JOB
    ]
    assert len(names) == 1
    new = names[0]
    assert re.fullmatch(r"demo-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-\d{3}-[a-z0-9]{5}", new)
    assert new != JOB
    old = sagemaker.describe_processing_job(ProcessingJobName=JOB)
    again = sagemaker.describe_processing_job(ProcessingJobName=new)
    for key in ("AppSpecification", "ProcessingInputs", "RoleArn", "StoppingCondition"):
        assert again[key] == old[key]
    [output] = again["ProcessingOutputConfig"]["Outputs"]
    assert output["S3Output"]["S3Uri"] == f"s3://b/p/{new}/output"
    tags = sagemaker.list_tags(ResourceArn=again["ProcessingJobArn"])["Tags"]
    assert {"Key": "Source", "Value": "aws-sagemaker-remote"} in tags
    assert {"Key": "RerunOf", "Value": JOB} in tags
    text = out.getvalue()
    assert f"Rerunning {JOB} as {new}." in text
    assert f"Job {new} Completed." in text


def test_rerun_without_resources_in_description_is_usage_error(capsys, sagemaker):
    sagemaker.create_processing_job(**job_request(JOB))
    code, _, err = run_cli(capsys, "processing", "rerun", JOB)
    assert code == 2
    assert "ProcessingResources" in err


# ---------------------------------------------------------------- job references, version


def test_job_reference_resolves_to_output_uri(sagemaker, backend):
    sagemaker.create_processing_job(**job_request(JOB, outputs=("output", "stats")))
    assert resolve_job_reference(backend, f"job:{JOB}/stats") == f"s3://b/p/{JOB}/stats"
    assert resolve_job_reference(backend, "s3://x/y") == "s3://x/y"


def test_job_reference_single_output_may_be_omitted(sagemaker, backend):
    sagemaker.create_processing_job(**job_request(JOB))
    assert resolve_job_reference(backend, f"job:{JOB}") == f"s3://b/p/{JOB}/output"


def test_job_reference_errors(sagemaker, backend):
    sagemaker.create_processing_job(**job_request(JOB, outputs=("output", "stats")))
    with pytest.raises(UsageError, match=r"has no output 'nope'; its outputs: output, stats"):
        resolve_job_reference(backend, f"job:{JOB}/nope")
    with pytest.raises(UsageError, match=r"job:ghost/output.*no processing or training job named"):
        resolve_job_reference(backend, "job:ghost/output")


def training_request(name: str) -> dict:
    return {
        "TrainingJobName": name,
        "AlgorithmSpecification": {"TrainingImage": "img:1", "TrainingInputMode": "File"},
        "RoleArn": ROLE,
        "OutputDataConfig": {"S3OutputPath": "s3://b/models"},
        "ResourceConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 30},
        "StoppingCondition": {"MaxRuntimeInSeconds": 60},
    }


def test_job_reference_names_a_training_jobs_archives(sagemaker, backend):
    sagemaker.create_training_job(**training_request("trained"))
    model = resolve_job_reference(backend, "job:trained/model")
    assert model.startswith("s3://b/models/trained/")
    assert model.endswith("/model.tar.gz")
    assert resolve_job_reference(backend, "job:trained/output").endswith("/output.tar.gz")
    with pytest.raises(UsageError, match=r"its outputs: model, output"):
        resolve_job_reference(backend, "job:trained/stats")


def test_job_reference_to_a_name_both_kinds_use_is_refused(sagemaker, backend):
    sagemaker.create_processing_job(**job_request(JOB))
    sagemaker.create_training_job(**training_request(JOB))
    with pytest.raises(UsageError, match=r"both a processing and a training job are named"):
        resolve_job_reference(backend, f"job:{JOB}/output")


def test_version(capsys):
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out == f"aws-sagemaker-remote {__version__}\n"
