"""Input channels from S3 into each instance, output channels from each instance to S3."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from ...s3 import transfer as s3io
from ...s3.progress import files_text, format_size
from ...s3.uri import parse as parse_s3_uri
from ...s3.walk import walk
from .layout import Instance

Log = Optional[Callable[[Instance, str], None]]


def inputs_of(request: Dict[str, Any]) -> List[Dict[str, Any]]:
    return list(request.get("ProcessingInputs", []))


def outputs_of(request: Dict[str, Any], mode: str = "") -> List[Dict[str, Any]]:
    """The output channels (with `mode`, those of that upload mode)."""
    outputs = request.get("ProcessingOutputConfig", {}).get("Outputs", [])
    return [o for o in outputs if not mode or o["S3Output"]["S3UploadMode"] == mode]


def shard(items: List[s3io.Listed], instance: Instance) -> List[s3io.Listed]:
    """ShardedByS3Key: sorted keys, instance i gets every key whose index % N == i - 1."""
    ordered = sorted(items)
    return [p for n, p in enumerate(ordered) if n % instance.count == instance.index - 1]


def download_inputs(
    s3_client, request: Dict[str, Any], instances: List[Instance], log: Log = None
) -> None:
    """Download every input channel into every instance; raise with the channel's name.
    `log(instance, line)` tells what each instance is waiting for (big inputs take a while)."""
    for item in inputs_of(request):
        s3 = item["S3Input"]
        try:
            listed = s3io.listing(s3_client, s3["S3Uri"])
            bucket = parse_s3_uri(s3["S3Uri"]).bucket
            for instance in instances:
                mine = listed
                if s3.get("S3DataDistributionType") == "ShardedByS3Key":
                    mine = shard(listed, instance)
                if log is not None:
                    size = format_size(sum(entry[2] for entry in mine))
                    log(
                        instance,
                        f"downloading input {item['InputName']}: {files_text(len(mine))}, {size}",
                    )
                target = instance.path(s3["LocalPath"])
                check_targets(instance, target, mine)
                s3io.download_listing(s3_client, bucket, mine, target)
        except Exception as error:
            raise ChannelError(
                f"ClientError: Failed to download data for input {item['InputName']!r} "
                f"from {s3['S3Uri']}: {error}"
            ) from error


def drop_inputs(request: Dict[str, Any], instances: List[Instance]) -> None:
    """After the job: remove each instance's copy of its inputs, as AWS's instances go away
    with theirs (outputs, logs and the request stay for describe, logs and download)."""
    for item in inputs_of(request):
        for instance in instances:
            shutil.rmtree(instance.path(item["S3Input"]["LocalPath"]), ignore_errors=True)


def upload_outputs(s3_client, request: Dict[str, Any], instances: List[Instance]) -> None:
    """EndOfJob outputs: each instance's LocalPath tree to the output's S3Uri."""
    for item in outputs_of(request, "EndOfJob"):
        s3 = item["S3Output"]
        for instance in instances:
            local = instance.path(s3["LocalPath"])
            try:
                check_links(instance, local)
                if any(local.rglob("*")):
                    s3io.upload_tree(s3_client, local, s3["S3Uri"])
            except Exception as error:
                raise ChannelError(
                    f"ClientError: Failed to upload output {item['OutputName']!r} "
                    f"to {s3['S3Uri']}: {error}"
                ) from error


@dataclass
class ContinuousUploader:
    """Continuous outputs: upload files that are new or changed since the previous sync."""

    s3_client: Any
    request: Dict[str, Any]
    instances: List[Instance]
    seen: Dict[Tuple[str, Path], Tuple[int, int]] = field(default_factory=dict)

    def sync(self) -> None:
        items, stamps = [], {}
        for item in outputs_of(self.request, "Continuous"):
            s3 = item["S3Output"]
            target = parse_s3_uri(s3["S3Uri"])
            for instance in self.instances:
                local = instance.path(s3["LocalPath"])
                check_links(instance, local)
                for rel, file, stamp in self._changed(item["OutputName"], local):
                    items.append((file, target.bucket, target.join(rel).key))
                    stamps[(item["OutputName"], file)] = stamp
        if items:
            s3io.upload_files(self.s3_client, items)
        self.seen.update(stamps)  # only once uploaded: a failed sync is retried next time

    def _changed(self, name: str, local: Path) -> List[Tuple[str, Path, Tuple[int, int]]]:
        if not local.is_dir():
            return []
        changed = []
        for rel, found in walk(local, skip_junk=False, strict=False):
            file = found.path
            stamp = (found.size, found.mtime_ns)
            if self.seen.get((name, file)) != stamp:
                changed.append((rel, file, stamp))
        return changed


def check_targets(instance: Instance, folder: Path, items: List[s3io.Listed]) -> None:
    """Every file a download would write must land inside the instance, links resolved."""
    for _, rel, _ in items:
        target = folder.joinpath(*rel.split("/"))
        if not instance.contains(target):
            raise UnsafePathError(f"{rel!r} would be written outside the instance ({target})")


def check_links(instance: Instance, folder: Path) -> None:
    out = instance.links_out(folder) if folder.is_dir() else []
    if out:
        raise UnsafePathError(
            f"{out[0]!r} is a symbolic link to {os.path.realpath(folder / out[0])}, outside the "
            "instance; outputs are uploaded only from inside it"
        )


class UnsafePathError(Exception):
    """A path of a channel that leaves the instance's folder."""


class ChannelError(Exception):
    """A download or upload failed; the message is the job's FailureReason."""
