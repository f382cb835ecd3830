"""A developer's machine: debug on, e-mails printed, embedded services when none is configured."""

from .base import *
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
