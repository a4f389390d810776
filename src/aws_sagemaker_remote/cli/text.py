"""How jobs are shown by `processing list` and `processing describe`."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, List


def describe_lines(description: dict, backend: Any) -> List[str]:
    from ..follow.report import console_url, logs_url

    name = description.get("ProcessingJobName", "?")
    status = description.get("ProcessingJobStatus", "?")
    lines = [f"Name:      {name}", f"Status:    {status}"]
    if description.get("FailureReason"):
        lines.append(f"Reason:    {description['FailureReason']}")
    if description.get("ExitMessage"):
        lines.append(f"Exit:      {description['ExitMessage']}")
    lines.append(f"ARN:       {description.get('ProcessingJobArn', '?')}")
    lines.append(f"Created:   {_when(description.get('CreationTime'))}")
    if description.get("ProcessingEndTime"):
        lines.append(f"Ended:     {_when(description.get('ProcessingEndTime'))}")
    lines.append(f"Duration:  {_duration(description)}")
    cluster = description.get("ProcessingResources", {}).get("ClusterConfig", {})
    if cluster:
        lines.append(
            f"Instances: {cluster.get('InstanceCount', 1)} x {cluster.get('InstanceType', '?')}"
            f", {cluster.get('VolumeSizeInGB', '?')} GB"
        )
    image = description.get("AppSpecification", {}).get("ImageUri")
    if image:
        lines.append(f"Image:     {image}")
    for channel in description.get("ProcessingInputs", []):
        uri = channel.get("S3Input", {}).get("S3Uri", "")
        lines.append(f"Input  {channel.get('InputName', '?')}: {uri}")
    for output in description.get("ProcessingOutputConfig", {}).get("Outputs", []):
        uri = output.get("S3Output", {}).get("S3Uri", "")
        lines.append(f"Output {output.get('OutputName', '?')}: {uri}")
    job_dir = backend.job_dir(name)
    if job_dir is not None:
        lines.append(f"Job dir:   {job_dir}")
    elif backend.region:
        lines.append(f"Console:   {console_url(backend.region, name)}")
        lines.append(f"Logs:      {logs_url(backend.region, name)}")
    return lines


def list_row(job: dict) -> List[str]:
    return [
        job.get("ProcessingJobName", "?"),
        job.get("ProcessingJobStatus", "?"),
        _when(job.get("CreationTime")),
        _duration(job),
    ]


def table(rows: List[List[str]]) -> List[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]


def _when(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    return str(value) if value else "-"


def _duration(job: dict) -> str:
    start = job.get("ProcessingStartTime") or job.get("CreationTime")
    if not isinstance(start, datetime):
        return "-"
    end = job.get("ProcessingEndTime")
    if not isinstance(end, datetime):
        if job.get("ProcessingJobStatus") != "InProgress":
            return "-"
        end = datetime.now(timezone.utc)
    seconds = max(0, int((end - start).total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"
