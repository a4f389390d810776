"""The AWS backend: a thin wrapper over the boto3 clients of one session."""

from __future__ import annotations

from typing import Any


class AwsBackend:
    name = "aws"

    def __init__(self, session: Any) -> None:
        self.session = session
        self.region = session.region_name
        self.sagemaker = session.client("sagemaker")
        self.logs = session.client("logs")
        from aws_sagemaker_remote.s3io import client_config

        self.s3 = session.client("s3", config=client_config())

    def create_processing_job(self, **request: Any) -> dict:
        return self.sagemaker.create_processing_job(**request)

    def describe_processing_job(self, ProcessingJobName: str) -> dict:  # noqa: N803
        return self.sagemaker.describe_processing_job(ProcessingJobName=ProcessingJobName)

    def list_processing_jobs(self, **kwargs: Any) -> dict:
        return self.sagemaker.list_processing_jobs(**kwargs)

    def stop_processing_job(self, ProcessingJobName: str) -> dict:  # noqa: N803
        return self.sagemaker.stop_processing_job(ProcessingJobName=ProcessingJobName)

    def list_tags(self, ResourceArn: str) -> list:  # noqa: N803
        """All tags of a resource (DescribeProcessingJob does not return them)."""
        paginator = self.sagemaker.get_paginator("list_tags")
        tags: list = []
        for page in paginator.paginate(ResourceArn=ResourceArn):
            tags.extend(page.get("Tags", []))
        return tags
