"""The processing job as the emulator's caller side answers for it: what a CreateProcessingJob
request may hold to be run here (S3 inputs and outputs under /opt/ml/processing/), and its list
summary (botocore's ProcessingJobSummary)."""

from __future__ import annotations

import posixpath
from typing import Any, Dict, Iterable

from ....kinds.processing import PROCESSING
from ....kinds.processing import ROOT as PROCESSING_ROOT
from .emulated import EmulatedKind
from .problems import data_type_problems, duplicate_names, entrypoint_problems, uri_problems


class Processing(EmulatedKind):
    summary_fields = (
        "ProcessingJobName",
        "ProcessingJobArn",
        "CreationTime",
        "ProcessingEndTime",
        "LastModifiedTime",
        "ProcessingJobStatus",
        "FailureReason",
        "ExitMessage",
    )

    def request_problems(self, request: Dict[str, Any]) -> Iterable[str]:
        yield from entrypoint_problems("AppSpecification", request["AppSpecification"])
        inputs = request.get("ProcessingInputs", [])
        outputs = request.get("ProcessingOutputConfig", {}).get("Outputs", [])
        yield from duplicate_names("ProcessingInputs", [i["InputName"] for i in inputs])
        yield from duplicate_names("Outputs", [o["OutputName"] for o in outputs])
        for item in inputs:
            yield from _input_problems(item)
        for item in outputs:
            yield from _output_problems(item)


def _input_problems(item: Dict[str, Any]) -> Iterable[str]:
    where = f"input {item['InputName']!r}"
    if item.get("AppManaged"):
        yield f"{where}: AppManaged inputs are not supported"
    if "DatasetDefinition" in item or "S3Input" not in item:
        yield f"{where}: only S3Input is supported (not DatasetDefinition)"
        return
    s3 = item["S3Input"]
    yield from data_type_problems(where, s3["S3DataType"])
    if s3.get("S3CompressionType", "None") != "None":
        yield f"{where}: S3CompressionType {s3['S3CompressionType']} is not supported"
    yield from uri_problems(where, s3["S3Uri"])
    yield from _local_path_problems(where, s3.get("LocalPath"))


def _output_problems(item: Dict[str, Any]) -> Iterable[str]:
    where = f"output {item['OutputName']!r}"
    if item.get("AppManaged"):
        yield f"{where}: AppManaged outputs are not supported"
    if "FeatureStoreOutput" in item or "S3Output" not in item:
        yield f"{where}: only S3Output is supported (not FeatureStoreOutput)"
        return
    s3 = item["S3Output"]
    yield from uri_problems(where, s3["S3Uri"])
    yield from _local_path_problems(where, s3.get("LocalPath"))


def _local_path_problems(where: str, path: Any) -> Iterable[str]:
    if not path:
        yield f"{where}: LocalPath is required"
        return
    normalized = posixpath.normpath(path)
    if not normalized.startswith(PROCESSING_ROOT + "/"):
        yield f"{where}: LocalPath {path!r} must be a directory under {PROCESSING_ROOT}/"


EMULATED = Processing(PROCESSING)
