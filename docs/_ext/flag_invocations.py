"""Sphinx extension: the flag references name each option as ``--help`` does, with its value
(``--sagemaker-backend {aws,local}``, ``--sagemaker-run [yes|no]``, ``-o DIR, --output DIR``).

sphinx-argparse lists an option by its option strings alone, which hides the choices and the
yes/no a reader needs. Its parser reader is wrapped here: each option it read is named by
argparse's own invocation text for that action (the formatter ``--help`` uses), so the page and
``--help`` cannot differ. Everything else sphinx-argparse renders is kept.
"""

from __future__ import annotations

import argparse

import sphinxarg.ext
import sphinxarg.parser


def invocations(parser: argparse.ArgumentParser) -> dict:
    """Option strings -> how ``--help`` shows the option, for each option of `parser`."""
    formatter = parser._get_formatter()
    return {
        tuple(action.option_strings): formatter._format_action_invocation(action)
        for action in parser._actions
        if action.option_strings
    }


def _named_as_help_does(read):
    def parse_parser(parser, data=None, **kwargs):
        data = read(parser, data, **kwargs)  # a subcommand's parser comes back here too
        shown = invocations(parser)
        for group in data.get("action_groups", []):
            for option in group["options"]:
                invocation = shown.get(tuple(option["name"]))
                if invocation:
                    option["name"] = [invocation]
        return data

    return parse_parser


def setup(app):  # noqa: ARG001 - the signature Sphinx calls
    named = _named_as_help_does(sphinxarg.parser.parse_parser)
    sphinxarg.parser.parse_parser = named  # its recursion into subcommands
    sphinxarg.ext.parse_parser = named  # the directive's own reference
    return {"parallel_read_safe": True, "parallel_write_safe": True}
