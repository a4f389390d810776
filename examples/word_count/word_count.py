"""Count words in a folder of text files: an input, an output, a local module, requirements
and a configuration command.

    python examples/word_count/word_count.py                                    # here
    python examples/word_count/word_count.py --sagemaker-run yes --sagemaker-backend local
"""

import os
from pathlib import Path

from aws_sagemaker_remote import sagemaker_processing_main

HERE = Path(__file__).resolve().parent


def main(args):
    from tabulate import tabulate
    from textstats import count_words, read_texts

    counts = count_words(read_texts(args.data), min_length=args.min_length)
    top = counts.most_common(args.top)
    table_format = os.environ.get("WORD_COUNT_TABLE_FORMAT", "github")
    os.makedirs(args.counts, exist_ok=True)
    with open(os.path.join(args.counts, "top_words.md"), "w") as f:
        f.write(tabulate(top, headers=["word", "count"], tablefmt=table_format) + "\n")
    with open(os.path.join(args.counts, "all_words.tsv"), "w") as f:
        for word, count in sorted(counts.items()):
            f.write(f"{word}\t{count}\n")
    print(f"{sum(counts.values())} words, {len(counts)} distinct; top {args.top}:")
    print(tabulate(top, headers=["word", "count"], tablefmt=table_format))


def add_flags(parser):
    parser.add_argument("--top", type=int, default=10, help="how many words to show")


if __name__ == "__main__":
    sagemaker_processing_main(
        main=main,
        description="Count the words of every .txt file in --data.",
        inputs={"data": str(HERE / "data")},
        outputs={"counts": str(HERE / "output" / "counts")},
        dependencies={"textstats": str(HERE / "textstats")},
        requirements=str(HERE / "requirements.txt"),
        configuration_command="export WORD_COUNT_TABLE_FORMAT=github",
        base_job_name="word-count",
        additional_arguments=[
            {"dest": "--min-length", "default": 3, "type": int, "help": "shortest word counted"},
        ],
        argparse_callback=add_flags,
    )
