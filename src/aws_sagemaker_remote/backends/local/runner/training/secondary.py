"""A training job's SecondaryStatus and SecondaryStatusTransitions, kept in its status file.

Statuses and their order are the API reference's (DescribeTrainingJob SecondaryStatus) and the
Developer Guide's spot lifecycle (model-managed-spot-training.html: `Starting ↠ Downloading ↠
Training ↠ Interrupted ↠ Starting ↠ ...`; `Stopping: Stopping` then `Stopped:
MaxWaitTimeExceeded`). Status messages are the ones the SageMaker SDK prints from
StatusMessage in public training logs ("Starting - Preparing the instances for training",
"Downloading - Downloading input data", "Training - Training image download completed. Training
in progress.", "Uploading - Uploading generated training model", "Completed - Training job
completed", "Failed - Training job failed", "Stopping - Stopping the training job", "Stopped -
Training job stopped"); where none was found, the API reference's own description of the status.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Dict

from ...store import STATUS_FILE, read_json, update_status

MESSAGES = {
    "Starting": "Preparing the instances for training",
    "Downloading": "Downloading input data",
    "Training": "Training image download completed. Training in progress.",
    "Uploading": "Uploading generated training model",
    "Completed": "Training job completed",
    "Failed": "Training job failed",
    "Stopping": "Stopping the training job",
    "Stopped": "Training job stopped",
    "MaxRuntimeExceeded": "The job stopped because it exceeded the maximum allowed runtime",
    "MaxWaitTimeExceeded": "The job stopped because it exceeded the maximum allowed wait time",
    "Interrupted": "The job stopped because the managed spot training instances were interrupted",
}
FINAL = ("Completed", "Failed", "Stopped", "MaxRuntimeExceeded", "MaxWaitTimeExceeded")


def advance(job_dir: Path, secondary: str, **fields: Any) -> Dict[str, Any]:
    """Enter `secondary` (a new transition, the previous one ended now), or, when the job is
    already in it, update its message; `fields` go into the status too."""
    now = time.time()
    transitions = list(read_json(job_dir / STATUS_FILE).get("SecondaryStatusTransitions", []))
    message = MESSAGES[secondary]
    if transitions and transitions[-1]["Status"] == secondary:
        transitions[-1] = {**transitions[-1], "StatusMessage": message}
    else:
        if transitions:
            transitions[-1] = {**transitions[-1], "EndTime": now}
        transitions.append({"Status": secondary, "StartTime": now, "StatusMessage": message})
    if secondary in FINAL:
        transitions[-1]["EndTime"] = now
    return update_status(
        job_dir, SecondaryStatus=secondary, SecondaryStatusTransitions=transitions, **fields
    )
