"""Fakes of the watcher tests: a CloudWatch-Logs look-alike and a backend scripted by states."""

from __future__ import annotations

import io
from datetime import datetime, timezone

from aws_sagemaker_remote.backends.base import Backend
from aws_sagemaker_remote.follow import watch
from aws_sagemaker_remote.kinds import PROCESSING

JOB = "job-2024-01-02-03-04-05-678"


class NotFound(Exception):
    def __init__(self, code="ResourceNotFoundException"):
        super().__init__(code)
        self.response = {"Error": {"Code": code, "Message": "not found"}}


class FakeLogs:
    """CloudWatch Logs look-alike: paginated streams, forward tokens that repeat at the end."""

    def __init__(self, page_size=2):
        self.streams = {}
        self.page_size = page_size
        self.group_exists = True

    def add(self, stream, *messages, start=1000):
        events = self.streams.setdefault(f"{JOB}/{stream}", [])
        for message in messages:
            events.append({"timestamp": start + len(events), "message": message})

    def describe_log_streams(self, logGroupName, logStreamNamePrefix, nextToken=None):  # noqa: N803
        if not self.group_exists:
            raise NotFound()
        names = sorted(n for n in self.streams if n.startswith(logStreamNamePrefix))
        index = int(nextToken or 0)
        page = names[index : index + 1]
        result = {"logStreams": [{"logStreamName": n} for n in page]}
        if index + 1 < len(names):
            result["nextToken"] = str(index + 1)
        return result

    def get_log_events(self, logGroupName, logStreamName, startFromHead, nextToken=None):  # noqa: N803
        assert startFromHead is True
        events = self.streams[logStreamName]
        index = int(nextToken[2:]) if nextToken else 0
        page = events[index : index + self.page_size]
        return {"events": page, "nextForwardToken": f"f/{index + len(page)}"}


class FakeBackend:
    """Answers as a Backend does (the attributes it declares, the calls the watcher makes)."""

    name = "aws"
    region = "us-east-1"
    profile = None
    poll_seconds = Backend.poll_seconds
    max_poll_seconds = Backend.max_poll_seconds

    def __init__(self, states, reason=None, logs=None, on_describe=None, extra=None):
        self.states = list(states)
        self.extra = extra or {}
        self.reason = reason
        self.logs = logs or FakeLogs()
        self.on_describe = on_describe or {}
        self.describes = 0
        self.stops = []

    def describe_processing_job(self, ProcessingJobName):  # noqa: N803
        assert ProcessingJobName == JOB
        self.describes += 1
        for message in self.on_describe.get(self.describes, []):
            self.logs.add("algo-1-1700000000", message, start=self.describes * 1000)
        status = self.states[0] if len(self.states) == 1 else self.states.pop(0)
        description = {
            "ProcessingJobName": JOB,
            "ProcessingJobStatus": status,
            "CreationTime": datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
            "ProcessingOutputConfig": {
                "Outputs": [{"OutputName": "output", "S3Output": {"S3Uri": "s3://b/p/out"}}]
            },
            "ResponseMetadata": {"HTTPStatusCode": 200},
        }
        if status in ("Failed", "Stopped") and self.reason:
            description["FailureReason"] = self.reason
        description.update(self.extra)
        return description

    def stop_processing_job(self, ProcessingJobName):  # noqa: N803
        self.stops.append(ProcessingJobName)
        self.states = ["Stopping", "Stopped"]

    def describe_job(self, kind, name):
        assert kind is PROCESSING
        return self.describe_processing_job(ProcessingJobName=name)

    def stop_job(self, kind, name):
        assert kind is PROCESSING
        return self.stop_processing_job(ProcessingJobName=name)


def no_sleep(_seconds):
    pass


def run(backend, **kwargs):
    out = io.StringIO()
    options = {"wait": True, "output_json": None, "download": False, "outputs_local": {}}
    options.update(kwargs)
    code = watch.run_watch(
        backend, JOB, PROCESSING, out=out, sleep=options.pop("sleep", no_sleep), **options
    )
    return code, out.getvalue()
