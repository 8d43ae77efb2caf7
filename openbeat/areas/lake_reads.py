"""The lake reads the areas app shares: through the process's analytics store, never DuckDB.

Everything the areas and planning pages show comes from the process's analytics store
(:mod:`openbeat.web.lake_access`); look-ups no analytics function makes run on
``get_store().cursor()`` here. Every reader copes with a lake that lacks a dataset
(:func:`has`): it returns nothing, and the page says so.
"""

from __future__ import annotations

from openbeat.web.lake_access import get_store, lake_state


def has(*names: str) -> bool:
    """Whether the lake holds every one of these datasets."""
    return set(names) <= lake_state().datasets


def rows(sql: str, params: list | tuple = ()) -> list[dict]:
    """The rows of a query on the store's cursor, as dicts."""
    cur = get_store().cursor()
    try:
        got = cur.execute(sql, list(params))
        names = [d[0] for d in got.description]
        return [dict(zip(names, r)) for r in got.fetchall()]
    finally:
        cur.close()


def columns(relation: str) -> set[str]:
    """The columns a dataset of the lake has (older lakes lack some)."""
    store = get_store()
    return store.memo(("web_columns", relation), lambda: {r["column_name"] for r in rows(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [relation])})


def memo(key, compute):
    """``compute()`` once per state of the lake (look-ups pages repeat on every visit)."""
    return get_store().memo(("web",) + key, compute)
