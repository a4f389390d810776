"""`rerun NAME -- ARGS...`: the script's own arguments replaced in a repeated request (either
kind of job).

The container argv is the user's tokens followed by what the plan added (`--INPUT path`,
`--OUTPUT path`, `--MODULE path`, `--sagemaker-run no`); the request's Environment records how
many tokens were the user's (`AWS_SAGEMAKER_REMOTE_USER_ARGC`). The argv travels as
ContainerArguments, or in the staged job file when it did not fit the request's limits: then a
new job file is staged (content-addressed, beside the old one) and the request points at it.
"""

from __future__ import annotations

import json
import posixpath
from typing import Any, Dict, List, Optional, Tuple

from .. import contract as c
from ..container import protocol
from ..errors import UsageError
from ..kinds import Channel, kind_of
from ..pipeline.layout import channel_name, piece_folder

USER_ARGC, JOB_FILE = protocol.USER_ARGC, protocol.JOB_FILE
# Present when the user's arguments travelled as HyperParameters (the earlier name included).
FROM_HYPERPARAMETERS = (protocol.HYPERPARAMETER_FLAGS, protocol.EARLIER_ARGV_SOURCE)


def replace_script_args(
    request: Dict[str, Any], script_args: List[str], s3: Any, *, rerun_of: str
) -> None:
    """Put `script_args` in place of the user's own arguments of `request` (changed in place),
    a rerun of job `rerun_of`; `s3` (a boto3 S3 client) reads and stages job files.

    A training job whose arguments travelled as HyperParameters gets them as arguments instead:
    without the script's parser, which new tokens are options with values cannot be told."""
    env = request.setdefault("Environment", {})
    count = env.get(USER_ARGC, "")
    if not count.isdigit():
        raise UsageError(
            f"-- ARGS: job {rerun_of} does not record which of its arguments are the script's "
            "own (it was made by an older version); rerun it without -- ARGS"
        )
    channels = _Channels(request)
    kind = channels.kind
    job_file = _JobFile.find(channels, s3)
    if job_file is not None and not isinstance(job_file.content, dict):
        raise UsageError(f"-- ARGS: the job file of job {rerun_of} is not a JSON object")
    old = job_file.content.get(protocol.JOB_ARGV) if job_file else None
    previous = _argv(request, job_file)
    if [env.pop(name) for name in FROM_HYPERPARAMETERS if name in env]:
        request.pop("HyperParameters", None)
        count = "0"  # ContainerArguments hold only the plan's own arguments
    argv = list(script_args) + list(previous)[int(count) :]
    env[USER_ARGC] = str(len(script_args))
    if old is None and c.fits_arguments(argv):
        kind.set_arguments(request, argv)
        return
    kind.set_arguments(request, None)
    if job_file is None:
        job_file = _JobFile.new(channels)
    job_file.content[protocol.JOB_ARGV] = argv
    job_file.stage(channels, s3, rerun_of)


def recorded_argv(request: Dict[str, Any], s3: Any) -> Tuple[List[str], Optional[int]]:
    """The script's argv a job ran with (ContainerArguments, or its job file's when the argv
    travelled in one: `s3` reads it), and how many of its first items are the user's own
    (None when the job does not say). A job whose arguments are its HyperParameters has only
    the plan's here (and says 0)."""
    job_file = _JobFile.find(_Channels(request), s3)
    if job_file is not None and not isinstance(job_file.content, dict):
        raise ValueError(f"its job file {job_file.path} is not a JSON object")
    env = request.get("Environment", {})
    count = env.get(USER_ARGC, "")
    if any(name in env for name in FROM_HYPERPARAMETERS):
        count = "0"
    return _argv(request, job_file), int(count) if count.isdigit() else None


def _argv(request: Dict[str, Any], job_file: Optional[_JobFile]) -> List[str]:
    old = job_file.content.get(protocol.JOB_ARGV) if job_file else None
    return list(old if old is not None else kind_of(request).app(request).arguments or [])


