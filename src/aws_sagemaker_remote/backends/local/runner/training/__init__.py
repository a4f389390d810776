"""How a training job runs in the emulator beyond what every job does (job.py).

- Secondary statuses as AWS names them (secondary.py); TRAINING_JOB_NAME and TRAINING_JOB_ARN in
  the container ("The following environment variables are set in the container", Developer
  Guide, your-algorithms-training-algo-running-container.html).
- Checkpoints: CheckpointConfig.S3Uri is copied into each instance's LocalPath before the script
  starts, and the folder is copied back while the job runs and when it ends ("SageMaker copies
  checkpoint data from a local path to Amazon S3. When the job is restarted, SageMaker copies the
  data from Amazon S3 back into the local path", model-managed-spot-training.html; "written during
  training", "Write as is without compressing", model-train-storage.html).
- FinalMetricDataList from MetricDefinitions (metrics.py), model.tar.gz and output.tar.gz
  (artifacts.py).
- FailureReason: "the first 1024 characters" of /opt/ml/output/failure (your-algorithms-training-
  algo-output.html), after the `AlgorithmError: ` AWS puts before it (e.g. "AlgorithmError:
  framework error: ..." in aws/amazon-sagemaker-examples issue #1740 from a toolkit-written
  file); without a failure file, `AlgorithmError: Exit Code: N` as AWS reported it
  (aws/sagemaker-python-sdk issues #134, #357).
- Stop and MaxRuntimeInSeconds: SIGTERM, then "delays job termination for 120 seconds"
  (botocore StopTrainingJob / StoppingCondition); MaxWaitTimeInSeconds (spot) counts from
  creation. Both end `Stopped` with SecondaryStatus MaxRuntimeExceeded / MaxWaitTimeExceeded.
- Spot interruption (emulator only, LocalBackend.interrupt_job): the instances are
  killed, their checkpoints synced, and the job starts again on new instances (new /opt/ml,
  channels and checkpoints downloaded again); the log streams go on.
"""

from __future__ import annotations

import os
import time
from typing import Any, Dict, List, Optional, Tuple

from .....contract import DEFAULT_RUNTIME_SECONDS, MAX_MESSAGE_BYTES
from .....images.instances import gpu_count
from .....kinds.training import FAILURE_FILE, TRAINING
from .....s3 import transfer as s3io
from .....s3.uri import parse as parse_s3_uri
from ...store import STATUS_FILE, job_arn, read_json, take_interrupt_request, update_status
from .. import channels
from ..instance import Instance
from ..life import Outcome, Stop, runner_log
from . import files
from .artifacts import upload_artifacts
from .metrics import MetricScanner
from .secondary import advance

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..job import Job, Supervisor

DEFAULT_STOP_GRACE = 120.0  # "delays job termination for 120 seconds"


def life(job: Job) -> TrainingLife:
    return TrainingLife(job)


