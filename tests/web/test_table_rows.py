"""``{% table_rows %}`` (components/table.html): the same HTML as the template loop it replaced,
escaping included, for every kind of cell a table can hold."""

from __future__ import annotations

import datetime as dt
import math

from django.template import engines
from django.utils.safestring import mark_safe

from openbeat.web.charts import Column, Table

#: components/table.html's body as it was before the tag (2026-12-07), kept to compare against.
LOOP = """{% load openbeat_tags %}{% spaceless %}<tbody>
      {% for row in table.rows %}
      <tr class="govuk-table__row">
        {% for col in table.columns %}{% with value=row|get_item:col.key %}
        {% if forloop.first %}<th scope="row" class="govuk-table__header">{% if row.link %}<a class="govuk-link" href="{{ row.link }}">{{ value|cell:col.format }}</a>{% else %}{{ value|cell:col.format }}{% endif %}</th>
        {% else %}<td class="govuk-table__cell{% if col.numeric %} govuk-table__cell--numeric{% endif %}" data-label="{{ col.label }}">{{ value|cell:col.format }}</td>{% endif %}
        {% endwith %}{% endfor %}
      </tr>
      {% endfor %}
</tbody>{% endspaceless %}"""
TAG = """{% load openbeat_tags %}{% spaceless %}<tbody>
      {% table_rows table %}
</tbody>{% endspaceless %}"""

HOSTILE = '<script>alert("x")</script> & \'quoted\''

TABLE = Table(
    caption="Every kind of cell",
    columns=[Column("name", "Area <b>"), Column("n", "Crimes", numeric=True),
             Column("share", "Share", numeric=True, format="pct"), Column("r", "Ratio", True, "ratio"),
             Column("p", "p", True, "p"), Column("m", "Month", format="month"), Column("i", "Days", True, "int"),
             Column("d", "Change", True, "points"), Column("x", 'Say "what"')],
    rows=[
        {"name": HOSTILE, "n": 12345, "share": 0.356, "r": 2.4567, "p": 0.0004, "m": "2025-03", "i": 12.6,
         "d": -0.02, "x": HOSTILE, "link": '/areas/X05000001/?a=1&b="2"'},
        {"name": "Plain", "n": 12.34, "share": None, "r": float("nan"), "p": 0.017, "m": "not a month",
         "i": "n/a", "d": 0.0, "x": True, "link": ""},
        {"name": mark_safe("<em>kept</em>"), "n": 1234.0, "share": math.inf, "r": None, "p": 0.2, "m": None,
         "i": None, "d": 0.5, "x": dt.date(2025, 3, 1)},
        {"name": "   ", "n": -3, "x": " padded ", "extra": "not a column"},
        {},
    ],
)


def render(source: str, table: Table, autoescape: bool = True) -> str:
    template = engines["django"].from_string(source if autoescape else
                                             "{% autoescape off %}" + source + "{% endautoescape %}")
    return template.render({"table": table})


def test_the_tag_writes_what_the_template_loop_wrote():
    assert render(TAG, TABLE) == render(LOOP, TABLE)
    assert render(TAG, TABLE, autoescape=False) == render(LOOP, TABLE, autoescape=False)
    for table in (Table("empty", TABLE.columns, []), Table("no columns", [], [{"a": 1}, {}]),
                  Table("one column", TABLE.columns[:1], TABLE.rows)):
        assert render(TAG, table) == render(LOOP, table)


def test_cells_are_escaped_and_formatted():
    out = render(TAG, TABLE)
    first_row = out.split("</tr>")[0]
    assert first_row == (
        '<tbody><tr class="govuk-table__row"><th scope="row" class="govuk-table__header">'
        '<a class="govuk-link" href="/areas/X05000001/?a=1&amp;b=&quot;2&quot;">'
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;quoted&#x27;</a></th>"
        '<td class="govuk-table__cell govuk-table__cell--numeric" data-label="Crimes">12,345</td>'
        '<td class="govuk-table__cell govuk-table__cell--numeric" data-label="Share">35.6%</td>'
        '<td class="govuk-table__cell govuk-table__cell--numeric" data-label="Ratio">2.46</td>'
        '<td class="govuk-table__cell govuk-table__cell--numeric" data-label="p">p &lt; 0.001</td>'
        '<td class="govuk-table__cell" data-label="Month">March 2025</td>'
        '<td class="govuk-table__cell govuk-table__cell--numeric" data-label="Days">13</td>'
        '<td class="govuk-table__cell govuk-table__cell--numeric" data-label="Change">−2 points</td>'
        '<td class="govuk-table__cell" data-label="Say &quot;what&quot;">'
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;quoted&#x27;</td>"
    )
    assert "<script>" not in out and '<th scope="row" class="govuk-table__header"><em>kept</em></th>' in out