class _Channels:
    """A request's input channels through its kind's views: names, S3 URIs, container
    folders, by their place in the request's list."""

    def __init__(self, request: Dict[str, Any]) -> None:
        self.request = request
        self.kind = kind_of(request)
        self.items: List[dict] = self.kind.channel_items(request)

    def record(self, index: int) -> Channel:
        return self.kind.channels(self.request)[index]

    def name(self, index: int) -> str:
        return self.record(index).name

    def uri(self, index: int) -> str:
        return self.record(index).uri

    def set_uri(self, index: int, uri: str) -> None:
        self.kind.set_channel_uri(self.items[index], uri)

    def local(self, index: int) -> str:
        return self.record(index).local_path.rstrip("/")

    def named(self, name: str) -> Optional[int]:
        names = [channel.name for channel in self.kind.channels(self.request)]
        return names.index(name) if name in names else None

    def job_folder(self) -> str:
        """Where a new job file goes: its own channel, or the shared code channel's job/."""
        shared = self.named(c.SHARED_CODE_CHANNEL)
        if shared is not None:
            return f"{self.local(shared)}/job"
        return piece_folder(self.kind, "job")

    def add(self, uri: str, rerun_of: str) -> int:
        most = self.kind.limits.channels
        if len(self.items) >= most:
            raise UsageError(
                f"-- ARGS: these arguments need a job file, and job {rerun_of} "
                f"already has {most} input channels; run the script again instead"
            )
        name = channel_name("job")
        self.items.append(self.kind.new_channel(name, uri, piece_folder(self.kind, "job")))
        return len(self.items) - 1


class _JobFile:
    """A job's job.json: where it is in the container, which channel holds it, its content."""

    def __init__(self, path: str, channel: Optional[int], content: Dict[str, Any]) -> None:
        self.path = path
        self.channel = channel
        self.content = content

    @classmethod
    def find(cls, channels: _Channels, s3: Any) -> Optional[_JobFile]:
        path = channels.request.get("Environment", {}).get(JOB_FILE)
        if not path:
            return None
        channel, rel = _channel_of(channels, path)
        bucket, key = _split(_join(channels.uri(channel), rel))
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        return cls(path, channel, json.loads(body))

    @classmethod
    def new(cls, channels: _Channels) -> _JobFile:
        """A job file for a job that had none: in the shared code channel if there is one."""
        shared = channels.named(c.SHARED_CODE_CHANNEL)
        return cls(f"{channels.job_folder()}/{protocol.JOB_FILE_NAME}", shared, {})

    def stage(self, channels: _Channels, s3: Any, rerun_of: str) -> None:
        """Upload the new content and point the request at it."""
        from ..s3.digest import piece_digest

        body = json.dumps(self.content, indent=1, sort_keys=True).encode()
        channels.request["Environment"][JOB_FILE] = self.path
        if self.channel is not None and channels.name(self.channel) == c.SHARED_CODE_CHANNEL:
            self._restage_bundle(channels, s3, body)
            return
        base = _code_base(channels)
        uri = f"{base}job-{piece_digest([(protocol.JOB_FILE_NAME, body)])}/"
        bucket, key = _split(uri + protocol.JOB_FILE_NAME)
        s3.put_object(Bucket=bucket, Key=key, Body=body)
        if self.channel is None:
            self.channel = channels.add(uri, rerun_of)
        channels.set_uri(self.channel, uri)

    def _restage_bundle(self, channels: _Channels, s3: Any, body: bytes) -> None:
        """The shared code channel holds every code piece: copy it with the new job file."""
        from ..s3.digest import piece_digest

        old = channels.uri(self.channel)
        rel = posixpath.relpath(self.path, channels.local(self.channel))
        digest = piece_digest([("bundle", old.encode()), (rel, body)])
        new = f"{old.rstrip('/').rsplit('/', 1)[0]}/bundle-{digest}/"
        bucket, prefix = _split(old)
        new_bucket, new_prefix = _split(new)
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                name = item["Key"][len(prefix) :]
                if name != rel:
                    source = {"Bucket": bucket, "Key": item["Key"]}
                    s3.copy(source, new_bucket, new_prefix + name)
        s3.put_object(Bucket=new_bucket, Key=new_prefix + rel, Body=body)
        channels.set_uri(self.channel, new)


def _channel_of(channels: _Channels, path: str) -> Tuple[int, str]:
    for index in range(len(channels.items)):
        local = channels.local(index)
        if local and path.startswith(local + "/"):
            return index, path[len(local) + 1 :]
    raise UsageError(f"-- ARGS: no input channel of the job holds its job file {path}")


def _code_base(channels: _Channels) -> str:
    """`s3://BUCKET/PREFIX/code/`, from the channel of the script (or any code piece)."""
    for index in range(len(channels.items)):
        if channels.name(index).startswith("code-"):
            return channels.uri(index).rstrip("/").rsplit("/", 1)[0] + "/"
    raise UsageError("-- ARGS: the job has no code channel to stage a job file beside")


def _join(prefix_uri: str, rel: str) -> str:
    return prefix_uri.rstrip("/") + "/" + rel


def _split(uri: str) -> Tuple[str, str]:
    bucket, _, key = uri[len("s3://") :].partition("/")
    return bucket, key