class TrainingLife:
    noun = "channel"

    def __init__(self, job: Job) -> None:
        self.job = job
        request = job.request
        self.spot = bool(request.get("EnableManagedSpotTraining"))
        stopping = request.get("StoppingCondition", {})
        self.max_runtime = stopping.get("MaxRuntimeInSeconds", DEFAULT_RUNTIME_SECONDS)
        self.max_wait = stopping.get("MaxWaitTimeInSeconds") if self.spot else None
        self.created = read_json(job.job_dir / STATUS_FILE)["CreationTime"]
        self.ran = 0.0  # seconds of earlier attempts, for MaxRuntimeInSeconds
        self.attempt_start: Optional[float] = None
        self.stopping_shown = False
        definitions = request["AlgorithmSpecification"].get("MetricDefinitions", [])
        self.metrics = MetricScanner(definitions, [i.log_file for i in job.instances])
        self._checkpoints: Optional[channels.ContinuousUploader] = None

    # ------------------------------------------------------------------ checkpoints

    @property
    def checkpoint_target(self) -> Optional[channels.SyncTarget]:
        local = files.checkpoint_path(self.job.request)
        if local is None:
            return None
        return channels.SyncTarget(
            "checkpoints", local, self.job.request["CheckpointConfig"]["S3Uri"]
        )

    @property
    def checkpoints(self) -> channels.ContinuousUploader:
        if self._checkpoints is None:
            target = self.checkpoint_target
            targets = [target] if target else []
            self._checkpoints = channels.ContinuousUploader(
                self.job.s3, targets, self.job.instances
            )
        return self._checkpoints

    def restore(self) -> None:
        """The checkpoints in S3 into each instance's checkpoint folder (none is fine)."""
        target = self.checkpoint_target
        if target is None:
            return
        try:
            listed = s3io.listing(self.job.s3, target.uri)
        except FileNotFoundError:
            return
        try:
            bucket = parse_s3_uri(target.uri).bucket
            for instance in self.job.instances:
                folder = instance.path(target.local_path)
                channels.check_targets(instance, folder, listed)
                s3io.download_listing(self.job.s3, bucket, listed, folder)
                self.job.logs[instance.index].write(
                    f"[local emulator] restored {len(listed)} checkpoint file(s) from {target.uri}"
                )
        except Exception as error:
            raise channels.ChannelError(
                f"ClientError: Failed to download checkpoints from {target.uri}: {error}"
            ) from error

    def _sync_checkpoints(self) -> Optional[str]:
        try:
            self.checkpoints.sync()
        except Exception as error:  # noqa: BLE001 - retried at the next tick and at the end
            uri = self.job.request["CheckpointConfig"]["S3Uri"]
            return f"ClientError: Failed to upload checkpoints to {uri}: {error}"
        return None

    # ------------------------------------------------------------------ the runner's calls

    def needs_s3(self) -> bool:
        return True  # the model goes to S3 whatever the job's channels

    def started(self) -> None:
        update_status(self.job.job_dir, TrainingStartTime=time.time())
        advance(self.job.job_dir, "Starting")

    def prepare(self, instance: Instance) -> None:
        files.prepare(instance, self.job.request)

    def downloading(self) -> None:
        self.attempt_start = time.monotonic()
        advance(self.job.job_dir, "Downloading")

    def running(self) -> None:
        advance(self.job.job_dir, "Training")

    def environment(self) -> Dict[str, str]:
        """The job's name and ARN, and SM_NUM_GPUS: the instance type's GPUs (the toolkit
        counts those of the instance it runs on), unless the request's Environment sets it."""
        name = self.job.request["TrainingJobName"]
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
        found = {"TRAINING_JOB_NAME": name, "TRAINING_JOB_ARN": job_arn(region, name, TRAINING)}
        gpus = gpu_count(self.job.request["ResourceConfig"].get("InstanceType", ""))
        if gpus is not None and "SM_NUM_GPUS" not in self.job.request.get("Environment", {}):
            found["SM_NUM_GPUS"] = str(gpus)
        return found

    def grace(self) -> float:
        return float(os.environ.get("AWS_SAGEMAKER_REMOTE_STOP_GRACE", DEFAULT_STOP_GRACE))

    def deadlines(self) -> List[Tuple[float, Stop]]:
        now = time.monotonic()
        spent = self.ran + (now - self.attempt_start if self.attempt_start else 0.0)
        text = f"Stopped: MaxRuntimeInSeconds ({self.max_runtime}) exceeded"
        found = [(now + self.max_runtime - spent, Stop("MaxRuntimeExceeded", text))]
        if self.max_wait:
            left = self.created + self.max_wait - time.time()
            text = f"Stopped: MaxWaitTimeInSeconds ({self.max_wait}) exceeded"
            found.append((now + left, Stop("MaxWaitTimeExceeded", text)))
        return found

    def interruption(self) -> bool:
        return self.spot and take_interrupt_request(self.job.job_dir)

    def interrupted(self) -> None:
        """The instances were reclaimed: sync what they checkpointed, start again."""
        self._end_attempt()
        error = self._sync_checkpoints()
        if error:
            runner_log(error)
        self._checkpoints = None  # new instances: every file is new again
        advance(self.job.job_dir, "Interrupted")
        for writer in self.job.logs.values():
            writer.write("[local emulator] spot capacity reclaimed: restarting on new instances")
        advance(self.job.job_dir, "Starting")

    def stopping(self) -> None:
        if not self.stopping_shown:
            self.stopping_shown = True
            advance(self.job.job_dir, "Stopping", TrainingJobStatus="Stopping")

    def sync(self) -> None:
        error = self._sync_checkpoints()
        if error:
            runner_log(error)
        if self.metrics.scan():
            update_status(self.job.job_dir, FinalMetricDataList=self.metrics.final())

    def _end_attempt(self) -> None:
        if self.attempt_start is not None:
            self.ran += time.monotonic() - self.attempt_start
            self.attempt_start = None

    # ------------------------------------------------------------------ the end

    def failed_early(self, reason: str) -> Outcome:
        return Outcome("Failed", reason)

    def outcome(self, stop: Optional[Stop], supervisor: Optional[Supervisor]) -> Outcome:
        self._end_attempt()
        sync_error = self._sync_checkpoints()
        self.metrics.scan()
        failed = supervisor is not None and supervisor.first_failed is not None
        if stop is not None:
            self.stopping()
            runner_log(stop.text)
        else:
            advance(self.job.job_dir, "Uploading")
        try:
            upload_artifacts(self.job.s3, self.job.request, self.job.instances, self.job.job_dir)
        except channels.ChannelError as error:
            return Outcome("Failed", str(error))
        if stop is not None:
            return Outcome("Stopped", secondary=stop.code)
        if failed:
            return Outcome("Failed", failure_reason(self.job.instances, supervisor))
        if sync_error:
            return Outcome("Failed", sync_error)
        return Outcome("Completed")

    def finish(self, outcome: Outcome) -> None:
        now = time.time()
        started = read_json(self.job.job_dir / STATUS_FILE).get("TrainingStartTime", now)
        seconds = max(1, int(round(now - started)))
        fields: Dict[str, Any] = {
            "TrainingJobStatus": outcome.status,
            "TrainingEndTime": now,
            "TrainingTimeInSeconds": seconds,
            "BillableTimeInSeconds": seconds,
        }
        if outcome.failure_reason:
            fields["FailureReason"] = outcome.failure_reason[:MAX_MESSAGE_BYTES]
        if self.metrics.final():
            fields["FinalMetricDataList"] = self.metrics.final()
        advance(self.job.job_dir, outcome.secondary or outcome.status, **fields)


def failure_reason(instances: List[Instance], supervisor: Supervisor) -> str:
    """From the failure file of the instance that failed first (else of any other instance),
    else the exit code of that instance."""
    first = supervisor.first_failed or 0
    order = [first] + [i for i in range(len(instances)) if i != first]
    for index in order:
        try:
            data = instances[index].path(FAILURE_FILE).read_bytes()
        except OSError:
            continue
        text = data.decode("utf-8", "replace")
        if text.strip():
            return ("AlgorithmError: " + text)[:MAX_MESSAGE_BYTES]
    code = supervisor.workers[first].poll() or 1
    return f"AlgorithmError: Exit Code: {128 - code if code < 0 else code}"
