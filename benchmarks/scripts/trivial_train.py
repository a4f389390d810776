"""The trivial training script of benchmarks/emulator.py --kind training: reads its channel,
prints a metric, saves a model (plain argparse: the same script runs locally and in the job)."""

import argparse
import os


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
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", required=True)
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--sagemaker-run", default="no")
    main(parser.parse_args())
