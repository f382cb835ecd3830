"""Fixed-window rate limits on the shared cache (Redis in production): posting and searching
(SPEC §6.4). Sign-in and sign-up are limited by allauth's own settings."""

import time

from django.conf import settings
from django.core.cache import cache


def allow(action: str, who: object, *, default: str) -> bool:
    """Count one ``action`` by ``who``; False once the limit "N/seconds" is passed in the
    current window. Limits come from settings.RATE_LIMITS[action], else ``default``."""
    limit, seconds = (int(n) for n in settings.RATE_LIMITS.get(action, default).split("/"))
    window = int(time.time()) // seconds
    key = f"ratelimit:{action}:{who}:{window}"
    cache.add(key, 0, seconds + 1)
    try:
        return cache.incr(key) <= limit
    except ValueError:  # the key expired between add and incr: a new window
        cache.add(key, 1, seconds + 1)
        return True
