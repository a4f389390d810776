"""Sphinx configuration of the aws-sagemaker-remote documentation (`make docs`).

Offline by design: no intersphinx, nothing fetched. The flag references are rendered by
sphinx-argparse from the parsers the code builds, the API by autodoc from the docstrings.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent / "_ext"))

project = "aws-sagemaker-remote"
author = "aws-sagemaker-remote developers"
copyright = "aws-sagemaker-remote developers"

extensions = ["sphinx.ext.autodoc", "sphinxarg.ext", "flag_invocations", "myst_parser"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]

autodoc_member_order = "bysource"
autodoc_typehints = "description"
smartquotes = False  # `--flag` stays two hyphens
myst_heading_anchors = 3

html_theme = "alabaster"
html_title = "aws-sagemaker-remote"
html_static_path: list = []
