"""Input channels from S3 into each instance, output channels from each instance to S3."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Tuple

from ...s3 import transfer as s3io
from ...s3.digest import tree_files
from ...s3.uri import parse as parse_s3_uri
from .layout import Instance


def inputs_of(request: Dict[str, Any]) -> List[Dict[str, Any]]:
    return list(request.get("ProcessingInputs", []))


def outputs_of(request: Dict[str, Any], mode: str) -> List[Dict[str, Any]]:
    outputs = request.get("ProcessingOutputConfig", {}).get("Outputs", [])
    return [o for o in outputs if o["S3Output"]["S3UploadMode"] == mode]


def shard(items: List[s3io.Listed], instance: Instance) -> List[s3io.Listed]:
    """ShardedByS3Key: sorted keys, instance i gets every key whose index % N == i - 1."""
    ordered = sorted(items)
    return [p for n, p in enumerate(ordered) if n % instance.count == instance.index - 1]


def download_inputs(s3_client, request: Dict[str, Any], instances: List[Instance]) -> None:
    """Download every input channel into every instance; raise with the channel's name."""
    for item in inputs_of(request):
        s3 = item["S3Input"]
        try:
            listed = s3io.listing(s3_client, s3["S3Uri"])
            bucket = parse_s3_uri(s3["S3Uri"]).bucket
            for instance in instances:
                mine = listed
                if s3.get("S3DataDistributionType") == "ShardedByS3Key":
                    mine = shard(listed, instance)
                target = instance.path(s3["LocalPath"])
                check_targets(instance, target, mine)
                s3io.download_listing(s3_client, bucket, mine, target)
        except Exception as error:
            raise ChannelError(
                f"ClientError: Failed to download data for input {item['InputName']!r} "
                f"from {s3['S3Uri']}: {error}"
            ) from error


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
        for rel, file in tree_files(local, skip_junk=False):
            try:
                stat = file.stat()
            except FileNotFoundError:
                continue
            stamp = (stat.st_size, stat.st_mtime_ns)
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
