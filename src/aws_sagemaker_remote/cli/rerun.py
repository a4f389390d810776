"""A new CreateProcessingJob request that repeats a described job under a new name."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any, Dict, List, Optional

from ..errors import UsageError
from ..pipeline.naming import job_name, strip_timestamp


def rerun_request(
    description: dict,
    tags: List[dict],
    now: Optional[datetime] = None,
    *,
    script_args: Optional[List[str]] = None,
    s3: Any = None,
) -> Dict[str, Any]:
    """A CreateProcessingJob request repeating the described job under a new timestamped name.

    Outputs whose S3 URI contains the old job name as a path segment (the `default` output
    location) move to the new name, so the rerun does not overwrite the first run's results.
    `script_args` (not None) replace the script's own arguments; `s3` then reads and stages the
    job file when the arguments travel in one.
    """
    old = description["ProcessingJobName"]
    new = job_name(strip_timestamp(old), now)
    required = ("AppSpecification", "ProcessingResources", "RoleArn")
    missing = [key for key in required if not description.get(key)]
    if missing:
        raise UsageError(f"cannot rerun job {old}: its description has no {', '.join(missing)}")
    request: Dict[str, Any] = {"ProcessingJobName": new}
    for key in RERUN_FIELDS:
        if description.get(key):
            request[key] = copy.deepcopy(description[key])
    for output in request.get("ProcessingOutputConfig", {}).get("Outputs", []):
        target = output.get("S3Output", {})
        if target.get("S3Uri"):
            target["S3Uri"] = rename_segment(target["S3Uri"], old, new)
    if script_args is not None:
        from .rerun_args import replace_script_args

        replace_script_args(request, script_args, s3, rerun_of=old)
    kept = [t for t in tags if not t["Key"].startswith("aws:") and t["Key"] != RERUN_TAG]
    request["Tags"] = kept + [{"Key": RERUN_TAG, "Value": old}]
    return request


def rename_segment(uri: str, old: str, new: str) -> str:
    parts = uri.split("/")
    # s3://bucket/... : only key segments, never the scheme or the bucket
    return "/".join(parts[:3] + [new if part == old else part for part in parts[3:]])


RERUN_FIELDS = (
    "ProcessingInputs",
    "ProcessingOutputConfig",
    "ProcessingResources",
    "StoppingCondition",
    "AppSpecification",
    "Environment",
    "NetworkConfig",
    "RoleArn",
)


RERUN_TAG = "RerunOf"
