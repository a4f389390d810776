"""The same trivial job as trivial_asr.py, with plain argparse: the baseline."""

import argparse
import os


def main(args):
    os.makedirs(args.output, exist_ok=True)
    with open(os.path.join(args.output, "out.txt"), "w") as f:
        f.write(f"{args.count}\n")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--output", default="output")
    parser.add_argument("--count", default=3, type=int)
    main(parser.parse_args())
