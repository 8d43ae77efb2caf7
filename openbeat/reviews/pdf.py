"""The review as a PDF, made on the server by WeasyPrint from the same template as the page:
charts stay vector graphics (inline SVG), each with its table. Nothing is fetched: the
stylesheet is read from this app's folder and the page holds no external reference."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.core.cache import cache
from django.template.loader import render_to_string

from openbeat.reviews.models import Review
from openbeat.reviews.presenters import review_view, scorecard_row

STYLESHEET = Path(__file__).parent / "static" / "reviews" / "review.css"


def _no_fetch(url: str, *args, **kwargs):
    raise ValueError(f"review PDFs fetch nothing ({url})")


def review_pdf_bytes(*, review: Review, revisions: list[str]) -> bytes:
    """The PDF of ``review`` (with the revision note as it stands), kept for an hour."""
    key = "review-pdf:" + hashlib.sha256(f"{review.pk}|{revisions!r}".encode()).hexdigest()
    found = cache.get(key)
    if found is not None:
        return found
    from weasyprint import CSS, HTML

    html = render_to_string("reviews/pdf.html", {"review": review, "view": review_view(review=review),
                                                 "row": scorecard_row(review), "revisions": revisions, "pdf": True})
    out = HTML(string=html, base_url=str(STYLESHEET.parent), url_fetcher=_no_fetch).write_pdf(
        stylesheets=[CSS(filename=str(STYLESHEET))])
    cache.set(key, out, 3600)
    return out
