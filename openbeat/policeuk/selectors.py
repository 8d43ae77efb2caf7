"""Reads for the police.uk-compatible API, through the process's analytics store (openbeat.web.lake_access)."""

from __future__ import annotations

import duckdb

from openbeat.analytics import policeuk_answers as answers
from openbeat.web.lake_access import get_store


def policeuk_cursor() -> duckdb.DuckDBPyConnection:
    """A cursor on the store: the answers' helper tables live as long as its lake state."""
    return get_store().cursor()


def force_names() -> dict[str, str | None]:
    store = get_store()
    return store.memo("policeuk-forces", lambda: answers.force_names(store.cursor()))


def force_get(*, force: str) -> str | None:
    """The force's name; :class:`answers.NotFound` when the lake holds nothing of it."""
    names = force_names()
    if force not in names:
        raise answers.NotFound(f"no force {force!r} in the lake")
    return names[force]


def latest_month():
    store = get_store()
    return store.memo("policeuk-latest", lambda: answers.latest_month(store.cursor()))
