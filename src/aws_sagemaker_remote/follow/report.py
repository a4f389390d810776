"""The few lines printed once a job was created: where to see it, its code, data and logs."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional, Union
from urllib.parse import quote

from ..kinds import JobKind, kind_of
from .console import elapsed_text

CONSOLE_HOSTS = {"aws-cn": "console.amazonaws.cn", "aws-us-gov": "console.amazonaws-us-gov.com"}


def _console(region: str) -> str:
    from ..aws.partition import partition

    host = CONSOLE_HOSTS.get(partition(region))
    return f"https://{host}" if host else f"https://{region}.console.aws.amazon.com"


def console_url(region: str, job_name: str, kind: JobKind) -> str:
    return f"{_console(region)}/sagemaker/home?region={region}#/{kind.console_page}/{job_name}"


def logs_url(region: str, job_name: str, kind: JobKind) -> str:
    """The CloudWatch console page of the log group, filtered to the job's streams."""
    # The console's fragment encodes "%" as "$25", so a URL-encoded value is encoded twice.
    group = _console_escape(kind.log_group)
    prefix = _console_escape(job_name + "/")
    return (
        f"{_console(region)}/cloudwatch/home?region={region}"
        f"#logsV2:log-groups/log-group/{group}$3FlogStreamNameFilter$3D{prefix}"
    )


def summary_lines(
    request: dict,
    *,
    arn: str,
    region: str,
    backend: str,
    job_dir: Optional[Union[str, Path]] = None,
) -> List[str]:
    kind = kind_of(request)
    name = kind.job_name(request)
    lines = [f"Job name:  {name}", f"Job ARN:   {arn}"]
    if backend == "local":
        lines.append(f"Backend:   local emulator (region {region})")
        if job_dir is not None:
            lines.append(f"Job dir:   {job_dir}")
    else:
        lines.append(f"Console:   {console_url(region, name, kind)}")
        lines.append(f"Logs:      {logs_url(region, name, kind)}")
    lines.extend(_channel_lines(kind, request))
    stopping = request.get("StoppingCondition", {})
    for field, title in (("MaxRuntimeInSeconds", "Runtime"), ("MaxWaitTimeInSeconds", "Wait")):
        limit = stopping.get(field)
        if limit:
            lines.append(f"{title + ':':10s} at most {limit} s ({elapsed_text(limit)}, {field})")
    lines.extend(_run_lines(kind, request))
    return lines


def _channel_lines(kind: JobKind, request: dict) -> List[str]:
    """Each input and output; the archives a kind's platform packs, by their folder."""
    lines = [
        f"Input  {channel.name or '?'}: {channel.uri}"
        for channel in kind.channels(request)
        if channel.uri
    ]
    archives: Dict[str, List[str]] = {}
    for output in kind.outputs(request):
        if output.archive:
            archives.setdefault(output.uri.rsplit("/", 1)[0] + "/", []).append(output.name)
        elif output.uri:
            lines.append(f"Output {output.name or '?'}: {output.uri}")
    for folder, names in archives.items():
        lines.append(f"Output {', '.join(names)}: {folder}")
    return lines


def _run_lines(kind: JobKind, request: dict) -> List[str]:
    lines = []
    if kind.spot(request):
        lines.append("Spot:      managed spot instances; an interrupted job restarts")
    checkpoint = kind.checkpoint(request)
    if checkpoint is not None:
        lines.append(f"Checkpoints: {checkpoint.local_path} <-> {checkpoint.uri}")
    metrics = kind.app(request).metrics
    if metrics:
        lines.append("Metrics:   " + ", ".join(m["Name"] for m in metrics))
    return lines


def _console_escape(value: str) -> str:
    return quote(value, safe="").replace("%", "$25")
