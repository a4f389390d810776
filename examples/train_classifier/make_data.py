"""Regenerate the example's data: two classes of points in four dimensions, drawn around two
centres with a fixed seed (the same files every time)."""

import csv
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent


def rows(count: int, rng: random.Random):
    centres = {0: (-1.0, 0.5, 0.0, 1.0), 1: (1.0, -0.5, 0.5, 0.0)}
    for _ in range(count):
        label = rng.randrange(2)
        yield [f"{c + rng.gauss(0, 1.1):.4f}" for c in centres[label]] + [label]


def write(path: Path, count: int, rng: random.Random) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["x1", "x2", "x3", "x4", "label"])
        out.writerows(rows(count, rng))


if __name__ == "__main__":
    generator = random.Random(20261128)
    write(HERE / "data" / "train" / "train.csv", 800, generator)
    write(HERE / "data" / "test" / "test.csv", 200, generator)
