"""The CreateTrainingJob request of a plan (plan.py makes what every kind shares: the code
pieces, the staged inputs, the arguments, the job file, the environment).

Shapes from botocore's SageMaker model (CreateTrainingJobRequest, AlgorithmSpecification, Channel,
OutputDataConfig, ResourceConfig, StoppingCondition, CheckpointConfig); where SageMaker puts things
from the Developer Guide: each channel at /opt/ml/input/data/<ChannelName>, the model at
<S3OutputPath><job>/output/model.tar.gz ("How Amazon SageMaker AI Processes Training Output"),
checkpoints synced between CheckpointConfig.LocalPath and S3Uri ("Checkpoints in Amazon SageMaker
AI"). A spot job gets MaxWaitTimeInSeconds, and only a spot job may ("Managed Spot Training").
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from .. import contract as c
from .layout import Layout
from .plan import Arguments, cluster, container_arguments, entrypoint, environment, vpc_config
from .resolve import Resolved
from .spec import InputSpec, JobSpec, TrainingSpec
from .tags import job_tags
from .validate_training import max_wait_seconds

ARGV_SOURCE = c.ENV_PREFIX + "ARGV_SOURCE"
KIND = c.ENV_PREFIX + "KIND"


def training_request(
    spec: JobSpec,
    resolved: Resolved,
    layout: Layout,
    staged: List[Tuple[InputSpec, str]],
    arguments: Arguments,
    job_file: Optional[bytes],
) -> dict:
    training: TrainingSpec = spec.training  # type: ignore[assignment]
    channels = [_channel(name, uri, data) for name, uri, _folder, data in layout.code_channels()]
    channels += [_channel(i.name, uri, data, i.mode, i.distribution) for i, uri, data in staged]
    extra = {KIND: c.TRAINING.name}
    if arguments.hyperparameters:
        extra[ARGV_SOURCE] = "hyperparameters"
    request = {
        "TrainingJobName": resolved.job_name,
        "AlgorithmSpecification": _algorithm(spec, resolved, layout, arguments, job_file),
        "RoleArn": resolved.role_arn,
        "InputDataConfig": channels,
        "OutputDataConfig": _output(spec, layout),
        "ResourceConfig": cluster(spec),
        "StoppingCondition": _stopping(spec, training),
        "EnableManagedSpotTraining": training.spot,
        "EnableNetworkIsolation": spec.network_isolation,
        "EnableInterContainerTrafficEncryption": spec.inter_container_encryption,
        "Environment": environment(spec, layout, job_file, arguments, extra),
        "Tags": job_tags(spec.base_job_name or resolved.job_name, resolved.git, spec.tags),
    }
    if arguments.hyperparameters:
        request["HyperParameters"] = dict(arguments.hyperparameters)
    if training.checkpointing:
        request["CheckpointConfig"] = {
            "S3Uri": checkpoint_uri(layout, resolved.job_name, training),
            "LocalPath": c.CHECKPOINT_DIR,
        }
    if spec.subnets:
        request["VpcConfig"] = vpc_config(spec)
    return request


def checkpoint_uri(layout: Layout, job_name: str, training: TrainingSpec) -> str:
    if training.checkpoint_s3 != "default":
        return training.checkpoint_s3
    return f"{layout.base}{job_name}/checkpoints/"


def _channel(
    name: str, uri: str, data="S3Prefix", mode="File", distribution="FullyReplicated"
) -> dict:
    return {
        "ChannelName": name,
        "DataSource": {
            "S3DataSource": {
                "S3DataType": data,
                "S3Uri": uri,
                "S3DataDistributionType": distribution,
            }
        },
        "InputMode": mode,
        "CompressionType": "None",
    }


def _algorithm(spec, resolved, layout, arguments, job_file) -> dict:
    algorithm = {
        "TrainingImage": resolved.image,
        "TrainingInputMode": "File",
        "ContainerEntrypoint": entrypoint(spec, layout),
    }
    argv = container_arguments(arguments, job_file)
    if argv is not None:
        algorithm["ContainerArguments"] = argv
    metrics = spec.training.metrics
    if metrics:
        algorithm["MetricDefinitions"] = [{"Name": k, "Regex": v} for k, v in metrics.items()]
    return algorithm


def _output(spec: JobSpec, layout: Layout) -> Dict[str, str]:
    """The staging prefix: the model lands at <prefix><job>/output/model.tar.gz."""
    output = {"S3OutputPath": layout.base}
    if spec.output_kms_key:
        output["KmsKeyId"] = spec.output_kms_key
    return output


def _stopping(spec: JobSpec, training: TrainingSpec) -> Dict[str, int]:
    stopping = {"MaxRuntimeInSeconds": spec.runtime_seconds}
    if training.spot:
        stopping["MaxWaitTimeInSeconds"] = max_wait_seconds(spec.runtime_seconds, training)
    return stopping
