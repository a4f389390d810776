"""FinalMetricDataList: the MetricDefinitions' regular expressions applied to the job's log lines.

"To find a metric, Amazon SageMaker searches the logs that your algorithm emits and finds logs
that match the regular expression that you specify for that metric"; DescribeTrainingJob gives
"the metric values that it computes in its final iteration" (SageMaker Developer Guide,
training-metrics.html): here the last match of each metric, its value the regex's first group
(the whole match without a group) read as a number; a match that is not a number is skipped.
The emulator's own `[local emulator]` lines are not the algorithm's and are not searched.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Dict, List, Tuple

from .....contract import metric_value
from ...logfile import MAX_EVENTS, read_forward

EMULATOR_PREFIX = "[local emulator]"


class MetricScanner:
    def __init__(self, definitions: List[Dict[str, str]], log_files: List[Path]) -> None:
        self.patterns = [(d["Name"], re.compile(d["Regex"])) for d in definitions]
        self.offsets = {path: 0 for path in log_files}
        self.latest: Dict[str, Tuple[float, int]] = {}

    def scan(self) -> bool:
        """Read the lines written since the last scan; whether a metric changed."""
        if not self.patterns:
            return False
        changed = False
        for path, offset in self.offsets.items():
            if not path.exists():
                continue
            while True:
                _, end, lines = read_forward(path, offset, MAX_EVENTS)
                if not lines:
                    break
                offset = self.offsets[path] = end
                for line in lines:
                    changed = self._match(json.loads(line)) or changed
        return changed

    def _match(self, event: Dict[str, Any]) -> bool:
        message = event["message"]
        if message.startswith(EMULATOR_PREFIX):
            return False
        found = False
        for name, pattern in self.patterns:
            value = metric_value(pattern, message)
            if value is not None:
                self.latest[name] = (value, event["timestamp"])
                found = True
        return found

    def final(self) -> List[Dict[str, Any]]:
        """MetricData items (MetricName, Value, Timestamp in epoch seconds), in the order of the
        definitions."""
        return [
            {"MetricName": name, "Value": value, "Timestamp": stamp / 1000}
            for name, _ in self.patterns
            if name in self.latest
            for value, stamp in [self.latest[name]]
        ]
