"""The AWS backend: a thin wrapper over the boto3 clients of one session."""

from __future__ import annotations

import functools
from typing import Any, Dict, List

from .base import Backend


class AwsBackend(Backend):
    name = "aws"

    def __init__(self, session: Any) -> None:
        self.session = session
        self.region = session.region_name

    # Each client is made on first use (~30 ms each): a run that does not follow its job never
    # needs the logs client.
    @functools.cached_property
    def sagemaker(self) -> Any:
        return self.session.client("sagemaker")

    @functools.cached_property
    def s3(self) -> Any:
        from ..s3.clients import client_config

        return self.session.client("s3", config=client_config())

    @functools.cached_property
    def logs(self) -> Any:
        return self.session.client("logs")

    def create_processing_job(self, **request: Any) -> Dict[str, Any]:
        return self.sagemaker.create_processing_job(**request)

    def describe_processing_job(self, **kwargs: Any) -> Dict[str, Any]:
        return self.sagemaker.describe_processing_job(**kwargs)

    def list_processing_jobs(self, **kwargs: Any) -> Dict[str, Any]:
        return self.sagemaker.list_processing_jobs(**kwargs)

    def stop_processing_job(self, **kwargs: Any) -> Dict[str, Any]:
        return self.sagemaker.stop_processing_job(**kwargs)

    def create_training_job(self, **request: Any) -> Dict[str, Any]:
        return self.sagemaker.create_training_job(**request)

    def describe_training_job(self, **kwargs: Any) -> Dict[str, Any]:
        return self.sagemaker.describe_training_job(**kwargs)

    def list_training_jobs(self, **kwargs: Any) -> Dict[str, Any]:
        return self.sagemaker.list_training_jobs(**kwargs)

    def stop_training_job(self, **kwargs: Any) -> Dict[str, Any]:
        return self.sagemaker.stop_training_job(**kwargs)

    def list_tags(self, ResourceArn: str) -> List[Dict[str, str]]:  # noqa: N803
        paginator = self.sagemaker.get_paginator("list_tags")
        tags: List[Dict[str, str]] = []
        for page in paginator.paginate(ResourceArn=ResourceArn):
            tags.extend(page.get("Tags", []))
        return tags
