"""The trivial training script of benchmarks/emulator.py --kind training: reads its channel,
prints a metric, saves a model, written with aws-sagemaker-remote."""

import os

from aws_sagemaker_remote import sagemaker_training_main


def main(args):
    rows = 0
    for name in os.listdir(args.train):
        with open(os.path.join(args.train, name)) as f:
            rows += sum(1 for _ in f)
    print(f"rows={rows};", flush=True)
    os.makedirs(args.model_dir, exist_ok=True)
    with open(os.path.join(args.model_dir, "model.txt"), "w") as f:
        f.write(f"{rows}\n")


if __name__ == "__main__":
    sagemaker_training_main(
        main=main,
        inputs={"train": "train"},
        metrics={"rows": r"rows=(\d+);"},
        additional_arguments=[{"dest": "--epochs", "default": 1, "type": int}],
    )
