"""model.tar.gz and output.tar.gz: a training job's /opt/ml/model and /opt/ml/output/data,
each "copied as a single object in compressed tar format" to `<S3OutputPath>/<job>/output/`
(SageMaker Developer Guide, your-algorithms-training-algo-output.html). With several instances
"SageMaker aggregates the result in a tar file" (same page; files of the same name should not
clash; here a later instance's file wins, as in the SDK's local mode, sagemaker/local/image.py).

Uploaded whatever the job's end, as "SageMaker Training exports model/output artifacts even when
the training job fails" (aws/sagemaker-python-sdk PR #746, a maintainer), and on a stop ("Algorithms
can use this 120-second window to save the model artifacts", botocore StopTrainingJob). A folder
that is empty on every instance gives no archive: jobs that write no model have no model.tar.gz
(aws/sagemaker-training-toolkit issue #82, aws/amazon-sagemaker-examples issue #4346).
"""

from __future__ import annotations

import os
import tarfile
from pathlib import Path
from typing import Dict, List

from .....kinds.training import TRAINING
from .....s3 import transfer as s3io
from .....s3.uri import parse as parse_s3_uri
from .....s3.walk import walk
from ..channels import ChannelError, check_links
from ..instance import Instance


def upload_artifacts(s3_client, request: Dict, instances: List[Instance], work: Path) -> None:
    """Pack and upload both archives; ChannelError (the job's FailureReason) when that fails."""
    for output in TRAINING.outputs(request):
        uri = output.uri
        name = uri.rsplit("/", 1)[-1]
        try:
            archive = pack(instances, output.local_path, work / f".{name}.{os.getpid()}.tmp")
            if archive is None:
                continue
            target = parse_s3_uri(uri)
            try:
                s3io.upload_files(s3_client, [(archive, target.bucket, target.key)])
            finally:
                archive.unlink()
        except Exception as error:
            raise ChannelError(f"ClientError: Failed to upload {name} to {uri}: {error}") from error


def pack(instances: List[Instance], folder: str, archive: Path):
    """The gzipped tar of `folder` of every instance, None when there is no file to pack."""
    files: Dict[str, Path] = {}
    for instance in instances:
        local = instance.path(folder)
        if not local.is_dir():
            continue
        check_links(instance, local)
        for rel, found in walk(local, skip_junk=False, strict=False):
            files[rel] = found.path
    if not files:
        return None
    with tarfile.open(archive, "w:gz", dereference=True) as tar:
        for rel in sorted(files):
            tar.add(str(files[rel]), arcname=rel, recursive=False)
    return archive
