"""File names, ports and defaults of the embedded S3 server, and what a running one is."""

from __future__ import annotations

from dataclasses import dataclass

IDENTITIES_FILE = "identities.json"
LOG_FILE = "weed.log"
STATE_FILE = "server.json"
LOCK_FILE = "server.lock"
DEFAULT_REGION = "us-east-1"
# SIGTERM stops `weed mini` in about a second (S3 and the filer first, then the volume server);
# about one stop in 25, its volume server waits ~30 s for its maintenance worker's connections.
# By then every request has been answered and written, so it is killed after this long.
STOP_GRACE = 2.5

# SeaweedFS listens on each HTTP port + 10000 for gRPC; keep both below the ephemeral range
# (32768+) so outgoing connections do not take them, and below 55536 as weed requires.
GRPC_OFFSET = 10000
PORT_LOW, PORT_HIGH = 10000, 22000
PORT_NAMES = ("s3", "master", "volume", "filer", "admin")
START_ATTEMPTS = 3
READY_POLL_SECONDS = 0.05

# Capacity. Each bucket is a collection that grows `copy_1` volumes at a time (7 by default, so
# 100 volumes filled up after ~14 buckets); one at a time, a volume is made only when needed.
# Volumes are sparse files, so their count limits nothing but bookkeeping.
WEED_ENV = {"WEED_MASTER_VOLUME_GROWTH_COPY_1": "1"}
# Never passed to weed: `weed mini` turns AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY into an S3 user
# of its own (the caller's real keys would be stored in its data), S3_BUCKET etc. into buckets,
# and WEED_* variables override its configuration.
WEED_ENV_DROPPED_PREFIXES = ("AWS_", "S3_", "WEED_")
VOLUME_SIZE_MB = 1024
MAX_VOLUMES = 2000


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
