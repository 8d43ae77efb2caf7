"""Charts as inline SVG, drawn on the server: the same vector graphics on the page, in print
and in the PDF (no script, no external file). Every chart is paired with a table of its
numbers in the template, for screen readers and for anyone who would rather read."""

from __future__ import annotations

import math

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 48
COLOURS = ("#1d70b8", "#f47738", "#00703c")  # GOV.UK blue, orange, green: distinct in greyscale too
DASHES = ("", "6 4", "2 3")


def _ticks(hi: float, n: int = 4) -> list[float]:
    if hi <= 0:
        return [0.0, 1.0]
    raw = hi / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    return [i * step for i in range(int(math.ceil(hi / step)) + 1)]


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() or abs(v) >= 10 else f"{v:,.2g}"


def _frame(uid: str, title: str, desc: str, body: list[str]) -> SafeString:
    return mark_safe(
        f'<svg class="ob-review-chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'aria-labelledby="{uid}-t {uid}-d" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" '
        f'font-size="12"><title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>'
        + "".join(body) + "</svg>")


def line_chart(*, uid: str, title: str, desc: str, labels: list[str], series: list[tuple[str, list]],
               y_title: str) -> SafeString:
    """Lines over months (a missing month is a gap, never a zero), with a legend."""
    values = [v for _, vs in series for v in vs if v is not None]
    ticks = _ticks(max(values, default=1))
    top = ticks[-1] or 1
    pw, ph = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = max(len(labels) - 1, 1)

    def x(i):
        return LEFT + pw * i / n

    def y(v):
        return TOP + ph * (1 - v / top)

    body = [f'<text x="12" y="{TOP + ph / 2}" transform="rotate(-90 12 {TOP + ph / 2})" text-anchor="middle">'
            f"{escape(y_title)}</text>"]
    for t in ticks:
        body.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(t):.1f}" y2="{y(t):.1f}" stroke="#b1b4b6" '
                    f'stroke-width="0.5"/><text x="{LEFT - 6}" y="{y(t) + 4:.1f}" text-anchor="end">{_fmt(t)}</text>')
    every = max(1, math.ceil(len(labels) / 6))
    for i, lab in enumerate(labels):
        if i % every == 0:
            body.append(f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">{escape(lab)}</text>')
    for k, (name, vs) in enumerate(series):
        run: list[str] = []
        runs = []
        for i, v in enumerate(vs):
            if v is None:
                if run:
                    runs.append(run)
                run = []
            else:
                run.append(f"{x(i):.1f},{y(v):.1f}")
        if run:
            runs.append(run)
        dash = f' stroke-dasharray="{DASHES[k % 3]}"' if DASHES[k % 3] else ""
        for r in runs:
            body.append(f'<polyline points="{" ".join(r)}" fill="none" stroke="{COLOURS[k % 3]}" '
                        f'stroke-width="2"{dash}/>')
        lx = LEFT + k * 200
        body.append(f'<line x1="{lx}" x2="{lx + 24}" y1="{HEIGHT - 10}" y2="{HEIGHT - 10}" stroke="{COLOURS[k % 3]}" '
                    f'stroke-width="2"{dash}/><text x="{lx + 30}" y="{HEIGHT - 6}">{escape(name)}</text>')
    return _frame(uid, title, desc, body)


def interval_chart(*, uid: str, title: str, desc: str, rows: list[tuple[str, float, float, float]],
                   reference: float | None = None, x_title: str = "") -> SafeString:
    """One row per category: a dot at the value and a line across its 95% interval."""
    rows = [r for r in rows if r[1] is not None]
    hi = max((r[3] if r[3] is not None else r[1] for r in rows), default=1)
    ticks = _ticks(max(hi, reference or 0))
    top = ticks[-1] or 1
    label_w = 150
    pw = WIDTH - label_w - RIGHT
    row_h = min(36, (HEIGHT - TOP - BOTTOM) / max(len(rows), 1))

    def x(v):
        return label_w + pw * v / top

    body = []
    for t in ticks:
        body.append(f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{TOP}" y2="{HEIGHT - BOTTOM}" stroke="#b1b4b6" '
                    f'stroke-width="0.5"/><text x="{x(t):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">'
                    f"{_fmt(t)}</text>")
    if reference is not None:
        body.append(f'<line x1="{x(reference):.1f}" x2="{x(reference):.1f}" y1="{TOP}" y2="{HEIGHT - BOTTOM}" '
                    f'stroke="#0b0c0c" stroke-dasharray="4 3"/>')
    for i, (name, v, lo, up) in enumerate(rows):
        cy = TOP + row_h * (i + 0.5)
        body.append(f'<text x="{label_w - 8}" y="{cy + 4:.1f}" text-anchor="end">{escape(name)}</text>')
        if lo is not None and up is not None:
            body.append(f'<line x1="{x(lo):.1f}" x2="{x(up):.1f}" y1="{cy:.1f}" y2="{cy:.1f}" stroke="{COLOURS[0]}" '
                        f'stroke-width="2"/>')
        body.append(f'<circle cx="{x(v):.1f}" cy="{cy:.1f}" r="4" fill="{COLOURS[0]}"/>')
    body.append(f'<text x="{label_w + pw / 2}" y="{HEIGHT - 8}" text-anchor="middle">{escape(x_title)}</text>')
    return _frame(uid, title, desc, body)
