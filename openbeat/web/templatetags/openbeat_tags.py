"""Small template filters the layouts need."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``row|get_item:"crimes"``: a dict value by a key held in a variable."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def thousands(value):
    """12345 → "12,345" (UK style; Django's humanize would need USE_THOUSAND_SEPARATOR)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"
