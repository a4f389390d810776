"""JobSpec + resolved names -> JobPlan: the uploads and the exact Create*Job request. This
module makes what every kind shares (the code pieces and their channels, the arguments, the job
file, the staged inputs); the kind's pipeline module makes its request from them.

Pure: it reads the files it will upload (to name them by content) but writes nothing and calls
nothing. docs/architecture.md shows the container layout it produces.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from ..container import protocol
from ..contract import fits_arguments
from ..errors import UsageError
from ..flags import flag_of
from ..kinds import home
from ..s3.digest import piece_digest
from ..s3.uploads import Upload
from ..s3.walk import UnstageableFile
from .layout import (
    Layout,
    code_pieces,
    data_type,
    input_files,
    input_layout,
    non_empty,
)
from .parts import Arguments, pythonpath
from .resolve import Resolved, with_locations
from .spec import InputSpec, JobSpec


@dataclass
class JobPlan:
    """`expected_owner`: bucket -> account that must own it (`Resolved.expected_owner`); S3
    calls on such a bucket pass `ExpectedBucketOwner=plan.bucket_owner(bucket)`."""

    uploads: List[Upload]
    request: dict
    expected_owner: Dict[str, str] = field(default_factory=dict)

    def bucket_owner(self, bucket: str) -> Optional[str]:
        return self.expected_owner.get(bucket)

    def to_json(self) -> dict:
        return {"request": self.request, "uploads": [u.to_json() for u in self.uploads]}


def make_plan(spec: JobSpec, resolved: Resolved, support_dir: Optional[Path] = None) -> JobPlan:
    support_dir = support_dir or Path(__file__).resolve().parents[1]
    spec = with_locations(spec, resolved)
    own = home(__package__, spec.kind)
    pieces = code_pieces(spec, support_dir)
    inputs = [i for i in spec.inputs if i.value]
    limits = spec.limits
    for shared in (False, True):
        layout = Layout(spec, resolved, pieces, shared)
        arguments = _arguments(spec, layout, inputs)
        job_file = _job_file(spec, arguments.argv, pythonpath(spec, layout),
                             layout.placed_folders(), limits.env_value)  # fmt: skip
        if job_file is not None:
            layout.add_job_file(job_file)
        if len(inputs) + layout.channel_count() <= limits.channels:
            staged, input_uploads = stage_inputs(layout, inputs)
            request = own.request(spec, resolved, layout, staged, arguments, job_file)
            code = layout.uploads()
            for upload in code:
                check_key_lengths(upload, upload.label())
            uploads = code + input_uploads
            return JobPlan(uploads, request, dict(resolved.expected_owner))
    raise UsageError(
        f"inputs: {len(inputs)} inputs leave no room for the code channel; SageMaker allows "
        f"{limits.channels} input channels in all, so give at most {limits.channels - 1} inputs"
    )


def _arguments(spec: JobSpec, layout: Layout, inputs: List[InputSpec]) -> Arguments:
    """The user's options as hyperparameters when the kind has them and they can be, and the
    plan's arguments fit the request; else the user's tokens before the plan's."""
    added = _added_argv(spec, layout, inputs)
    found = home(__package__, spec.kind).hyperparameters_of(spec) if fits_arguments(added) else None
    if found is not None:
        return Arguments(added, len(found.argv), found.values, found.flags)
    return Arguments(spec.user_argv + added, len(spec.user_argv))


def _added_argv(spec: JobSpec, layout: Layout, inputs: List[InputSpec]) -> List[str]:
    """The arguments the plan adds after the user's: each input, folder and module flag with
    its container path (an input without a value gets an empty one), then `--sagemaker-run no`."""
    given = {i.name for i in inputs}
    argv: List[str] = []
    for item in spec.inputs:
        argv += [flag_of(item.name), layout.input_path(item) if item.name in given else ""]
    for name, folder in layout.output_folders():
        argv += [flag_of(name), folder]
    for module in spec.modules:
        argv += [flag_of(module.name), layout.file_path(f"module-{module.name}")]
    return argv + ["--sagemaker-run", "no"]


def _job_file(
    spec: JobSpec, argv: List[str], pythonpath: List[str], place: List[str], longest: int
) -> Optional[bytes]:
    """What does not fit the request's limits: long or many arguments, a long configuration
    command, a PYTHONPATH or a list of folders to place too long for one environment value."""
    content: Dict[str, object] = {}
    if not fits_arguments(argv):
        content[protocol.JOB_ARGV] = argv
    if len(":".join(pythonpath)) > longest:
        content[protocol.JOB_PYTHONPATH] = pythonpath
    if len(":".join(place)) > longest:
        content[protocol.JOB_PLACE] = place
    command = spec.configuration_command
    if command and len(command) > longest:
        content[protocol.JOB_CONFIGURATION_COMMAND] = command
    if not content:
        return None
    return json.dumps(content, indent=1, sort_keys=True).encode()


MAX_KEY_BYTES = 1024  # "a maximum length of 1,024 bytes" (S3 User Guide, object-keys.html)


def check_key_lengths(upload: Upload, what: str) -> None:
    """Refuse, before anything is sent, a file whose S3 key in its version (the store's prefix,
    the version, its relative path: what a prefix channel holds) would pass S3's 1,024 bytes."""
    prefix = upload.store.prefix_key(upload.version)
    for rel, _ in upload.files:
        size = len((prefix + rel).encode("utf-8"))
        if size > MAX_KEY_BYTES:
            raise UsageError(
                f"{what}: {rel!r}: its S3 key would be {size} bytes ({prefix}...), and S3 keys "
                f"are at most {MAX_KEY_BYTES} bytes "
                "(https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html); "
                "shorten its path"
            )


def stage_inputs(
    layout: Layout, inputs: List[InputSpec]
) -> Tuple[List[Tuple[InputSpec, str, str]], List[Upload]]:
    """Each input with the S3 URI and S3DataType of its channel (an s3:// input in place, a
    local one staged as the version `inputs/NAME-DIGEST`), and the uploads of the local ones."""
    staged, uploads = [], []
    for item in inputs:
        if item.value.startswith("s3://"):
            staged.append((item, item.value, "S3Prefix"))
            continue
        path = Path(item.value)
        try:
            files = non_empty(flag_of(item.name), path, input_files(path))
        except UnstageableFile as error:
            raise UnstageableFile(f"{flag_of(item.name)}: {error}") from None
        version = f"inputs/{item.name}-{piece_digest(files)}"
        how = input_layout(item.mode, item.distribution)
        upload = Upload(path, layout.base, version, files, item.name, how)
        check_key_lengths(upload, flag_of(item.name))
        uploads.append(upload)
        staged.append((item, upload.channel_uri, data_type(upload)))
    return staged, uploads
