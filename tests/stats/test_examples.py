"""Every statistics module's docstring example runs and prints what it says."""

import doctest
import importlib

import pytest

MODULES = [
    "openbeat.stats.apportion", "openbeat.stats.change", "openbeat.stats.concentration",
    "openbeat.stats.disproportionality", "openbeat.stats.wdd", "openbeat.stats.fdr",
    "openbeat.stats.funnel", "openbeat.stats.gistar", "openbeat.stats.shrinkage",
    "openbeat.geo.grid", "openbeat.analytics.harm",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_example(name):
    module = importlib.import_module(name)
    assert module.__doc__ and "Example" in module.__doc__, f"{name} has no example"
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
