"""Planning tests run on the Testborough lake and the small Northbridge lake (tests/web/conftest.py)."""

from tests.web.conftest import demo_lake, empty_lake, use_lake, web_lake  # noqa: F401 (fixtures)
