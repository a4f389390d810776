"""What a boto3 S3 client was made with, read back so that the CRT client built beside it
(crt.py) talks to the same endpoint, through the same proxy decision, with the same certificate
check."""

from __future__ import annotations

from typing import Any, Optional


def custom_endpoint(s3_client: Any) -> Optional[str]:
    """The endpoint the client was given (argument, AWS_ENDPOINT_URL_S3, config); None for AWS."""
    builtins = getattr(getattr(s3_client, "_ruleset_resolver", None), "_builtins", None)
    if builtins is None:
        return s3_client.meta.endpoint_url
    return builtins.get("SDK::Endpoint")


def uses_proxy(s3_client: Any, scheme: str, host: str) -> bool:
    import urllib.request

    if s3_client.meta.config.proxies:
        return True
    proxies = urllib.request.getproxies_environment()
    return scheme in proxies and not urllib.request.proxy_bypass_environment(host, proxies)


def verify_setting(s3_client: Any):
    """The client's certificate check: None (default trust), False or a CA bundle path."""
    session = getattr(getattr(s3_client, "_endpoint", None), "http_session", None)
    verify = getattr(session, "_verify", True)
    return None if verify is True else verify
