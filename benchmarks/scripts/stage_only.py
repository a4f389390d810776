"""Staging alone, as benchmarks/staging.py measures it beside the whole submit: the files of
FOLDER digested and staged to a fresh prefix by `s3.staging.stage` in this process, without the
submit around it. Prints the seconds from the first digest to the last manifest.

    python benchmarks/scripts/stage_only.py FOLDER s3://BUCKET/PREFIX/   (a store's root)
"""

import io
import sys
import time
from pathlib import Path

import boto3

from aws_sagemaker_remote.s3.clients import client_config
from aws_sagemaker_remote.s3.digest import piece_digest, piece_files
from aws_sagemaker_remote.s3.staging import stage
from aws_sagemaker_remote.s3.uploads import MANIFEST, Upload


def main() -> None:
    folder, base = Path(sys.argv[1]), sys.argv[2]
    s3 = boto3.client("s3", config=client_config())
    start = time.perf_counter()
    files = piece_files(folder, lf=False, skip_junk=False)
    upload = Upload(folder, base, f"inputs/data-{piece_digest(files)}", files, "data", MANIFEST)
    stage(s3, [upload], out=io.StringIO())
    print(f"{time.perf_counter() - start:.3f}")


if __name__ == "__main__":
    main()
