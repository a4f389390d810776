"""What of the caller's environment reaches an emulated job's script.

On SageMaker the platform downloads and uploads with the job's role, and the container sees only
its image's environment, the request's Environment and what the platform adds. The emulator's
runner works with the caller's credentials (it plays the platform), but the script gets a
minimal base: the variables below, region and S3 endpoint, and no credentials, profile, AWS
config or credential file paths, unless the caller sets `AWS_SAGEMAKER_REMOTE_PASS_CREDENTIALS=1`.
When the emulator talks to the embedded S3 server (s3endpoint.py), that server is the job's S3:
its endpoint, and with the opt-in its keys, never the caller's own credentials.
docs/usage.md ("What a job sees") lists the same; keep the two in step.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, Mapping, Optional

from ....aws.credentials import is_credential_name
from ....flags import TRUE_WORDS
from ....s3server.settings import S3ServerInfo
from ....settings import PASS_CREDENTIALS_ENV

BASE_NAMES = frozenset(
    (
        "PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TZ", "TERM",
        "TMPDIR", "TEMP", "TMP", "LD_LIBRARY_PATH",
        "XDG_CACHE_HOME", "XDG_CONFIG_HOME",
        "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "AWS_CA_BUNDLE",
        "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY",
        "http_proxy", "https_proxy", "no_proxy", "all_proxy",
        "CUDA_VISIBLE_DEVICES",
        "PYTHONUNBUFFERED", "PYTHONIOENCODING", "PYTHONUTF8", "PYTHONDONTWRITEBYTECODE",
        "PYTHONWARNINGS", "PYTHONHASHSEED", "PYTHONFAULTHANDLER", "PYTHONDEVMODE",
        "PYTHONNOUSERSITE",
    )
)  # fmt: skip
BASE_PREFIXES = ("LC_", "PIP_")
# A URL with user:password@ (a proxy, a private package index) carries a secret: never passed.
URL_USERINFO = re.compile(r"://[^/\s]*@")
REGION_NAMES = ("AWS_REGION", "AWS_DEFAULT_REGION")
RUNNER_PROFILE_VAR = "AWS_SAGEMAKER_REMOTE_RUNNER_PROFILE"  # the caller's --sagemaker-profile


def passes_credentials(caller: Mapping[str, str]) -> bool:
    return caller.get(PASS_CREDENTIALS_ENV, "").strip().lower() in TRUE_WORDS


def script_base(
    caller: Mapping[str, str], instance_root: Path, s3_server: Optional[S3ServerInfo] = None
) -> Dict[str, str]:
    """The caller's variables a job's script gets, before the request's Environment
    (`s3_server`: the embedded server the emulator talks to, if it is that one)."""
    env = {
        name: value
        for name, value in caller.items()
        if (name in BASE_NAMES or name.startswith(BASE_PREFIXES)) and not URL_USERINFO.search(value)
    }
    for name in REGION_NAMES:
        if caller.get(name):
            env[name] = caller[name]
    endpoint = caller.get("AWS_ENDPOINT_URL_S3") or caller.get("AWS_ENDPOINT_URL")
    if s3_server is not None:
        endpoint = s3_server.endpoint
    if endpoint:
        env["AWS_ENDPOINT_URL_S3"] = endpoint
    if passes_credentials(caller) and s3_server is not None:
        env["AWS_ACCESS_KEY_ID"] = s3_server.access_key
        env["AWS_SECRET_ACCESS_KEY"] = s3_server.secret_key
    elif passes_credentials(caller):
        env.update({k: v for k, v in caller.items() if is_credential_name(k)})
        profile = caller.get(RUNNER_PROFILE_VAR)
        if profile and profile != "default":
            env["AWS_PROFILE"] = profile
        return env
    # Without these the SDK in the script would still find the caller's ~/.aws files (HOME is
    # the caller's) or, on an EC2 machine, its instance profile.
    aws_dir = instance_root / "root" / ".aws"
    env["AWS_SHARED_CREDENTIALS_FILE"] = str(aws_dir / "credentials")
    env["AWS_CONFIG_FILE"] = str(aws_dir / "config")
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    return env
