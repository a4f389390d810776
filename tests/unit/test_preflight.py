"""Checks of issue 8 point 5 that need no AWS: the instance type against botocore's SageMaker
model, network isolation with setup steps, a volume key on local NVMe storage."""

from __future__ import annotations

import subprocess
import sys

import pytest

from aws_sagemaker_remote.contract import has_local_instance_storage
from aws_sagemaker_remote.errors import UsageError
from aws_sagemaker_remote.kinds import PROCESSING
from aws_sagemaker_remote.pipeline.spec import JobSpec
from aws_sagemaker_remote.pipeline.validate import instance_types, validate


@pytest.fixture
def spec(tmp_path):
    script = tmp_path / "job.py"
    script.write_text("")
    return JobSpec(script=str(script), kind=PROCESSING)


def refused(spec) -> str:
    with pytest.raises(UsageError) as info:
        validate(spec)
    return str(info.value)


def test_instance_types_are_the_models_processing_enum():
    import botocore.session

    model = botocore.session.get_session().get_service_model("sagemaker")
    assert instance_types(PROCESSING) == tuple(model.shape_for("ProcessingInstanceType").enum)
    assert "ml.t3.medium" in instance_types(PROCESSING)
    assert "ml.p4d.24xlarge" not in instance_types(PROCESSING)  # a training-only type


@pytest.mark.parametrize(
    ("instance", "hint"),
    [
        ("ml.m5.huge", "did you mean ml.m5.large"),
        ("ml.fake.nonexistent", None),
        ("ml.p4d.24xlarge", None),
    ],
)
def test_unknown_instance_types_are_refused(spec, instance, hint):
    spec.instance = instance
    message = refused(spec)
    assert message.startswith(f"--sagemaker-instance: {instance!r}: not one of SageMaker's")
    if hint:
        assert hint in message


def test_known_instance_type_passes(spec):
    spec.instance = "ml.c7i.48xlarge"
    validate(spec)


@pytest.mark.parametrize(
    ("field", "flag"),
    [
        ("requirements", "--sagemaker-requirements"),
        ("configuration_script", "--sagemaker-configuration-script"),
        ("configuration_command", "--sagemaker-configuration-command"),
    ],
)
def test_network_isolation_refuses_setup_steps(spec, tmp_path, field, flag):
    setup = tmp_path / "setup.txt"
    setup.write_text("x\n")
    setattr(spec, field, str(setup) if field != "configuration_command" else "pip install x")
    validate(spec)
    spec.network_isolation = True
    message = refused(spec)
    assert message.startswith(f"{flag}: not possible with --sagemaker-network-isolation yes")


@pytest.mark.parametrize(
    ("instance", "local"),
    [
        ("ml.g4dn.xlarge", True),
        ("ml.g5.2xlarge", True),
        ("ml.g6e.xlarge", True),
        ("ml.g7e.2xlarge", True),
        ("ml.r5d.large", True),
        ("ml.p5.4xlarge", True),
        ("ml.m5.xlarge", False),
        ("ml.c7i.large", False),
        ("ml.m7i-flex.large", False),
        ("ml.t3.medium", False),
        ("ml.p3.2xlarge", False),
    ],
)
def test_local_instance_storage_rule_of_the_sdk(spec, instance, local):
    assert has_local_instance_storage(instance) is local
    spec.instance = instance
    spec.image = "pytorch"  # CPU and GPU builds: the default image is refused on GPU types
    spec.volume_kms_key = "1234abcd-12ab-34cd-56ef-1234567890ab"
    if local:
        assert refused(spec).startswith(f"--sagemaker-volume-kms-key: {instance} has local NVMe")
    else:
        validate(spec)


def test_local_storage_types_among_the_processing_enum():
    """aws-facts §1.3: 45 processing types match sagemaker-core's rule."""
    assert sum(has_local_instance_storage(t) for t in instance_types(PROCESSING)) == 45


def test_the_validation_module_loads_botocore_only_when_it_checks():
    code = "import sys, aws_sagemaker_remote.pipeline.validate\nprint('botocore' in sys.modules)\n"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr
