"""CLI tests: `openbeat areas load` reads tests/geo's toy city; `openbeat review publish` the small
Northbridge lake and one of its wards (tests/reviews/conftest.py); `openbeat serve` the Testborough lake."""

from tests.geo.conftest import toy_city  # noqa: F401 (fixture)
from tests.reviews.conftest import nb_store, ward  # noqa: F401 (fixtures)
from tests.web.conftest import demo_lake, web_lake  # noqa: F401 (fixtures)
