"""The command line: argument parsing and wiring only.

Exit codes: 0 success, 1 a failure found (a buffer that does not decode, a scenario or invariant
that failed), 2 bad input (unknown name, malformed file, bad option).
"""

from __future__ import annotations

import click

from stack import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ndisemu")
def cli() -> None:
    """ndisemu: emulate the NDIS 6.x task-offload stack, deterministically."""


def main() -> None:
    cli(prog_name="ndisemu")
