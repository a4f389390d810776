"""The few lines printed once a job was created: where to see it, its code, data and logs."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional, Union
from urllib.parse import quote

from ..contract import PROCESSING_LOG_GROUP as LOG_GROUP
from .console import elapsed_text

CONSOLE_HOSTS = {"aws-cn": "console.amazonaws.cn", "aws-us-gov": "console.amazonaws-us-gov.com"}


def _console(region: str) -> str:
    from ..aws.partition import partition

    host = CONSOLE_HOSTS.get(partition(region))
    return f"https://{host}" if host else f"https://{region}.console.aws.amazon.com"


def console_url(region: str, job_name: str) -> str:
    return f"{_console(region)}/sagemaker/home?region={region}#/processing-jobs/{job_name}"


def logs_url(region: str, job_name: str) -> str:
    """The CloudWatch console page of the log group, filtered to the job's streams."""
    # The console's fragment encodes "%" as "$25", so a URL-encoded value is encoded twice.
    group = _console_escape(LOG_GROUP)
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
    name = request.get("ProcessingJobName", "?")
    lines = [f"Job name:  {name}", f"Job ARN:   {arn}"]
    if backend == "local":
        lines.append(f"Backend:   local emulator (region {region})")
        if job_dir is not None:
            lines.append(f"Job dir:   {job_dir}")
    else:
        lines.append(f"Console:   {console_url(region, name)}")
        lines.append(f"Logs:      {logs_url(region, name)}")
    lines.extend(_input_lines(request))
    lines.extend(_output_lines(request))
    limit = request.get("StoppingCondition", {}).get("MaxRuntimeInSeconds")
    if limit:
        lines.append(f"Runtime:   at most {limit} s ({elapsed_text(limit)}, MaxRuntimeInSeconds)")
    return lines


def _input_lines(request: dict) -> List[str]:
    lines = []
    for channel in request.get("ProcessingInputs", []):
        uri = channel.get("S3Input", {}).get("S3Uri")
        if uri:
            lines.append(f"Input  {channel.get('InputName', '?')}: {uri}")
    return lines


def _output_lines(request: dict) -> List[str]:
    lines = []
    for output in request.get("ProcessingOutputConfig", {}).get("Outputs", []):
        uri = output.get("S3Output", {}).get("S3Uri")
        if uri:
            lines.append(f"Output {output.get('OutputName', '?')}: {uri}")
    return lines


def _console_escape(value: str) -> str:
    return quote(value, safe="").replace("%", "$25")
