"""The emulator's training pieces that need no S3: metrics from log lines, secondary status
transitions, FailureReason, the instance's config files."""

import json
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from aws_sagemaker_remote.backends.local.logfile import LogWriter
from aws_sagemaker_remote.backends.local.runner.instance import instances
from aws_sagemaker_remote.backends.local.runner.training import failure_reason
from aws_sagemaker_remote.backends.local.runner.training.files import prepare
from aws_sagemaker_remote.backends.local.runner.training.metrics import MetricScanner
from aws_sagemaker_remote.backends.local.runner.training.secondary import advance
from aws_sagemaker_remote.backends.local.store import STATUS_FILE, read_json, write_json
from aws_sagemaker_remote.kinds.training import FAILURE_FILE


def test_metrics_take_the_last_number_each_regex_finds(tmp_path: Path) -> None:
    logs = [tmp_path / "algo-1.jsonl", tmp_path / "algo-2.jsonl"]
    definitions = [
        {"Name": "loss", "Regex": r"loss=(\S+)"},
        {"Name": "whole", "Regex": r"\d+\.\d+(?= units)"},
        {"Name": "absent", "Regex": r"absent=(\d+)"},
    ]
    scanner = MetricScanner(definitions, logs)
    assert not scanner.scan()  # no log file yet
    first = LogWriter(logs[0])
    first.write("loss=0.5", 1000)
    first.write("loss=nan", 2000)  # not a finite number: skipped
    first.write("[local emulator] loss=9")  # the emulator's own line
    first.write("loss=not-a-number 1.5 units", 3000)
    assert scanner.scan()
    LogWriter(logs[1]).write("loss=0.25", 4000)
    assert scanner.scan()
    assert not scanner.scan()  # nothing new
    assert scanner.final() == [
        {"MetricName": "loss", "Value": 0.25, "Timestamp": 4.0},
        {"MetricName": "whole", "Value": 1.5, "Timestamp": 3.0},
    ]


def test_transitions_end_the_previous_status_and_keep_one_entry_per_stay(tmp_path: Path) -> None:
    start = time.time()
    write_json(tmp_path / STATUS_FILE, {"SecondaryStatusTransitions": [
        {"Status": "Starting", "StartTime": start, "StatusMessage": "Starting the training job"}
    ]})  # fmt: skip
    advance(tmp_path, "Starting")
    advance(tmp_path, "Training")
    status = advance(tmp_path, "Completed", TrainingJobStatus="Completed")
    steps = status["SecondaryStatusTransitions"]
    assert [s["Status"] for s in steps] == ["Starting", "Training", "Completed"]
    assert steps[0]["StatusMessage"] == "Preparing the instances for training"
    assert steps[0]["EndTime"] == steps[1]["StartTime"]
    assert steps[2]["EndTime"] == steps[2]["StartTime"]  # a final status ends as it starts
    assert steps[1]["EndTime"] == steps[2]["StartTime"]
    assert read_json(tmp_path / STATUS_FILE) == status
    assert status["SecondaryStatus"] == "Completed"
    assert status["TrainingJobStatus"] == "Completed"


def _failed(code: int, first: int = 0):
    workers = [SimpleNamespace(poll=lambda: code), SimpleNamespace(poll=lambda: 0)]
    return SimpleNamespace(first_failed=first, workers=workers)


@pytest.mark.parametrize(("code", "shown"), [(3, 3), (-9, 137)])
def test_failure_reason_without_a_failure_file_is_the_exit_code(tmp_path, code, shown) -> None:
    hosts = instances(tmp_path, 2)
    assert failure_reason(hosts, _failed(code)) == f"AlgorithmError: Exit Code: {shown}"


def test_failure_reason_is_the_failure_file_of_the_first_failed_instance_cut(tmp_path) -> None:
    hosts = instances(tmp_path, 2)
    for host, text in zip(hosts, ["other instance", "é" * 2000]):
        path = host.path(FAILURE_FILE)
        path.parent.mkdir(parents=True)
        path.write_text(text, encoding="utf-8")
    reason = failure_reason(hosts, _failed(1, first=1))
    assert reason == ("AlgorithmError: " + "é" * 2000)[:1024]


def test_config_files_are_written_as_sagemaker_writes_them(tmp_path: Path) -> None:
    request = {
        "AlgorithmSpecification": {"TrainingInputMode": "File"},
        "HyperParameters": {"lr": "0.1"},
        "ResourceConfig": {"InstanceType": "ml.c5.xlarge", "InstanceCount": 11},
        "InputDataConfig": [
            {"ChannelName": "a", "ContentType": "text/csv", "InputMode": "FastFile",
             "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://b/a",
                                             "S3DataDistributionType": "ShardedByS3Key"}}},
        ],
        "CheckpointConfig": {"S3Uri": "s3://b/c"},
    }  # fmt: skip
    host = instances(tmp_path, 11)[1]
    prepare(host, request)
    config = host.path("/opt/ml/input/config")
    resource = json.loads((config / "resourceconfig.json").read_text())
    assert resource["current_host"] == "algo-2"
    assert resource["hosts"][:3] == ["algo-1", "algo-10", "algo-11"]  # lexicographic
    assert resource["instance_groups"][0]["instance_type"] == "ml.c5.xlarge"
    assert json.loads((config / "inputdataconfig.json").read_text()) == {
        "a": {
            "ContentType": "text/csv",
            "TrainingInputMode": "File",
            "S3DistributionType": "ShardedByS3Key",
            "RecordWrapperType": "None",
        }
    }
    assert json.loads((config / "hyperparameters.json").read_text()) == {"lr": "0.1"}
    for folder in ("/opt/ml/model", "/opt/ml/output/data", "/opt/ml/checkpoints"):
        assert host.path(folder).is_dir()
