"""Settings for `benchmarks/web.py`'s server: the app's own, with the write rate limits raised.

wrk drives every account from one address (127.0.0.1) hundreds of times a second, which
the real limits (openbeat.moderation.ratelimits.LIMITS: 200 supports and 60 comments an
hour per address) would answer with 429s or hold for a moderator within a second. The
limits are still counted on every POST, so their cost stays in the figures; only the caps
are raised. Never use this module outside the benchmark.
"""

from openbeat.moderation.ratelimits import Limit
from openbeat.web.settings import *  # noqa: F403

_HUGE = 10**9
OPENBEAT_RATE_LIMITS = {
    "proposal": Limit(per_account=_HUGE, per_address=_HUGE, noun="proposals"),
    "support": Limit(per_account=_HUGE, per_address=_HUGE, noun="supports"),
    "comment": Limit(per_account=_HUGE, per_address=_HUGE, noun="comments"),
    "report": Limit(per_account=_HUGE, per_address=_HUGE, noun="reports"),
}
