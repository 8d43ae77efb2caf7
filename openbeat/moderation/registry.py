"""Which models can be reported and moderated, by kind (the word used in URLs, reports and logs)."""

from __future__ import annotations

from django.http import Http404

_kinds: dict[str, type] = {}


def register(kind: str, model: type) -> None:
    """Make ``model`` (a :class:`~openbeat.moderation.models.Moderated`) reportable as ``kind``."""
    _kinds[kind] = model
    model.moderation_kind = kind


def kinds() -> list[str]:
    return sorted(_kinds)


def model_for(kind: str) -> type:
    try:
        return _kinds[kind]
    except KeyError:
        raise Http404(f"Nothing called {kind!r} can be moderated") from None


def item_get(*, kind: str, pk: int):
    """The moderated item ``kind`` number ``pk``, or 404."""
    model = model_for(kind)
    try:
        return model.objects.get(pk=pk)
    except model.DoesNotExist:
        raise Http404(f"No {kind} number {pk}") from None
