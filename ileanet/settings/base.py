"""Settings shared by every environment. Everything that differs between machines comes from
the environment (12-factor); see README.md for the variables."""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = BASE_DIR / ".data"

env = environ.Env()

SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY", default="insecure-local-only-key-do-not-use-in-production"
)
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# True only under production settings (DJANGO_ENV=production): what must never run on the
# real platform (demo accounts with a published password) asks this.
IS_PRODUCTION = False
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# The address in e-mail links. Unset, it is where `make run` serves (the Makefile passes its HOST
# and PORT), so a link never points at another port than the one in use; a wildcard bind
# address is reached on the loopback.
_RUN_HOST = env.str("HOST", default="127.0.0.1")
if _RUN_HOST in ("0.0.0.0", "::"):  # noqa: S104 - compared with, not bound to
    _RUN_HOST = "127.0.0.1"
SITE_URL = env.str("SITE_URL", default=f"http://{_RUN_HOST}:{env.int('PORT', default=8000)}")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "guardian",
    "taggit",
    "csp",
    "template_partials",
    "django_htmx",
    "django_countries",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "community",
    "ipup",
    "ipip",
    "knowledge_factory",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "community.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "community.middleware.MemberGateMiddleware",
]

ROOT_URLCONF = "ileanet.urls"
WSGI_APPLICATION = "ileanet.wsgi.application"
ASGI_APPLICATION = "ileanet.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "community.context_processors.navigation",
            ],
        },
    },
    {
        # Plain-text e-mails (community.emails): the same templates, without HTML escaping, so
        # "Practitioners' lounge" is not sent as "Practitioners&#x27; lounge".
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

# --- Database -----------------------------------------------------------------------------
# DATABASE_URL set: use it. Unset: an embedded PostgreSQL from a pip package, started on demand.
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    from ileanet.embedded_db import embedded_database

    DATABASES = {"default": embedded_database(BASE_DIR)}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and Celery broker -------------------------------------------------------
# REDIS_URL unset: local-memory cache, and Celery tasks run in-process (eagerly).
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "ileanet",
        }
    }
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
    CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL)
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "daily-digests": {
        "task": "community.tasks.digests_dispatch_task",
        "schedule": crontab(hour=6, minute=0),
        "args": ["daily"],
    },
    "weekly-digests": {
        "task": "community.tasks.digests_dispatch_task",
        "schedule": crontab(hour=6, minute=30, day_of_week="mon"),
        "args": ["weekly"],
    },
    "national-contact-gaps": {
        "task": "community.tasks.national_contact_alert_task",
        "schedule": crontab(hour=7, minute=0, day_of_week="mon"),
    },
    "survey-reminders": {
        "task": "ipup.tasks.survey_reminders_dispatch_task",
        "schedule": crontab(hour=8, minute=0),
    },
    "anonymous-survey-drafts": {
        "task": "ipup.tasks.anonymous_drafts_delete_task",
        "schedule": crontab(minute=15),
    },
    "project-contacts-round": {
        "task": "ipup.tasks.contacts_round_task",
        "schedule": crontab(hour=9, minute=0, day_of_week="tue"),
    },
    "project-alerts": {
        "task": "ipip.tasks.project_alerts_task",
        "schedule": crontab(hour=5, minute=30),
    },
    "showcase-event-reminders": {
        "task": "ipup.tasks.showcase_reminders_task",
        "schedule": crontab(minute=30),
    },
    # issue 15: the draft newsletter for the month just ended, for the knowledge managers.
    "knowledge-newsletter-draft": {
        "task": "knowledge_factory.tasks.newsletter_draft_task",
        "schedule": crontab(hour=4, minute=30, day_of_month=1),
    },
}
CELERY_TIMEZONE = "UTC"

# --- E-mail: printed unless EMAIL_URL (smtp://user:password@host:port) is set ------------
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ILEAnet <no-reply@ileanet.example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Users, authentication and access -----------------------------------------------------
AUTH_USER_MODEL = "community.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "community:home"
LOGOUT_REDIRECT_URL = "account_login"
# Guardian's anonymous user row would be a fake member in our user table; anonymous access is
# decided by the visibility rule instead.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

