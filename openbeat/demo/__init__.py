"""A synthetic city, Northbridge, in police.uk's formats: the demo and a test bed.

    >>> from openbeat.demo import generate, build
    >>> city = generate("demo-files", months=12)  # doctest: +SKIP
    >>> result = build(Lake("lake"), "demo-files")  # doctest: +SKIP

:func:`generate` writes 36 months of street, outcomes and stop-and-search CSVs for
the fictional force ``northbridge`` plus its boundaries, lookups, population, trust
survey, postcodes and police.uk API responses; :func:`build` also ingests the CSVs
through :mod:`openbeat.ingest`. Everything is deterministic from the seed and labelled
synthetic. See README.md in this folder for what is planted in the data.
"""

from __future__ import annotations

from openbeat.demo.city import (
    DEFAULT_END, DEFAULT_MONTHS, DEFAULT_SEED, MET_SCALE, DemoBuild, DemoCity, LakeSummary, build, generate,
    lake_summary,
)
from openbeat.demo.vocab import FORCE, FORCE_NAME, SYNTHETIC_LINE

__all__ = [
    "DEFAULT_END", "DEFAULT_MONTHS", "DEFAULT_SEED", "FORCE", "FORCE_NAME", "MET_SCALE", "SYNTHETIC_LINE",
    "DemoBuild", "DemoCity", "LakeSummary", "build", "generate", "lake_summary",
]
