"""Statistics for OpenBeat: one method per module, pure functions over arrays and tables.

The statistical modules here (change, funnel, hotspots, grid, concentration, fdr,
disproportionality, trust, allocation, evaluation, harm) take numpy arrays, pandas or
pyarrow tables and return plain results; they never open the lake and never import
Django. Wiring them to the lake is the job of ``store.py`` and the figure modules.
"""
