"""How a processing job runs in the emulator beyond what every job does (job.py): its
instance layout, its Continuous and EndOfJob outputs, its final status.

A job that exceeds MaxRuntimeInSeconds ends `Stopped`, as AWS documents for its stopping
condition ("After the condition is met, the processing job is stopped").

FailureReason and ExitMessage are set as SageMaker Processing sets them: a container that exits
non-zero fails the job with FailureReason `AlgorithmError: See job logs for more information`
(aws/sagemaker-spark-container test_sagemaker_spark_errors.py); ExitMessage is the first 1 KB of
each container's /opt/ml/output/message, concatenated across containers and truncated to 1 KB,
in every terminal state; a message file that is not UTF-8 fails the job with a ClientError
(SageMaker Developer Guide, byoc-metadata.html). /opt/ml/output/failure means nothing to a
processing job (it is the training contract), so it is ignored.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from ....contract import MAX_MESSAGE_BYTES
from ....kinds import Output
from ....kinds.processing import ALGORITHM_ERROR, PROCESSING, RESOURCE_CONFIG_FILE
from ....kinds.processing import MESSAGE_FILE as OUTPUT_MESSAGE_FILE
from ..store import update_status
from . import channels
from .instance import Instance
from .life import Outcome, Stop, runner_log

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .job import Job, Supervisor

DEFAULT_STOP_GRACE = 10.0


def life(job: Job) -> ProcessingLife:
    return ProcessingLife(job)


class ProcessingLife:
    noun = "input"

    def __init__(self, job: Job) -> None:
        self.job = job
        self._uploader: Optional[channels.ContinuousUploader] = None

    @property
    def uploader(self) -> channels.ContinuousUploader:
        """Continuous outputs, uploaded while the job runs (made once the S3 client is)."""
        if self._uploader is None:
            targets = [
                channels.SyncTarget(o.name, o.local_path, o.uri) for o in self.outputs("Continuous")
            ]
            self._uploader = channels.ContinuousUploader(self.job.s3, targets, self.job.instances)
        return self._uploader

    def outputs(self, mode: str = "") -> List[Output]:
        """The output channels (with `mode`, those of that upload mode)."""
        outputs = PROCESSING.outputs(self.job.request)
        return [o for o in outputs if not mode or o.mode == mode]

    def needs_s3(self) -> bool:
        return bool(self.job.channels or self.outputs())

    def started(self) -> None:
        update_status(self.job.job_dir, ProcessingStartTime=time.time())

    def prepare(self, instance: Instance) -> None:
        prepare(instance, self.job.request)

    def downloading(self) -> None:
        """Processing jobs have no secondary status."""

    def running(self) -> None:
        """Processing jobs have no secondary status."""

    def restore(self) -> None:
        """Nothing is restored into a processing job's instances."""

    def environment(self) -> Dict[str, str]:
        return {}

    def grace(self) -> float:
        return float(os.environ.get("AWS_SAGEMAKER_REMOTE_STOP_GRACE", DEFAULT_STOP_GRACE))

    def deadlines(self) -> List[Tuple[float, Stop]]:
        limit = self.job.request.get("StoppingCondition", {}).get("MaxRuntimeInSeconds")
        if not limit:
            return []
        text = f"Stopped: MaxRuntimeInSeconds ({limit}) exceeded"
        return [(time.monotonic() + limit, Stop("Stopped", text))]

    def interruption(self) -> bool:
        return False

    def interrupted(self) -> None:
        """Processing jobs never run on spot capacity."""

    def stopping(self) -> None:
        """Describe shows Stopping from the request on (backend.py)."""

    def sync(self) -> None:
        try:
            self.uploader.sync()
        except Exception as error:  # noqa: BLE001 - retried at the next tick and at the end
            print(f"Continuous upload failed: {error}", flush=True)

    def failed_early(self, reason: str) -> Outcome:
        return Outcome("Failed", reason)

    def outcome(self, stop: Optional[Stop], supervisor: Optional[Supervisor]) -> Outcome:
        final_sync_error = final_continuous_sync(self.uploader)
        try:
            message = exit_message(self.job.instances)
        except UnicodeDecodeError as error:
            return Outcome("Failed", f"ClientError: {OUTPUT_MESSAGE_FILE} is not UTF-8: {error}")
        if stop is not None:
            runner_log(stop.text)
            return Outcome("Stopped", exit_message=message)
        if supervisor is not None and supervisor.first_failed is not None:
            return Outcome("Failed", ALGORITHM_ERROR, message)
        if final_sync_error:
            return Outcome("Failed", final_sync_error, message)
        try:
            channels.upload_outputs(self.job.s3, self.outputs("EndOfJob"), self.job.instances)
        except channels.ChannelError as error:
            return Outcome("Failed", str(error), message)
        return Outcome("Completed", exit_message=message)

    def finish(self, outcome: Outcome) -> None:
        fields: Dict[str, Any] = {
            "ProcessingJobStatus": outcome.status,
            "ProcessingEndTime": time.time(),
        }
        if outcome.failure_reason:
            fields["FailureReason"] = truncate(outcome.failure_reason)
        if outcome.exit_message:
            fields["ExitMessage"] = truncate(outcome.exit_message)
        update_status(self.job.job_dir, **fields)


def truncate(text: str) -> str:
    return text.encode("utf-8")[:MAX_MESSAGE_BYTES].decode("utf-8", "ignore")


def final_continuous_sync(uploader: channels.ContinuousUploader) -> Optional[str]:
    """Upload what changed since the last tick; the error message, if any."""
    try:
        uploader.sync()
    except Exception as error:  # noqa: BLE001 - becomes the job's FailureReason
        return f"ClientError: Failed to upload Continuous outputs: {error}"
    return None


def exit_message(instances: List[Instance]) -> Optional[str]:
    """The first 1 KB of each instance's message file, concatenated, truncated to 1 KB.
    Raises UnicodeDecodeError when a file is not UTF-8."""
    parts = []
    for instance in instances:
        try:
            data = instance.path(OUTPUT_MESSAGE_FILE).read_bytes()
        except OSError:
            continue
        data.decode("utf-8")  # the whole file must be UTF-8, not only its first KB
        parts.append(data[:MAX_MESSAGE_BYTES].decode("utf-8", "ignore"))
    return truncate("".join(parts)) or None


def prepare(instance: Instance, request: Dict[str, Any]) -> None:
    """Create the instance's `/opt/ml` tree and its config files."""
    folders = [channel.local_path for channel in PROCESSING.channels(request)]
    folders += [output.local_path for output in PROCESSING.outputs(request)]
    for folder in folders:
        instance.path(folder).mkdir(parents=True, exist_ok=True)
    instance.path("/opt/ml/output").mkdir(parents=True, exist_ok=True)
    resource = instance.path(RESOURCE_CONFIG_FILE)
    resource.parent.mkdir(parents=True, exist_ok=True)
    _write(resource.parent / "processingjobconfig.json", request)
    _write(resource, resource_config(instance))
    instance.log_file.parent.mkdir(parents=True, exist_ok=True)


def resource_config(instance: Instance) -> Dict[str, Any]:
    return {
        "current_host": instance.host,
        "hosts": instance.hosts,
        "network_interface_name": "eth0",
    }


def _write(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")
