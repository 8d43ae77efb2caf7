"""CLI tests: `openbeat areas load` reads tests/geo's toy city."""

from tests.geo.conftest import toy_city  # noqa: F401 (fixture)
