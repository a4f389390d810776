"""`rerun NAME -- ARGS...`: the script's own arguments replaced in a repeated request.

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
from ..errors import UsageError

USER_ARGC = c.ENV_PREFIX + "USER_ARGC"
JOB_FILE = c.ENV_PREFIX + "JOB_FILE"
JOB_FOLDER = c.CODE_ROOT + "/job"


def replace_script_args(
    request: Dict[str, Any], script_args: List[str], s3: Any, *, rerun_of: str
) -> None:
    """Put `script_args` in place of the user's own arguments of `request` (changed in place),
    a rerun of job `rerun_of`; `s3` (a boto3 S3 client) reads and stages job files."""
    env = request.setdefault("Environment", {})
    count = env.get(USER_ARGC, "")
    if not count.isdigit():
        raise UsageError(
            f"-- ARGS: job {rerun_of} does not record which of its arguments are the script's "
            "own (it was made by an older version); rerun it without -- ARGS"
        )
    app = request["AppSpecification"]
    job_file = _JobFile.find(request, s3)
    if job_file is not None and not isinstance(job_file.content, dict):
        raise UsageError(f"-- ARGS: the job file of job {rerun_of} is not a JSON object")
    old = job_file.content.get("argv") if job_file else None
    previous = old if old is not None else app.get("ContainerArguments", [])
    argv = list(script_args) + list(previous)[int(count) :]
    env[USER_ARGC] = str(len(script_args))
    if old is None and fits(argv):
        app["ContainerArguments"] = argv
        return
    app.pop("ContainerArguments", None)
    if job_file is None:
        job_file = _JobFile.new(request)
    job_file.content["argv"] = argv
    job_file.stage(request, s3, rerun_of)


def fits(argv: List[str]) -> bool:
    """Whether an argv may travel as ContainerArguments."""
    return 0 < len(argv) <= c.MAX_ARGUMENTS and all(len(a) <= c.MAX_ARGUMENT for a in argv)


class _JobFile:
    """A job's job.json: where it is in the container, which channel holds it, its content."""

    def __init__(self, path: str, channel: Optional[dict], content: Dict[str, Any]) -> None:
        self.path = path
        self.channel = channel
        self.content = content

    @classmethod
    def find(cls, request: dict, s3: Any) -> Optional[_JobFile]:
        path = request.get("Environment", {}).get(JOB_FILE)
        if not path:
            return None
        channel, rel = _channel_of(request, path)
        bucket, key = _split(_join(channel["S3Input"]["S3Uri"], rel))
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        return cls(path, channel, json.loads(body))

    @classmethod
    def new(cls, request: dict) -> _JobFile:
        """A job file for a job that had none: in the shared code channel if there is one."""
        return cls(f"{JOB_FOLDER}/job.json", _channel_named(request, c.SHARED_CODE_CHANNEL), {})

    def stage(self, request: dict, s3: Any, rerun_of: str) -> None:
        """Upload the new content and point the request at it."""
        from ..s3.digest import piece_digest

        body = json.dumps(self.content, indent=1, sort_keys=True).encode()
        request["Environment"][JOB_FILE] = self.path
        if self.channel is not None and self.channel["InputName"] == c.SHARED_CODE_CHANNEL:
            self._restage_bundle(s3, body)
            return
        base = _code_base(request)
        uri = f"{base}job-{piece_digest([('job.json', body)])}/"
        bucket, key = _split(uri + "job.json")
        s3.put_object(Bucket=bucket, Key=key, Body=body)
        if self.channel is None:
            self.channel = _new_channel(request, uri, rerun_of)
        self.channel["S3Input"]["S3Uri"] = uri

    def _restage_bundle(self, s3: Any, body: bytes) -> None:
        """The shared code channel holds every code piece: copy it with the new job file."""
        from ..s3.digest import piece_digest

        old = self.channel["S3Input"]["S3Uri"]
        rel = posixpath.relpath(self.path, self.channel["S3Input"]["LocalPath"])
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
        self.channel["S3Input"]["S3Uri"] = new


def _channel_of(request: dict, path: str) -> Tuple[dict, str]:
    for channel in request.get("ProcessingInputs", []):
        local = channel.get("S3Input", {}).get("LocalPath", "").rstrip("/")
        if local and path.startswith(local + "/"):
            return channel, path[len(local) + 1 :]
    raise UsageError(f"-- ARGS: no input channel of the job holds its job file {path}")


def _channel_named(request: dict, name: str) -> Optional[dict]:
    for channel in request.get("ProcessingInputs", []):
        if channel.get("InputName") == name:
            return channel
    return None


def _new_channel(request: dict, uri: str, rerun_of: str) -> dict:
    inputs = request.setdefault("ProcessingInputs", [])
    if len(inputs) >= c.MAX_CHANNELS:
        raise UsageError(
            f"-- ARGS: these arguments need a job file, and job {rerun_of} "
            f"already has {c.MAX_CHANNELS} input channels; run the script again instead"
        )
    channel = {
        "InputName": "code-job",
        "AppManaged": False,
        "S3Input": {
            "S3Uri": uri,
            "LocalPath": JOB_FOLDER,
            "S3DataType": "S3Prefix",
            "S3InputMode": "File",
            "S3DataDistributionType": "FullyReplicated",
            "S3CompressionType": "None",
        },
    }
    inputs.append(channel)
    return channel


def _code_base(request: dict) -> str:
    """`s3://BUCKET/PREFIX/code/`, from the channel of the script (or any code piece)."""
    for channel in request.get("ProcessingInputs", []):
        if channel.get("InputName", "").startswith("code-"):
            uri = channel["S3Input"]["S3Uri"].rstrip("/")
            return uri.rsplit("/", 1)[0] + "/"
    raise UsageError("-- ARGS: the job has no code channel to stage a job file beside")


def _join(prefix_uri: str, rel: str) -> str:
    return prefix_uri.rstrip("/") + "/" + rel


def _split(uri: str) -> Tuple[str, str]:
    bucket, _, key = uri[len("s3://") :].partition("/")
    return bucket, key
