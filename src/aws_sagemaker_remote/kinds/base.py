"""What every job kind is: its names in SageMaker's API, its limits and defaults, and read-only
views over its requests and descriptions (each kind's `entry.py` fills them in).

Standard library only and neither `typing` nor `dataclasses` at run time. A local run does not
import it: a face needs only its kind's data (`kinds/<kind>/__init__.py`).
"""

from .records import Checkpoint, Defaults, Mounts

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Tuple

    from .records import App, Channel, Output


class Limits:
    """The limits of one job kind's request that the checks and the plan read."""

    __slots__ = ("inputs", "channels", "outputs", "env_value", "kind_variables", "runtime",
                 "instance_count")  # fmt: skip

    def __init__(self, inputs, channels, outputs, env_value, kind_variables, runtime,
                 instance_count):  # fmt: skip
        self.inputs = inputs  # the user's inputs
        self.channels = channels  # input channels in all, code included
        self.outputs = outputs  # the user's outputs
        self.env_value = env_value  # Environment keys and values, each
        self.kind_variables = kind_variables  # the plan adds the kind's own variables
        self.runtime = runtime  # MaxRuntimeInSeconds
        self.instance_count = instance_count  # None: only the account's quota

    @property
    def reserved_env(self) -> int:
        """Environment entries the plan may add (container/protocol.py): every kind's, and the
        kind's own when it has them."""
        from ..container.protocol import KIND_VARIABLES, PLAN_VARIABLES

        return len(PLAN_VARIABLES) + (len(KIND_VARIABLES) if self.kind_variables else 0)


