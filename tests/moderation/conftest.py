from tests.priorities.conftest import (  # noqa: F401 (fixtures)
    _clear_rate_limits, chair, moderator, officer, resident, use_lake, web_lake)
