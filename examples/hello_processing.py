"""The smallest processing script: no inputs, one output directory named ``output``.

python examples/hello_processing.py --output out/hello          # runs here
python examples/hello_processing.py --sagemaker-run yes         # runs as a processing job
"""

import json
import os

from aws_sagemaker_remote import sagemaker_processing_main


def squares_table(count: int):
    return [{"n": n, "square": n * n, "cube": n**3} for n in range(1, count + 1)]


def main(args):
    os.makedirs(args.output, exist_ok=True)
    rows = squares_table(args.count)
    with open(os.path.join(args.output, "squares.json"), "w") as f:
        json.dump(rows, f, indent=1)
    with open(os.path.join(args.output, "summary.txt"), "w") as f:
        f.write(f"{len(rows)} rows, sum of squares {sum(r['square'] for r in rows)}\n")
    print(f"wrote {len(rows)} rows to {args.output}")


if __name__ == "__main__":
    sagemaker_processing_main(
        main=main,
        description="Write a small table of squares to the output directory.",
        outputs={"output": "output/hello"},
        base_job_name="hello-processing",
        additional_arguments=[
            {"dest": "--count", "default": 10, "type": int, "help": "number of rows"},
        ],
    )
