"""How jobs are shown by the `list` and `describe` job commands."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, List

from ..kinds import kind_of
from ..kinds.training import TRAINING


def describe_lines(description: dict, backend: Any) -> List[str]:
    from ..follow.report import console_url, logs_url

    kind = kind_of(description)
    name = kind.job_name(description)
    lines = [f"Name:      {name}", f"Status:    {kind.status(description)}"]
    if description.get("SecondaryStatus"):
        lines[-1] += f" ({description['SecondaryStatus']})"
    if description.get("FailureReason"):
        lines.append(f"Reason:    {description['FailureReason']}")
    if description.get("ExitMessage"):
        lines.append(f"Exit:      {description['ExitMessage']}")
    lines.append(f"ARN:       {description.get(kind.field('Arn'), '?')}")
    lines.append(f"Created:   {_when(description.get('CreationTime'))}")
    if description.get(f"{kind.title}EndTime"):
        lines.append(f"Ended:     {_when(description.get(f'{kind.title}EndTime'))}")
    lines.append(f"Duration:  {_duration(description)}")
    body = _training_lines if kind is TRAINING else _processing_lines
    lines.extend(body(description))
    job_dir = backend.job_dir(name, kind)
    if job_dir is not None:
        lines.append(f"Job dir:   {job_dir}")
    elif backend.region:
        lines.append(f"Console:   {console_url(backend.region, name, kind)}")
        lines.append(f"Logs:      {logs_url(backend.region, name, kind)}")
    return lines


def _processing_lines(description: dict) -> List[str]:
    lines = []
    cluster = description.get("ProcessingResources", {}).get("ClusterConfig", {})
    if cluster:
        lines.append(_instances(cluster))
    image = description.get("AppSpecification", {}).get("ImageUri")
    if image:
        lines.append(f"Image:     {image}")
    for channel in description.get("ProcessingInputs", []):
        uri = channel.get("S3Input", {}).get("S3Uri", "")
        lines.append(f"Input  {channel.get('InputName', '?')}: {uri}")
    for output in description.get("ProcessingOutputConfig", {}).get("Outputs", []):
        uri = output.get("S3Output", {}).get("S3Uri", "")
        lines.append(f"Output {output.get('OutputName', '?')}: {uri}")
    return lines


def _training_lines(description: dict) -> List[str]:
    lines = []
    if description.get("ResourceConfig"):
        lines.append(_instances(description["ResourceConfig"]))
    if description.get("EnableManagedSpotTraining"):
        billed = description.get("BillableTimeInSeconds")
        lines.append("Spot:      yes" + (f", {billed} s billable" if billed is not None else ""))
    checkpoints = description.get("CheckpointConfig", {}).get("S3Uri")
    if checkpoints:
        lines.append(f"Checkpoints: {checkpoints}")
    image = description.get("AlgorithmSpecification", {}).get("TrainingImage")
    if image:
        lines.append(f"Image:     {image}")
    for channel in description.get("InputDataConfig", []):
        uri = channel.get("DataSource", {}).get("S3DataSource", {}).get("S3Uri", "")
        lines.append(f"Input  {channel.get('ChannelName', '?')}: {uri}")
    artifacts = description.get("ModelArtifacts", {}).get("S3ModelArtifacts")
    if artifacts:
        lines.append(f"Model:     {artifacts}")
    for metric in description.get("FinalMetricDataList", []):
        lines.append(f"Metric {metric.get('MetricName', '?')}: {metric.get('Value')}")
    return lines


def _instances(cluster: dict) -> str:
    return (
        f"Instances: {cluster.get('InstanceCount', 1)} x {cluster.get('InstanceType', '?')}"
        f", {cluster.get('VolumeSizeInGB', '?')} GB"
    )


def list_row(job: dict) -> List[str]:
    kind = kind_of(job)
    return [kind.job_name(job), kind.status(job), _when(job.get("CreationTime")), _duration(job)]


def table(rows: List[List[str]]) -> List[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]


def _when(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    return str(value) if value else "-"


def _duration(job: dict) -> str:
    kind = kind_of(job)
    start = kind.start_time(job)
    if not isinstance(start, datetime):
        return "-"
    end = job.get(f"{kind.title}EndTime")
    if not isinstance(end, datetime):
        if kind.status(job) != "InProgress":
            return "-"
        end = datetime.now(timezone.utc)
    seconds = max(0, int((end - start).total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"
