"""Moderation: reports by residents, a per-force queue, hide and restore with a public reason,
suspended accounts, items held when posted in a flood, and a log of every action.

Any model people write can be moderated: it inherits :class:`~openbeat.moderation.models.Moderated`
and is registered under a short kind (``"priority"``, ``"comment"``) from its app's
``ready()`` with :func:`openbeat.moderation.registry.register`.
"""
