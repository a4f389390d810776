"""A new create request that repeats a described job (processing or training) under a new name."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any, Dict, List, Optional

from ..contract import RERUN_TAG
from ..errors import UsageError
from ..kinds import kind_of
from ..pipeline.naming import job_name, strip_timestamp


def rerun_request(
    description: dict,
    tags: List[dict],
    now: Optional[datetime] = None,
    *,
    script_args: Optional[List[str]] = None,
    s3: Any = None,
    resume: bool = False,
) -> Dict[str, Any]:
    """A create request repeating the described job (either kind) under a new timestamped name.

    S3 URIs that contain the old job name as a path segment (the `default` output location, a
    training job's default checkpoint location) move to the new name, so the rerun neither
    overwrites the first run's results nor resumes from its checkpoints. `script_args` (not
    None) replace the script's own arguments; `s3` then reads and stages the job file when the
    arguments travel in one. With `resume`, the checkpoint place is kept: the rerun starts
    from the checkpoints the job left.
    """
    kind = kind_of(description)
    old = kind.job_name(description)
    new = job_name(strip_timestamp(old), now, fallback=kind.defaults.base_job_name)
    missing = [key for key in kind.required_fields if not description.get(key)]
    if missing:
        raise UsageError(f"cannot rerun job {old}: its description has no {', '.join(missing)}")
    request: Dict[str, Any] = {kind.field("Name"): new}
    for key in kind.rerun_fields:
        if description.get(key):
            request[key] = copy.deepcopy(description[key])
    checkpoint = kind.checkpoint(description)
    if resume and checkpoint is None:
        raise UsageError(f"--resume: job {old} kept no checkpoints to resume from")
    for target in kind.job_named_locations(request):
        target["S3Uri"] = rename_segment(target["S3Uri"], old, new)
    if resume:
        kind.set_checkpoint_uri(request, checkpoint.uri)
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
