"""Train a small logistic-regression classifier, here or as a SageMaker training job.

    python train.py                                   # here, in this process
    python train.py --sagemaker-run yes --sagemaker-backend local   # a job in the emulator
    python train.py --sagemaker-run yes               # a job on AWS

The data ships with the example (``data/``, made by ``make_data.py``). Each epoch saves a
checkpoint, and a restarted job (a spot instance taken back) continues from the last one. The
test accuracy is printed as ``test_accuracy=...``, which the job reports as a metric; the model
goes to ``--model-dir`` (``model.tar.gz`` in a job) and a summary to ``--output-dir``.
Standard library only, so the job needs no requirements.
"""

import csv
import json
import math
import os
from pathlib import Path

from aws_sagemaker_remote import sagemaker_training_main

HERE = Path(__file__).resolve().parent


def load(folder):
    """Every CSV row below `folder` (a channel is a folder) as (features, label)."""
    rows = []
    for path in sorted(Path(folder).rglob("*.csv")):
        with open(path, newline="") as handle:
            for row in csv.DictReader(handle):
                label = int(row.pop("label"))
                rows.append(([float(value) for value in row.values()], label))
    return rows


def predict(model, features):
    # math.fsum is exactly rounded, so the image's Python trains the same model as yours (sum()
    # of floats changed in Python 3.12)
    z = model["bias"] + math.fsum(w * x for w, x in zip(model["weights"], features))
    return 1.0 / (1.0 + math.exp(-z))


def accuracy(model, rows):
    return sum((predict(model, x) >= 0.5) == bool(y) for x, y in rows) / len(rows)


def epoch(model, rows, rate):
    """One pass of batch gradient descent; the mean log loss before the step."""
    grad_w, grad_b, loss = [0.0] * len(model["weights"]), 0.0, 0.0
    for features, label in rows:
        p = predict(model, features)
        loss -= math.log(p if label else 1.0 - p)
        for i, x in enumerate(features):
            grad_w[i] += (p - label) * x
        grad_b += p - label
    n = len(rows)
    model["weights"] = [w - rate * g / n for w, g in zip(model["weights"], grad_w)]
    model["bias"] -= rate * grad_b / n
    return loss / n


def save_json(folder, name, content):
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name)
    with open(path + ".tmp", "w") as handle:
        json.dump(content, handle, indent=1, sort_keys=True)
    os.replace(path + ".tmp", path)  # a checkpoint is never seen half-written


def resume(checkpoint_dir, features):
    path = os.path.join(checkpoint_dir, "checkpoint.json")
    if os.path.exists(path):
        with open(path) as handle:
            state = json.load(handle)
        print(f"resuming after epoch {state['epoch']}")
        return state
    return {"epoch": 0, "model": {"weights": [0.0] * features, "bias": 0.0}}


def main(args):
    train, test = load(args.train), load(args.test)
    state = resume(args.checkpoint_dir, len(train[0][0]))
    model = state["model"]
    for number in range(state["epoch"] + 1, args.epochs + 1):
        loss = epoch(model, train, args.learning_rate)
        print(f"epoch {number}: loss={loss:.4f} train_accuracy={accuracy(model, train):.4f}")
        save_json(args.checkpoint_dir, "checkpoint.json", {"epoch": number, "model": model})
    score = accuracy(model, test)
    print(f"test_accuracy={score:.4f}")
    save_json(args.model_dir, "model.json", model)
    save_json(args.output_dir, "metrics.json", {"test_accuracy": score, "epochs": args.epochs})
    return score


def add_arguments(parser):
    parser.add_argument("--epochs", type=int, default=30, help="passes over the training data")
    parser.add_argument("--learning-rate", type=float, default=0.5, help="gradient step size")


if __name__ == "__main__":
    sagemaker_training_main(
        main=main,
        inputs={"train": HERE / "data" / "train", "test": HERE / "data" / "test"},
        metrics={"test_accuracy": r"test_accuracy=([0-9.]+)", "loss": r"loss=([0-9.]+)"},
        argparse_callback=add_arguments,
        checkpoints=True,
        model_dir=str(HERE / "output" / "model"),
        output_dir=str(HERE / "output" / "output"),
        checkpoint_dir=str(HERE / "output" / "checkpoints"),
    )
