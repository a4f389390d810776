"""The CreateTrainingJob request of a plan (plan.py makes what every kind shares: the code
pieces, the staged inputs, the arguments, the job file; parts.py the environment, the cluster).

Shapes from botocore's SageMaker model (CreateTrainingJobRequest, AlgorithmSpecification, Channel,
OutputDataConfig, ResourceConfig, StoppingCondition, CheckpointConfig); where SageMaker puts things
from the Developer Guide: each channel at /opt/ml/input/data/<ChannelName>, the model at
<S3OutputPath><job>/output/model.tar.gz ("How Amazon SageMaker AI Processes Training Output"),
checkpoints synced between CheckpointConfig.LocalPath and S3Uri ("Checkpoints in Amazon SageMaker
AI"). A spot job gets MaxWaitTimeInSeconds, and only a spot job may ("Managed Spot Training").
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from ...container import protocol
from ...kinds.training import CHECKPOINT_DIR
from ..parts import Arguments, cluster, container_arguments, entrypoint, environment, vpc_config
from ..tags import job_tags
from .hyperparameters import Hyperparameters, hyperparameters
from .spec import TrainingSpec

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..layout import Layout
    from ..resolve import Resolved
    from ..spec import InputSpec, JobSpec


def hyperparameters_of(spec: JobSpec) -> Optional[Hyperparameters]:
    """The user's options as HyperParameters, when they can be (hyperparameters.py)."""
    training: TrainingSpec = spec.extras
    return hyperparameters(training.options, training.flags, spec.limits.env_value)


def request(
    spec: JobSpec,
    resolved: Resolved,
    layout: Layout,
    staged: List[Tuple[InputSpec, str, str]],
    arguments: Arguments,
    job_file: Optional[bytes],
) -> dict:
    training: TrainingSpec = spec.extras
    kind = spec.kind
    channels = [
        kind.new_channel(name, uri, folder, data_type=data)
        for name, uri, folder, data in layout.code_channels()
    ]
    channels += [
        kind.new_channel(i.name, uri, "", i.mode, i.distribution, data) for i, uri, data in staged
    ]
    extra = {protocol.KIND: kind.name}
    if arguments.hyperparameters:
        extra[protocol.HYPERPARAMETER_FLAGS] = arguments.hyperparameter_flags
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
            "S3Uri": training.checkpoint_s3,
            "LocalPath": CHECKPOINT_DIR,
        }
    if spec.subnets:
        request["VpcConfig"] = vpc_config(spec)
    return request


def _algorithm(spec, resolved, layout, arguments, job_file) -> dict:
    algorithm = {
        "TrainingImage": resolved.image,
        "TrainingInputMode": "File",
        "ContainerEntrypoint": entrypoint(spec, layout),
    }
    argv = container_arguments(arguments, job_file)
    if argv is not None:
        algorithm["ContainerArguments"] = argv
    metrics = spec.extras.metrics
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
        stopping["MaxWaitTimeInSeconds"] = training.max_wait
    return stopping
