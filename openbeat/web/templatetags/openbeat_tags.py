"""Small template filters the layouts need: look-ups and numbers written the UK way."""

from __future__ import annotations

import datetime as dt
import html
import math
import re

from django import template
from django.template.base import render_value_in_context
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``row|get_item:"crimes"``: a dict value by a key held in a variable."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


def _number(value) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)


@register.filter
def thousands(value):
    """12345 → "12,345", 12.34 → "12.3" (UK style; humanize would need USE_THOUSAND_SEPARATOR)."""
    if not _number(value):
        return value
    if isinstance(value, int) or float(value).is_integer() and abs(value) >= 1000:
        return f"{int(value):,}"
    return f"{value:,.1f}"


@register.filter
def pct(value, decimals=0):
    """0.356 → "36%" (``|pct:1`` → "35.6%")."""
    if not _number(value):
        return "–"
    shown = f"{value * 100:.{int(decimals)}f}%"
    # an interval's lower end at 0 can come out a hair below it (-1e-17): never "-0.0%"
    return shown[1:] if shown.startswith("-") and not shown.strip("-0.%") else shown


@register.filter
def points(value):
    """A change in a proportion, in percentage points: -0.02 → "−2 points"."""
    if not _number(value):
        return "–"
    v = round(value * 100)
    return "no change" if v == 0 else f"{'+' if v > 0 else '−'}{abs(v)} point{'s' if abs(v) != 1 else ''}"


@register.filter
def ratio(value):
    """2.4567 → "2.46"."""
    return f"{value:.2f}" if _number(value) else "–"


@register.filter
def pvalue(value):
    """A p-value as people read it: "p < 0.001", "p = 0.017"."""
    if not _number(value):
        return "–"
    return "p < 0.001" if value < 0.001 else f"p = {value:.3f}" if value < 0.01 else f"p = {value:.2f}"


@register.filter
def month(value):
    """"2025-03" → "March 2025"."""
    try:
        return dt.date.fromisoformat(f"{value}-01").strftime("%B %Y")
    except (TypeError, ValueError):
        return value


@register.filter
def period(value):
    """A result's period ({"from": "2025-01", "to": "2025-12"}) → "January 2025 to December 2025"."""
    if not isinstance(value, dict) or not value.get("from"):
        return ""
    a, b = month(value["from"]), month(value["to"])
    return a if a == b else f"{a} to {b}"


@register.filter
def cell(value, fmt=""):
    """A table cell in a column's format (see ``openbeat.web.charts.Column``)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if fmt == "pct":
        return pct(value, 1)
    if fmt == "pct0":
        return pct(value, 0)
    if fmt == "ratio":
        return ratio(value)
    if fmt == "points":
        return points(value)
    if fmt == "p":
        return pvalue(value)
    if fmt == "month":
        return month(value)
    if fmt == "int" and _number(value):
        return f"{round(value):,}"
    return thousands(value)


@register.simple_tag(takes_context=True)
def table_rows(context, table):
    """The body rows of a :class:`openbeat.web.charts.Table`, for ``components/table.html``.

    Written here rather than as a loop of template tags: a long table is most of a page's
    template nodes (about 7 tags per cell), and this is the same HTML at a fraction of the CPU.
    Every value goes through ``render_value_in_context``, what ``{{ value }}`` does (localise,
    then escape unless already safe), so the escaping is the template's. No whitespace between
    the tags: the template's ``{% spaceless %}`` would remove it.
    """
    escape = html.escape if context.autoescape else str

    def text(value):
        # a plain str (most cells) the quick way: render_value_in_context would do the same
        # (nothing to localise; Django's escape() is html.escape), with five calls more
        if type(value) is str:
            return escape(value)
        return render_value_in_context(value, context)

    columns = list(table.columns or ())
    if not columns:
        return mark_safe('<tr class="govuk-table__row"></tr>' * len(table.rows or ()))
    first, rest = columns[0], columns[1:]
    # the opening of each <td>, the same for every row; a column's format once per column
    td = [(col.key, col.format, '<td class="govuk-table__cell%s" data-label="%s">' % (
        " govuk-table__cell--numeric" if col.numeric else "", text(col.label))) for col in rest]
    out = []
    for row in table.rows or ():
        head = text(cell(get_item(row, first.key), first.format))
        link = _field(row, "link")
        if link:
            head = '<a class="govuk-link" href="%s">%s</a>' % (text(link), head)
        out.append('<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">%s</th>' % head)
        for key, fmt, opening in td:
            out.append("%s%s</td>" % (opening, text(cell(get_item(row, key), fmt))))
        out.append("</tr>")
    return mark_safe("".join(out))


def _field(row, name):
    """``row.name`` as a template reads it: a key, else an attribute, else nothing."""
    try:
        return row[name]
    except (TypeError, KeyError, IndexError, AttributeError):
        return getattr(row, name, None)


@register.filter
def direction(value):
    """An E-test direction in words: 'up' → 'Up (more than chance)'."""
    return {"up": "Up, beyond chance", "down": "Down, beyond chance",
            "no significant change": "No significant change",
            "not comparable": "Not comparable"}.get(value, value or "–")


@register.filter
def sources(results):
    """Every source named by a list of results, once each, in order."""
    return list(dict.fromkeys(s for r in results for s in r.sources))


@register.filter
def notes(results):
    """Every note of a list of results, once each, in order."""
    return list(dict.fromkeys(n for r in results for n in r.notes))


_PERIOD_LABEL = re.compile(r",?\s*(need from )?\d{4}-\d{2} to \d{4}-\d{2}")


@register.filter
def bare_title(title: str) -> str:
    """A result's title without its "2025-01 to 2025-12" (the page writes periods in words)."""
    return _PERIOD_LABEL.sub("", title).strip(" ,:")
