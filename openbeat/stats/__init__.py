"""Statistics: one method per module, pure functions over arrays and tables.

Each module implements one published method, names its results as the paper does,
cites it, and is tested against an independent reference (statsmodels, esda, a worked
example). None opens the lake or imports Django: :mod:`openbeat.analytics` computes
figures from the lake with them.
"""
