import sys

from .commands import s3_main

sys.exit(s3_main(["serve", *sys.argv[1:]]))
