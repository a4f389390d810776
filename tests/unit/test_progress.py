"""A training job's secondary statuses and metrics, each printed once as it appears."""

import io
import re
from datetime import datetime, timezone

from watch_support import JOB, FakeLogs, no_sleep

from aws_sagemaker_remote.backends.base import Backend
from aws_sagemaker_remote.contract import metric_value
from aws_sagemaker_remote.follow import watch
from aws_sagemaker_remote.follow.finish import finish_message
from aws_sagemaker_remote.follow.progress import JobProgress, final_metrics_line
from aws_sagemaker_remote.kinds import PROCESSING, TRAINING

T0 = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
METRICS = [{"Name": "accuracy", "Regex": r"accuracy=([0-9.]+)"}, {"Name": "bad", "Regex": "("}]


def step(status, message, minute=0):
    return {"Status": status, "StartTime": T0.replace(minute=minute), "StatusMessage": message}


class TrainingBackend:
    """Answers DescribeTrainingJob from a script of descriptions, one per poll."""

    name, region, profile = "aws", "us-east-1", None
    poll_seconds, max_poll_seconds = Backend.poll_seconds, Backend.max_poll_seconds

    def __init__(self, descriptions, logs):
        self.descriptions, self.logs = list(descriptions), logs

    def describe_job(self, kind, name):
        assert kind is TRAINING
        assert name == JOB
        state = self.descriptions[0] if len(self.descriptions) == 1 else self.descriptions.pop(0)
        description = {
            "TrainingJobName": JOB,
            "CreationTime": T0,
            "AlgorithmSpecification": {"MetricDefinitions": METRICS},
            "StoppingCondition": {"MaxRuntimeInSeconds": 60, "MaxWaitTimeInSeconds": 120},
        }
        description.update(state)
        return description


def test_transitions_and_metrics_are_printed_once_each_as_they_appear():
    logs = FakeLogs(page_size=10)
    logs.add("algo-1-1700000000", "epoch 1 accuracy=0.5", "epoch 2 accuracy=0.75", "done")
    starting = [step("Starting", "Launching requested ML instances")]
    training = starting + [step("Training", "Training image download completed.", 1)]
    final = training + [step("Uploading", "Uploading generated training model", 2),
                        step("Completed", "Training job completed", 3)]  # fmt: skip
    descriptions = [
        {"TrainingJobStatus": "InProgress", "SecondaryStatusTransitions": starting},
        {"TrainingJobStatus": "InProgress", "SecondaryStatusTransitions": training},
        {"TrainingJobStatus": "Completed", "SecondaryStatusTransitions": final,
         "FinalMetricDataList": [{"MetricName": "accuracy", "Value": 0.75, "Timestamp": T0}]},
    ]  # fmt: skip
    out = io.StringIO()
    backend = TrainingBackend(descriptions, logs)
    code = watch.run_watch(backend, JOB, TRAINING, wait=True, output_json=None,
                           download=False, outputs_local={}, out=out, sleep=no_sleep)  # fmt: skip
    text = out.getvalue()
    assert code == 0
    for line in ("Status  Starting: Launching requested ML instances",
                 "Status  Training: Training image download completed.",
                 "Status  Uploading: Uploading generated training model",
                 "Metric  accuracy = 0.5", "Metric  accuracy = 0.75",
                 "Metrics: accuracy=0.75"):  # fmt: skip
        assert text.count(line + "\n") == 1, (line, text)
    assert text.index("epoch 1 accuracy=0.5\nMetric  accuracy = 0.5\n") < text.index("Uploading")


def test_a_restarted_spot_job_shows_its_repeated_statuses_again():
    progress = JobProgress(TRAINING)
    first = [step("Starting", "Preparing the instances"), step("Training", "Training", 1)]
    assert len(progress.on_description({"SecondaryStatusTransitions": first})) == 2
    assert progress.on_description({"SecondaryStatusTransitions": first}) == []
    again = first + [step("Interrupted", "Spot interruption", 2),
                     step("Starting", "Preparing the instances", 3)]  # fmt: skip
    assert progress.on_description({"SecondaryStatusTransitions": again}) == [
        (int(T0.replace(minute=2).timestamp() * 1000), "Status  Interrupted: Spot interruption"),
        (int(T0.replace(minute=3).timestamp() * 1000), "Status  Starting: Preparing the instances"),
    ]


