"""One model instance from one statement written once: for the few reads every write request
makes (the signed-in account, the priority written to), where compiling the ORM's query
again on every request costs more CPU than the round trip to the database.

What comes back is what ``Model.objects.get(...)`` gives: every concrete field loaded, the
database's values through the same converters the ORM applies (a ``JSONField`` decoded),
``_state`` set as for a row read from the database. It belongs to no app: it lives with the
project's settings, which every app may import (as they import ``openbeat.web.cache``).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from django.db import connections, models, router

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class _Select:
    sql: str  # "SELECT <every column> FROM <table> "
    names: tuple[str, ...]
    converters: tuple[tuple[int, tuple], ...]  # (column index, converters) where the ORM has any
    columns: tuple  # the ORM's column expression per field, passed to its converters


@functools.cache
def _select(model: type[models.Model], alias: str) -> _Select:
    connection = connections[alias]
    quote = connection.ops.quote_name
    table = model._meta.db_table
    fields = model._meta.concrete_fields
    columns = tuple(f.get_col(table) for f in fields)
    converters = []
    for i, col in enumerate(columns):
        # as SQLCompiler.get_converters: the backend's, then the column's (the field's own).
        # Kept per alias, not per thread's connection: the backends' converters read only
        # settings (e.g. SQLite's time zone), the same for every connection to one alias.
        found = tuple(connection.ops.get_db_converters(col) + col.get_db_converters(connection))
        if found:
            converters.append((i, found))
    sql = f"SELECT {', '.join(quote(f.column) for f in fields)} FROM {quote(table)} "
    return _Select(sql=sql, names=tuple(f.attname for f in fields), converters=tuple(converters), columns=columns)


def row_get(model: type[M], where: str, params: Sequence) -> M | None:
    """The first row of ``model`` matching ``where`` (SQL after FROM, with %s placeholders;
    a constant string, so the statement is the same each time), or None."""
    alias = router.db_for_read(model)
    plan = _select(model, alias)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(plan.sql + where, params)
        row = cursor.fetchone()
    if row is None:
        return None
    if plan.converters:
        row = list(row)
        for i, found in plan.converters:
            for convert in found:
                row[i] = convert(row[i], plan.columns[i], connection)
    return model.from_db(alias, plan.names, row)
