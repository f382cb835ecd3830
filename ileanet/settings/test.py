"""The test suite. Uses DATABASE_URL / REDIS_URL when set (CI sets both), else the embedded
defaults. Tasks run eagerly unless a test starts a real worker (see tests/celery_worker.py)."""

import os

from .base import *

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A test worker subprocess may be given a misbehaving mail server (tests/mail_backends.py).
EMAIL_BACKEND = os.environ.get(
    "ILEANET_TEST_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend"
)
# Each test gets a fresh local cache (rate limits, sessions of other tests must not leak in).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
# A TOTP code read in the last moment of its 30-second period is checked a moment later, in the
# next one: accept the neighbouring periods, so no sign-in test fails on the clock.
MFA_TOTP_TOLERANCE = 1
SITE_URL = "http://testserver"
MEDIA_ROOT = DATA_DIR / "test-media"
LOGGING = {"version": 1, "disable_existing_loggers": False}

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing

# The test process runs tasks eagerly and never needs a broker, except inside
# tests.celery_worker.real_broker, which points Celery at REDIS_URL itself. (Eager sends still
# take a producer from the broker's pool; a Redis pool emptied by a test worker's shutdown
# would block them.) The test worker subprocess sets ILEANET_TEST_WORKER and keeps Redis.
if not os.environ.get("ILEANET_TEST_WORKER"):
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
# No broker connection pool: a test worker's start and stop swap the broker configuration, and a
# pooled connection from before the swap would be handed out (or awaited) after it.
CELERY_BROKER_POOL_LIMIT = None
# Tests create content fast; tests/test_ratelimit.py sets its own limits.
RATE_LIMITS = {
    "post": "10000/60",
    "search": "10000/60",
    "mention": "10000/60",
    "invite": "10000/60",
    "apply": "10000/60",
}
# Tests call the API often; tests/api/test_platform.py sets its own limit to reach a 429.
API_RATE_LIMITS = {"user": "10000/hour"}
