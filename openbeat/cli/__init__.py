"""The ``openbeat`` command: parses arguments, calls the library, prints.

Each command group lives in its own module here and is registered below.
"""

from __future__ import annotations

import click

from openbeat import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="openbeat")
def main() -> None:
    """OpenBeat: open neighbourhood policing data, honest analytics, community engagement.

    Example:

        openbeat demo
    """


def _register() -> None:
    from openbeat.cli import (
        analyse_commands,
        areas_commands,
        demo_commands,
        fetch_commands,
        lake_commands,
        reference_commands,
        review_commands,
        web_commands,
    )

    for module in (demo_commands, lake_commands, fetch_commands, reference_commands, areas_commands, analyse_commands,
                   web_commands, review_commands):
        for command in module.COMMANDS:
            main.add_command(command)


_register()
