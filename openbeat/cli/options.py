"""Options shared by several commands.

Nothing here imports the library at import time: ``openbeat --help`` reads every command
module, so a module-level import of the lake (DuckDB, Arrow) or of the demo generator would
be paid by every command, even one that only prints help.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import click


def _to_lake(ctx, param, value):
    from openbeat.lake import Lake

    return Lake(value)


def require_lake(lake) -> None:
    """Stop with a plain error when the lake's folder does not exist: a mistyped ``--lake``
    must not read as an empty lake (no crimes, no areas). An existing empty folder is a lake."""
    if not lake.root.is_dir():
        raise click.ClickException(f"no lake at {lake.root}: the folder does not exist "
                                   "(make one with openbeat ingest FILES, or openbeat demo)")


def _to_existing_lake(ctx, param, value):
    lake = _to_lake(ctx, param, value)
    require_lake(lake)
    return lake


def lake_option(f=None, *, must_exist: bool = True):
    """``--lake DIR``; falls back to ``$OPENBEAT_LAKE``, then the user's data directory.

    A command that reads the lake needs its folder to exist (:func:`require_lake`); one that
    writes it (ingest, reference load, demo, fetch) takes ``must_exist=False`` and makes it.
    """
    def decorate(f):
        return click.option(
            "--lake", "lake", type=click.Path(file_okay=False), envvar="OPENBEAT_LAKE",
            default=None, show_envvar=True,
            help="Lake folder [default: $OPENBEAT_LAKE or the user data directory].",
            callback=_to_existing_lake if must_exist else _to_lake,
        )(f)

    return decorate(f) if f is not None else decorate


class Deferred:
    """An option default read from a library module only when it is used or shown.

    ``default=Deferred("openbeat.demo", "DEFAULT_SEED")`` keeps the value where the
    library defines it without importing that module until a command runs or its own
    ``--help`` shows the default (click calls a callable default; help shows ``str()``).

        >>> str(Deferred("openbeat.lake", "POLICE_DATASETS", ",".join))
        'crimes,outcomes,stop_searches'
    """

    def __init__(self, module: str, name: str, then: Callable | None = None):
        self.module, self.name, self.then = module, name, then

    def __call__(self):
        value = getattr(importlib.import_module(self.module), self.name)
        return self.then(value) if self.then else value

    def __str__(self) -> str:
        return str(self())

    def __repr__(self) -> str:
        return f"Deferred({self.module!r}, {self.name!r})"


#: What `openbeat serve`, `manage`, `worker` and `review` say when the web app is not installed.
WEB_MISSING = ("the web app's packages (Django, gunicorn …) are not installed; install them with "
               "pip install 'openbeat[web]' (scripts/bootstrap.sh in a checkout installs them too)")


def require_web() -> None:
    """Stop with :data:`WEB_MISSING` when the ``web`` extra is not installed (the library and the
    other commands work without it)."""
    try:
        import django  # noqa: F401 (only whether it is there)
    except ImportError:
        raise click.ClickException(WEB_MISSING) from None
