"""What a job tells besides its log lines: its secondary status transitions, and the metrics
its MetricDefinitions find in its log lines, each printed once as it appears. A job whose kind
has neither prints nothing more."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, List, Optional, Pattern, Set, Tuple

from ..contract import metric_value
from ..kinds import JobKind


@dataclass
class MetricDefinition:
    name: str
    pattern: Pattern[str]


def metric_definitions(kind: JobKind, description: dict) -> List[MetricDefinition]:
    """The job's MetricDefinitions that compile as Python regular expressions."""
    found = []
    for item in kind.app(description).metrics:
        try:
            found.append(MetricDefinition(item["Name"], re.compile(item["Regex"])))
        except (KeyError, TypeError, re.error):
            continue
    return found


class JobProgress:
    def __init__(self, kind: JobKind) -> None:
        self.kind = kind
        self.seen: Set[Tuple[str, str, str]] = set()
        self.metrics: Optional[List[MetricDefinition]] = None

    def on_description(self, description: dict) -> List[Tuple[Optional[int], str]]:
        """(its StartTime in ms since the epoch, or None, and a line) per secondary status
        transition not shown yet (a restarted spot job repeats a status with a new start time,
        so it is shown again)."""
        if self.metrics is None:
            self.metrics = metric_definitions(self.kind, description)
        lines = []
        for step in description.get("SecondaryStatusTransitions") or []:
            status, message = str(step.get("Status", "?")), str(step.get("StatusMessage", ""))
            key = (status, str(step.get("StartTime", "")), message)
            if key not in self.seen:
                self.seen.add(key)
                line = f"Status  {status}: {message}" if message else f"Status  {status}"
                lines.append((epoch_ms(step.get("StartTime")), line))
        return lines

    def on_log_line(self, message: str, host: str, multi: bool) -> List[str]:
        lines = []
        for metric in self.metrics or ():
            value = metric_value(metric.pattern, message)
            if value is not None:
                where = f" ({host})" if multi else ""
                lines.append(f"Metric  {metric.name} = {value:g}{where}")
        return lines


def epoch_ms(when: Any) -> Optional[int]:
    """A time as CloudWatch stamps log events: milliseconds since the epoch (a naive datetime
    taken as UTC, as boto3's are not); None when there is none."""
    if isinstance(when, datetime):
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        return int(when.timestamp() * 1000)
    if isinstance(when, (int, float)) and not isinstance(when, bool):
        return int(when * 1000)
    return None


def final_metrics_line(description: dict) -> Optional[str]:
    """`Metrics: accuracy=0.93, loss=0.12` from FinalMetricDataList, when the job has any."""
    values = [
        f"{item['MetricName']}={item['Value']:g}"
        for item in description.get("FinalMetricDataList") or []
        if isinstance(item.get("Value"), (int, float)) and item.get("MetricName")
    ]
    return "Metrics: " + ", ".join(values) if values else None
