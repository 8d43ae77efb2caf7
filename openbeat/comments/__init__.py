"""Comments on anything people discuss (priorities now; reviews later), with one level of replies.

A comment names what it is about by ``target_kind`` and ``target_id`` (as follows and
reports do), so another app reuses it without a schema change: it calls
:func:`openbeat.comments.services.comment_create` and shows
:func:`openbeat.comments.selectors.comment_thread`.
"""
