"""How jobs are shown by the `list` and `describe` job commands (of any kind: what a kind has
of each part is read through its views)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, List

from ..kinds import JobKind, kind_of


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
    if description.get(kind.end_field()):
        lines.append(f"Ended:     {_when(description.get(kind.end_field()))}")
    lines.append(f"Duration:  {_duration(description)}")
    lines.extend(argument_lines(description, backend))
    lines.extend(_job_lines(kind, description))
    job_dir = backend.job_dir(kind, name)
    if job_dir is not None:
        lines.append(f"Job dir:   {job_dir}")
    elif backend.region:
        lines.append(f"Console:   {console_url(backend.region, name, kind)}")
        lines.append(f"Logs:      {logs_url(backend.region, name, kind)}")
    return lines


def argument_lines(description: dict, backend: Any) -> List[str]:
    """The script's own arguments the job ran with, whichever way they travelled: its
    HyperParameters (shown as such), ContainerArguments, or the job file (read from S3)."""
    import shlex

    from ..container.protocol import JOB_FILE
    from .rerun_args import recorded_argv

    kind = kind_of(description)
    lines = []
    hyperparameters = kind.hyperparameters(description)
    try:
        in_a_file = JOB_FILE in (description.get("Environment") or {})
        argv, count = recorded_argv(description, backend.s3 if in_a_file else None)
    except Exception as exc:  # noqa: BLE001 - one line of describe, not its end
        from ..errors import one_line

        return [f"Arguments: in its job file, which could not be read ({one_line(exc)})"]
    if hyperparameters:
        shown = " ".join(f"{key}={shlex.quote(str(v))}" for key, v in hyperparameters.items())
        lines.append(
            f"Hyperparameters: {shown}" + (" (the script's arguments)" if count == 0 else "")
        )
    own = argv if count is None else argv[:count]
    if own or not hyperparameters:
        lines.append(f"Arguments: {shlex.join(own) if own else '(none)'}")
    return lines


def _job_lines(kind: JobKind, description: dict) -> List[str]:
    """Instances, spot, checkpoints, image, channels, outputs, model and metrics: what the
    job's kind has of them."""
    lines = []
    cluster = kind.cluster(description)
    if cluster:
        lines.append(_instances(cluster))
    if kind.spot(description):
        billed = description.get("BillableTimeInSeconds")
        lines.append("Spot:      yes" + (f", {billed} s billable" if billed is not None else ""))
    checkpoint = kind.checkpoint(description)
    if checkpoint is not None:
        lines.append(f"Checkpoints: {checkpoint.uri}")
    image = kind.app(description).image
    if image:
        lines.append(f"Image:     {image}")
    for channel in kind.channels(description):
        lines.append(f"Input  {channel.name or '?'}: {channel.uri}")
    for output in kind.outputs(description):
        if not output.archive:
            lines.append(f"Output {output.name or '?'}: {output.uri}")
    model = kind.model_archive(description)
    if model:
        lines.append(f"Model:     {model}")
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
    end = job.get(kind.end_field())
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
