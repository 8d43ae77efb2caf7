"""Planning across areas: compare areas, highest crime lowest trust, the allocation planner,
did it work?, and the progress scorecard — the pages under "Tools" (``/tools/``).

Each tool is a GET form (:mod:`.forms`; nothing is written, so no login is needed) and a
page of results from one :mod:`openbeat.analytics` function, read through the areas app's
figures (:mod:`openbeat.areas.area_figures`). The same answers are in the open API's
planning routes (:mod:`openbeat.api.planning`). No models: areas live in the lake.
"""
