"""File names, ports and defaults of the embedded S3 server, and what a running one is."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

IDENTITIES_FILE = "identities.json"
LOG_FILE = "weed.log"
STATE_FILE = "server.json"
LOCK_FILE = "server.lock"
DEFAULT_SERVE_DIR = Path(".aws-sagemaker-remote") / "s3"
DEFAULT_REGION = "us-east-1"
SERVE_GRACE = 30.0

# SeaweedFS listens on each HTTP port + 10000 for gRPC; keep both below the ephemeral range
# (32768+) so outgoing connections do not take them, and below 55536 as weed requires.
GRPC_OFFSET = 10000
PORT_LOW, PORT_HIGH = 10000, 22000
PORT_NAMES = ("s3", "master", "volume", "filer")
START_ATTEMPTS = 3


@dataclass
class S3ServerInfo:
    endpoint: str
    access_key: str
    secret_key: str
    region: str = DEFAULT_REGION

    def env(self) -> dict[str, str]:
        """The environment variables that point boto3 (and the AWS CLI) at this server."""
        return {
            "AWS_ENDPOINT_URL_S3": self.endpoint,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_DEFAULT_REGION": self.region,
        }
