"""The test suite. Uses DATABASE_URL / REDIS_URL when set (CI sets both), else the embedded
defaults. Tasks run eagerly unless a test starts a real worker (see tests/test_celery.py)."""

from .base import *

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Each test gets a fresh local cache (rate limits, sessions of other tests must not leak in).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
SITE_URL = "http://testserver"
MEDIA_ROOT = DATA_DIR / "test-media"
LOGGING = {"version": 1, "disable_existing_loggers": False}

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