ACCOUNT_ADAPTER = "community.adapters.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "community.forms.SignupForm"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[ILEAnet] "
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/h/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}
MFA_ADAPTER = "community.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = "ILEAnet"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = False

# Posting, searching, mention suggestions and invitations, per member: "count/seconds"
# (ileanet.ratelimit). The last two answer questions about who is a member: a low limit keeps
# them from being used to list the membership.
RATE_LIMITS = {
    "post": env.str("RATE_LIMIT_POST", default="20/60"),
    "search": env.str("RATE_LIMIT_SEARCH", default="30/60"),
    "mention": env.str("RATE_LIMIT_MENTION", default="60/60"),
    "invite": env.str("RATE_LIMIT_INVITE", default="10/3600"),
    # Membership applications, per client address (the form is public).
    "apply": env.str("RATE_LIMIT_APPLY", default="5/3600"),
}

# Members may bring in this many people, and have at most as many invitations open at a time
# (community.services.members.invitations_left); community managers are not limited.
MEMBER_INVITATION_QUOTA = env.int("MEMBER_INVITATION_QUOTA", default=5)
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=14)

# Points of contact of research projects (ipup.services.contacts): a contact not verified for
# this many days is asked to confirm their details; the e-mailed link works this many days.
CONTACT_VERIFY_AFTER_DAYS = env.int("CONTACT_VERIFY_AFTER_DAYS", default=365)
CONTACT_TOKEN_VALID_DAYS = env.int("CONTACT_TOKEN_VALID_DAYS", default=30)

# Project alerts (ipip.services.alerts): followers are told this many days before a project ends.
IPIP_ALERT_LEAD_DAYS = env.int("IPIP_ALERT_LEAD_DAYS", default=30)

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
# Our catalogues first: an app's catalogue outranks those of the apps installed after it, so in
# INSTALLED_APPS order allauth's, guardian's or the admin's French for "Save", "Filter" or
# "Search" would replace ours on screen. LOCALE_PATHS outranks every app.
LOCALE_PATHS = [
    BASE_DIR / "locale",
    BASE_DIR / "community" / "locale",
    BASE_DIR / "ipup" / "locale",
    BASE_DIR / "ipip" / "locale",
    BASE_DIR / "knowledge_factory" / "locale",
]
TIME_ZONE = "Europe/Brussels"
# English dates as Europeans write them (ileanet/formats/en); French uses Django's own.
FORMAT_MODULE_PATH = ["ileanet.formats"]
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(DATA_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads are never under the static root: they are served through permission-checked views.
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(DATA_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Security headers (the production module tightens cookies, HTTPS and HSTS) ------------
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Signed in, active, not suspended, current charter accepted (ileanet.api.permissions).
    "DEFAULT_PERMISSION_CLASSES": ["ileanet.api.permissions.IsMemberInGoodStanding"],
    # A personal token (created from a session that passed the second factor) or the session
    # (which passed allauth's sign-in and the member gate). Never HTTP Basic, DRF's default: a
    # password-only door past the second factor. The token comes first so that an
    # unauthenticated request gets 401 with a WWW-Authenticate header.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "ileanet.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PAGINATION_CLASS": "ileanet.api.pagination.Pagination",
    "DEFAULT_THROTTLE_CLASSES": ["ileanet.api.throttling.MemberRateThrottle"],
}
# API requests per member, counted in the cache.
API_RATE_LIMITS = {"user": env.str("API_RATE_LIMIT", default="600/hour")}
SPECTACULAR_SETTINGS = {
    "TITLE": "ILEAnet API",
    "VERSION": "1.0.0",
    # The schema and its documentation page are for members, as the API itself.
    "SERVE_PERMISSIONS": ["ileanet.api.permissions.IsMemberInGoodStanding"],
    # The documentation page's assets come from drf-spectacular-sidecar, served from our own
    # origin: the CSP allows no CDN (and a deployment may have no internet access).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Bench-only views (a bare ``HttpResponse("ok")`` to compare pages with); off unless asked.
BENCH_VIEWS = env.bool("ILEANET_BENCH_VIEWS", default=False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="WARNING")},
}
