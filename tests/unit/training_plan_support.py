"""Helpers of the training unit tests: a project on disk, the parser of its script, its JobSpec
and plan, and botocore's check of a CreateTrainingJob request."""

from __future__ import annotations

from pathlib import Path

from botocore.session import get_session
from botocore.validate import ParamValidator

from aws_sagemaker_remote.flags.builder import OneLineErrorParser
from aws_sagemaker_remote.pipeline.plan import make_plan
from aws_sagemaker_remote.pipeline.resolve import Resolved
from aws_sagemaker_remote.pipeline.spec import build_job_spec
from aws_sagemaker_remote.pipeline.validate import validate
from aws_sagemaker_remote.training.args import sagemaker_training_args

ROLE = "arn:aws:iam::123456789012:role/test-role"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/img:1"
JOB = "train-2026-01-01-00-00-00-000"


def assert_valid_training_request(request: dict) -> None:
    model = get_session().get_service_model("sagemaker")
    shape = model.operation_model("CreateTrainingJob").input_shape
    report = ParamValidator().validate(request, shape)
    assert not report.has_errors(), report.generate_report()


def make_project(root: Path) -> Path:
    (root / "train.py").write_text("print('hi')\n")
    (root / "data").mkdir()
    (root / "data" / "a.csv").write_text("x,y\n1,2\n")
    (root / "single.csv").write_text("x,y\n")
    (root / "mylib").mkdir()
    (root / "mylib" / "__init__.py").write_text("X = 1\n")
    return root


def training_parser(project: Path, **kwargs):
    """The parser of a script with the user's own flags: --epochs, --lr, --name, --verbose
    (and --quiet, its opposite), --files (several values), --tag (repeatable), --level (an
    optional value), -x (short), --learning-rate and --batch_size (dashes and underscores)."""
    parser = OneLineErrorParser(prog="train.py")
    kwargs.setdefault("inputs", {"train": str(project / "data")})
    user = [
        {"dest": "--epochs", "default": 3},
        {"dest": "--lr", "default": 0.1},
        {"dest": "--name", "default": ""},
        {"dest": "--verbose", "action": "store_true"},
        {"dest": "--files", "nargs": "+", "default": []},
        {"dest": "--tag", "action": "append", "default": []},
        {"dest": "--level", "nargs": "?", "const": "high", "default": "low"},
        {"dest": "--learning-rate", "type": float, "default": 0.1},
        {"dest": "--batch_size", "type": int, "default": 8},
    ]

    def callback(parser):
        parser.add_argument("--quiet", dest="verbose", action="store_false")
        parser.add_argument("-x", default="")

    config = sagemaker_training_args(
        parser,
        str(project / "train.py"),
        additional_arguments=user,
        argparse_callback=callback,
        **kwargs,
    )
    return parser, config


def spec_for(project: Path, argv, **kwargs):
    parser, config = training_parser(project, **kwargs)
    args = parser.parse_args(argv)
    return build_job_spec(config, args, list(argv), parser)


def resolved(**kwargs) -> Resolved:
    values = dict(region="us-east-1", role_arn=ROLE, bucket="my-bucket", image=IMAGE, job_name=JOB)
    values.update(kwargs)
    return Resolved(**values)


def plan_for(project: Path, argv, *, s3_objects=None, **kwargs):
    spec = spec_for(project, argv, **kwargs)
    validate(spec)
    return make_plan(spec, resolved(s3_objects=s3_objects or {}))


def channels(plan) -> dict:
    return {c["ChannelName"]: c for c in plan.request["InputDataConfig"]}


def container_argv(plan) -> list:
    return plan.request["AlgorithmSpecification"].get("ContainerArguments")
