"""Options shared by several commands."""

from __future__ import annotations

import click

from openbeat.lake import Lake


def lake_option(f):
    """``--lake DIR``; falls back to ``$OPENBEAT_LAKE``, then the user's data directory."""
    return click.option(
        "--lake", "lake", type=click.Path(file_okay=False), envvar="OPENBEAT_LAKE",
        default=None, show_envvar=True,
        help="Lake folder [default: $OPENBEAT_LAKE or the user data directory].",
        callback=lambda ctx, param, value: Lake(value),
    )(f)
