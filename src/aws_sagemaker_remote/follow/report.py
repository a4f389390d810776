"""The few lines printed once a job was created: where to see it, its code, data and logs."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional, Union
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
    lines.extend(_input_lines(request))
    lines.extend(_output_lines(request))
    stopping = request.get("StoppingCondition", {})
    for field, title in (("MaxRuntimeInSeconds", "Runtime"), ("MaxWaitTimeInSeconds", "Wait")):
        limit = stopping.get(field)
        if limit:
            lines.append(f"{title + ':':10s} at most {limit} s ({elapsed_text(limit)}, {field})")
    lines.extend(_training_lines(request))
    return lines


def _training_lines(request: dict) -> List[str]:
    lines = []
    if request.get("EnableManagedSpotTraining"):
        lines.append("Spot:      managed spot instances; an interrupted job restarts")
    checkpoints = request.get("CheckpointConfig", {})
    if checkpoints.get("S3Uri"):
        local = checkpoints.get("LocalPath", "/opt/ml/checkpoints")
        lines.append(f"Checkpoints: {local} <-> {checkpoints['S3Uri']}")
    metrics = request.get("AlgorithmSpecification", {}).get("MetricDefinitions", [])
    if metrics:
        lines.append("Metrics:   " + ", ".join(m["Name"] for m in metrics))
    return lines


def _input_lines(request: dict) -> List[str]:
    lines = []
    for channel in request.get("ProcessingInputs", []):
        uri = channel.get("S3Input", {}).get("S3Uri")
        if uri:
            lines.append(f"Input  {channel.get('InputName', '?')}: {uri}")
    for channel in request.get("InputDataConfig", []):
        uri = channel.get("DataSource", {}).get("S3DataSource", {}).get("S3Uri")
        if uri:
            lines.append(f"Input  {channel.get('ChannelName', '?')}: {uri}")
    return lines


def _output_lines(request: dict) -> List[str]:
    lines = []
    for output in request.get("ProcessingOutputConfig", {}).get("Outputs", []):
        uri = output.get("S3Output", {}).get("S3Uri")
        if uri:
            lines.append(f"Output {output.get('OutputName', '?')}: {uri}")
    path = request.get("OutputDataConfig", {}).get("S3OutputPath")
    if path:
        lines.append(
            f"Output model, output: {path.rstrip('/')}/{kind_of(request).job_name(request)}/output/"
        )
    return lines


def _console_escape(value: str) -> str:
    return quote(value, safe="").replace("%", "$25")
