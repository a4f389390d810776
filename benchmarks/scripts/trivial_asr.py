"""The trivial job of benchmarks/startup.py, written with aws-sagemaker-remote."""

import os

from aws_sagemaker_remote import sagemaker_processing_main


def main(args):
    os.makedirs(args.output, exist_ok=True)
    with open(os.path.join(args.output, "out.txt"), "w") as f:
        f.write(f"{args.count}\n")


if __name__ == "__main__":
    sagemaker_processing_main(
        main=main,
        outputs={"output": "output"},
        additional_arguments=[{"dest": "--count", "default": 3, "type": int}],
    )
