"""The AWS backend: a thin wrapper over the boto3 clients of one session."""

from __future__ import annotations

import functools
from typing import Any, Dict, List

from ..kinds import JobKind
from .base import Backend


class AwsBackend(Backend):
    name = "aws"

    def __init__(self, session: Any) -> None:
        # Each client is made on first use (~30 ms each): a run that does not follow its job
        # never needs the logs client.
        super().__init__(s3=self._make_s3_client, logs=lambda: session.client("logs"))
        self.session = session
        self.region = session.region_name
        self.profile = session.profile_name

    def _make_s3_client(self) -> Any:
        from ..s3.clients import client_config

        return self.session.client("s3", config=client_config())

    @functools.cached_property
    def sagemaker(self) -> Any:
        return self.session.client("sagemaker")

    def create_job(self, kind: JobKind, request: Dict[str, Any]) -> Dict[str, Any]:
        return self._operation(kind, "create")(**request)

    def describe_job(self, kind: JobKind, name: str) -> Dict[str, Any]:
        return self._operation(kind, "describe")(**{kind.field("Name"): name})

    def list_jobs(self, kind: JobKind, **kwargs: Any) -> Dict[str, Any]:
        return self._operation(kind, "list")(**kwargs)

    def stop_job(self, kind: JobKind, name: str) -> Dict[str, Any]:
        return self._operation(kind, "stop")(**{kind.field("Name"): name})

    def _operation(self, kind: JobKind, verb: str) -> Any:
        """The SageMaker client's method of `verb` for `kind` (e.g. create_training_job)."""
        return getattr(self.sagemaker, kind.operation(verb))

    def list_tags(self, ResourceArn: str) -> List[Dict[str, str]]:  # noqa: N803
        paginator = self.sagemaker.get_paginator("list_tags")
        tags: List[Dict[str, str]] = []
        for page in paginator.paginate(ResourceArn=ResourceArn):
            tags.extend(page.get("Tags", []))
        return tags
