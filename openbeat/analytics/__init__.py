"""Figures from the lake, one module per question the platform answers.

``store`` opens the lake (DuckDB) and keeps small aggregates; ``profiles``, ``hotspots``,
``stopsearch``, ``trust``, ``targeting``, ``allocation``, ``did_it_work``, ``comparison``
and ``scorecard`` compute figures with the statistics in :mod:`openbeat.stats` and return
a :class:`~openbeat.analytics.result.Result`. Never imports Django.
"""
