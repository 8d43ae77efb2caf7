"""Which models can be reported and moderated, by kind (the word used in URLs, reports and logs)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404

_kinds: dict[str, type] = {}
#: kind -> what its app does when a moderator shows an item again (tell its author, and
#: its followers when they never saw it): ``shown(item, *, was=<visibility before>)``
_shown: dict[str, Callable] = {}


def register(kind: str, model: type, *, shown: Callable | None = None) -> None:
    """Make ``model`` (a :class:`~openbeat.moderation.models.Moderated`) reportable as ``kind``;
    ``shown`` is called (in the restoring transaction) when a moderator restores one."""
    _kinds[kind] = model
    model.moderation_kind = kind
    if shown is not None:
        _shown[kind] = shown


def item_shown(item, *, was: str) -> None:
    """Tell whoever the item's app tells when ``item`` is shown again after being ``was``."""
    hook = _shown.get(getattr(item, "moderation_kind", ""))
    if hook is not None:
        hook(item, was=was)


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
