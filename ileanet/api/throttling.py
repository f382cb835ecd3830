"""Rate limits of the API, counted in the cache (Redis in production), per member. Requests
without valid credentials are refused before any throttle runs (a key is 256 random bits: there
is nothing to guess). The rate is read from settings.API_RATE_LIMITS on each request, not
frozen when DRF's settings are first read."""

from django.conf import settings
from rest_framework.throttling import UserRateThrottle


class MemberRateThrottle(UserRateThrottle):
    def get_rate(self):
        return settings.API_RATE_LIMITS[self.scope]