def test_metric_values_are_read_as_sagemaker_reads_them():
    assert metric_value(re.compile(r"loss: ([0-9\.]+)"), "step 3 loss: 0.125 lr 1") == 0.125
    assert metric_value(re.compile(r"[0-9]+\.[0-9]+"), "took 2.5 s") == 2.5
    assert metric_value(re.compile(r"loss: (\S+)"), "loss: nope") is None
    assert metric_value(re.compile(r"loss: (\S+)"), "no metric here") is None
    assert metric_value(re.compile(r"loss: (\S+)"), "loss: nan") is None
    progress = JobProgress(TRAINING)
    progress.on_description({"AlgorithmSpecification": {"MetricDefinitions": METRICS}})
    assert progress.on_log_line("accuracy=1", "algo-2", multi=True) == [
        "Metric  accuracy = 1 (algo-2)"
    ]
    assert JobProgress(TRAINING).on_log_line("accuracy=1", "algo-1", multi=False) == []


def test_processing_descriptions_print_nothing_extra():
    progress = JobProgress(PROCESSING)
    assert progress.on_description({"ProcessingJobStatus": "InProgress"}) == []
    assert progress.on_log_line("accuracy=1", "algo-1", False) == []
    assert final_metrics_line({"ProcessingJobStatus": "Completed"}) is None


def test_spot_wait_limit_and_runtime_limit_are_named():
    limits = {"MaxRuntimeInSeconds": 60, "MaxWaitTimeInSeconds": 120}
    base = {"TrainingJobName": "t", "TrainingJobStatus": "Stopped", "StoppingCondition": limits}
    waited = finish_message({**base, "SecondaryStatus": "MaxWaitTimeExceeded"})
    assert waited.startswith("Job t stopped: MaxWaitTimeInSeconds (120 s) reached; raise it with")
    ran = finish_message({**base, "SecondaryStatus": "MaxRuntimeExceeded"})
    assert ran.startswith("Job t stopped: MaxRuntimeInSeconds (60 s) reached")
    assert finish_message({**base, "SecondaryStatus": "Stopped"}, stopped_by_us=True) == (
        "Job t Stopped."
    )


def at(minute: float) -> int:
    """A log event's timestamp on the clock of `step`'s minutes."""
    return int(T0.replace(minute=0).timestamp() * 1000 + minute * 60_000)


def test_statuses_and_log_lines_are_printed_in_the_order_of_their_times():
    """A status change is seen (DescribeTrainingJob) before CloudWatch delivers the lines
    logged before it: the status waits for them (issue 21, point 2)."""
    logs = FakeLogs(page_size=10)
    stream = "algo-1-1700000000"
    starting = [step("Starting", "Preparing the instances")]
    training = starting + [step("Training", "Training in progress", 1)]
    interrupted = training + [step("Interrupted", "Spot interruption", 3)]
    restarted = interrupted + [step("Starting", "Preparing the instances", 4),
                               step("Training", "Training in progress", 5)]  # fmt: skip
    done = restarted + [step("Uploading", "Uploading generated training model", 7),
                        step("Completed", "Training job completed", 8)]  # fmt: skip

    def deliver(poll: int) -> None:  # what CloudWatch has by each poll
        batches = {2: [("epoch 1", 2)], 3: [("epoch 2", 2.5)], 4: [("epoch 2 again", 6)],
                   5: [("done", 6.5)]}  # fmt: skip
        for message, minute in batches.get(poll, []):
            logs.streams.setdefault(f"{JOB}/{stream}", []).append(
                {"timestamp": at(minute), "message": message}
            )

    descriptions = [
        {"TrainingJobStatus": "InProgress", "SecondaryStatusTransitions": starting},
        {"TrainingJobStatus": "InProgress", "SecondaryStatusTransitions": interrupted},
        {"TrainingJobStatus": "InProgress", "SecondaryStatusTransitions": interrupted},
        {"TrainingJobStatus": "InProgress", "SecondaryStatusTransitions": restarted},
        {"TrainingJobStatus": "Completed", "SecondaryStatusTransitions": done},
    ]
    backend = TrainingBackend(descriptions, logs)
    polls = []
    original = backend.describe_job

    def describe_job(kind, name):
        polls.append(None)
        deliver(len(polls))
        return original(kind, name)

    backend.describe_job = describe_job
    out = io.StringIO()
    watch.run_watch(backend, JOB, TRAINING, wait=True, output_json=None, download=False,
                    outputs_local={}, out=out, sleep=no_sleep)  # fmt: skip
    shown = [line for line in out.getvalue().splitlines() if "waiting for" not in line]
    assert shown[:10] == [
        "Status  Starting: Preparing the instances",
        "Status  Training: Training in progress",
        "epoch 1",
        "epoch 2",  # delivered a poll after the interruption was seen
        "Status  Interrupted: Spot interruption",
        "Status  Starting: Preparing the instances",
        "Status  Training: Training in progress",
        "epoch 2 again",
        "done",
        "Status  Uploading: Uploading generated training model",
    ]
    assert shown[10] == "Status  Completed: Training job completed"
