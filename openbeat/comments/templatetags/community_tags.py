"""How people appear beside what they wrote: their display name and verified badges, never more."""

from __future__ import annotations

from django import template

from openbeat.accounts.privacy import FORMER_RESIDENT
from openbeat.accounts.selectors import user_badges

register = template.Library()


@register.filter
def author_name(user) -> str:
    return user.public_name if user is not None else FORMER_RESIDENT


@register.filter
def badges(user) -> list[str]:
    return user_badges(user=user) if user is not None else []