class JobKind:
    """One kind of SageMaker job: the names of its operations and fields, its log group and
    console page, where its container finds things, and views over its requests and
    descriptions. Each view reads what a request, a description or a list summary has and
    tolerates what it lacks. A kind is one instance of a subclass (`kinds/<kind>.py`)."""

    name = ""  # the job command and the module of the kind in each layer
    title = ""  # in the API's names: Create<Title>Job, <Title>JobName
    log_group = ""
    console_page = ""  # the SageMaker console's page of such jobs
    arn_resource = ""  # arn:...:sagemaker:REGION:ACCOUNT:<arn_resource>/NAME
    limits: "Limits"
    defaults: "Defaults"
    mounts = Mounts("", "", "")
    # Where channels land: None when each channel names its own container path (LocalPath),
    # else the folder holding one sub-folder per channel.
    channel_root: "Optional[str]" = None
    code_root = ""  # the container folder of the shared code channel
    # Folders the script writes whose container place is fixed: (flag dest, container folder).
    script_folders: "Tuple[Tuple[str, str], ...]" = ()
    managed_spot = False  # may run on managed spot capacity (and be interrupted)
    checkpoint_dir = ""  # CheckpointConfig.LocalPath's default
    # A file input in Pipe mode is read from its channel's folder (no file under it).
    pipe_is_folder = False
    message_file = ""  # the container file the platform publishes as the failure's reason
    rerun_fields: "Tuple[str, ...]" = ()  # what a rerun copies from a description
    required_fields: "Tuple[str, ...]" = ()  # what a description must have to be rerun
    _resources: "Tuple[str, ...]" = ()  # the path to the cluster's settings in a request

    # ------------------------------------------------------------------ names

    def operation(self, verb: str) -> str:
        """The boto3 method: `describe` -> `describe_<name>_job`, `list` -> `list_<name>_jobs`."""
        return f"list_{self.name}_jobs" if verb == "list" else f"{verb}_{self.name}_job"

    def api_operation(self, verb: str) -> str:
        """The API's operation name: `Create` -> `Create<Title>Job`, `List` -> `List<Title>Jobs`."""
        return f"{verb}{self.title}Jobs" if verb == "List" else f"{verb}{self.title}Job"

    def field(self, suffix: str) -> str:
        """`Name` -> `<Title>JobName`; `Summaries` -> `<Title>JobSummaries`."""
        return f"{self.title}Job{suffix}"

    def arn(self, partition: str, region: str, account: str, name: str) -> str:
        return f"arn:{partition}:sagemaker:{region}:{account}:{self.arn_resource}/{name}"

    def __repr__(self) -> str:
        return f"JobKind({self.name!r})"

    # ------------------------------------------------------------------ status

    def status(self, description: dict) -> str:
        return description.get(self.field("Status"), "?")

    def job_name(self, description: dict) -> str:
        return description.get(self.field("Name"), "?")

    def start_time(self, description: dict) -> "Any":
        return description.get(f"{self.title}StartTime") or description.get("CreationTime")

    def end_time(self, description: dict) -> "Any":
        return description.get(f"{self.title}EndTime") or description.get("LastModifiedTime")

    def end_field(self) -> str:
        return f"{self.title}EndTime"

    def time_fields(self) -> "Tuple[str, ...]":
        title = self.title
        return ("CreationTime", f"{title}StartTime", f"{title}EndTime", "LastModifiedTime")

    def cluster(self, request: dict) -> "Dict[str, Any]":
        """InstanceCount, InstanceType, VolumeSizeInGB, VolumeKmsKeyId (what is there)."""
        found: Any = request
        for key in self._resources:
            found = found.get(key) if isinstance(found, dict) else None
        return found if isinstance(found, dict) else {}

    def instance_count(self, request: dict) -> int:
        count = self.cluster(request).get("InstanceCount")
        return count if isinstance(count, int) and count > 0 else 1

    # ------------------------------------------------------------------ views

    def channels(self, request: dict) -> "List[Channel]":
        raise NotImplementedError

    def app(self, request: dict) -> "App":
        raise NotImplementedError

    def outputs(self, request: dict) -> "List[Output]":
        """Every place the job writes in S3 that a user may download, archives included."""
        raise NotImplementedError

    def written_prefixes(self, request: dict) -> "List[str]":
        """The S3 prefixes the job writes under (where the platform puts more than the
        outputs, its root)."""
        return [output.uri for output in self.outputs(request) if output.uri]

    def model_archive(self, description: dict) -> "Optional[str]":  # noqa: ARG002
        """The S3 URI of the model the job made, when its kind makes one."""
        return None

    def output_kms_key(self, request: dict) -> "Optional[str]":
        raise NotImplementedError

    def vpc(self, request: dict) -> "Optional[dict]":
        raise NotImplementedError

    def checkpoint(self, request: dict) -> "Optional[Checkpoint]":
        config = request.get("CheckpointConfig") or {}
        if not config.get("S3Uri"):
            return None
        return Checkpoint(config["S3Uri"], config.get("LocalPath") or self.checkpoint_dir)

    def hyperparameters(self, request: dict) -> "Dict[str, str]":
        """HyperParameters, for a kind whose requests have them (none: {})."""
        found = request.get("HyperParameters")
        return dict(found) if isinstance(found, dict) else {}

    def spot(self, request: dict) -> bool:  # noqa: ARG002
        """Whether the job runs on managed spot capacity."""
        return False

    def results(self, description: dict) -> "Dict[str, str]":
        """Output name -> S3 URI of what the job leaves behind (`job:NAME/OUTPUT`, download)."""
        return {output.name: output.uri for output in self.outputs(description) if output.uri}

    # ------------------------------------------------------------------ builders

    def channel_items(self, request: dict) -> "List[dict]":
        """The request's own list of input channels (made when absent), to add to."""
        raise NotImplementedError

    def new_channel(
        self,
        name: str,
        uri: str,
        local_path: str,
        mode="File",
        distribution="FullyReplicated",
        data_type="S3Prefix",
    ) -> dict:
        raise NotImplementedError

    def channel_name(self, item: dict) -> str:
        raise NotImplementedError

    def set_channel_uri(self, item: dict, uri: str) -> None:
        raise NotImplementedError

    def set_arguments(self, request: dict, argv: "Optional[List[str]]") -> None:
        """ContainerArguments set to `argv`, or removed (None)."""
        app = request[self._app_field]
        if argv is None:
            app.pop("ContainerArguments", None)
        else:
            app["ContainerArguments"] = argv

    def set_checkpoint_uri(self, request: dict, uri: str) -> None:
        """CheckpointConfig.S3Uri set to `uri` (a request that has a CheckpointConfig)."""
        request["CheckpointConfig"]["S3Uri"] = uri

    def job_named_locations(self, request: dict) -> "List[dict]":
        """The parts of a request whose `S3Uri` the job's name may be a segment of (a rerun
        moves them to its new name)."""
        found = request.get("CheckpointConfig", {})
        return [found] if found.get("S3Uri") else []

    _app_field = ""


def s3_source(item: dict, *path: str) -> dict:
    """The dict at `path` in a channel (empty when absent)."""
    found: Any = item
    for key in path:
        found = found.get(key) if isinstance(found, dict) else None
    return found if isinstance(found, dict) else {}
