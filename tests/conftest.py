"""Named actors and helpers shared by every test module.

Actors are members in good standing: verified affiliation and e-mail, current charter accepted
and, where MFA is mandatory, a TOTP authenticator — so a test starts from "signed in and allowed"
and removes exactly the condition it is about.
"""

import importlib

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db.models.signals import post_migrate
from django.test.client import ClientMixin

from community.models import AffiliationType, CharterAcceptance
from community.roles import Role
from tests.community.factories import CharterFactory, UserFactory


def _reseed_migration_data(sender, **kwargs):
    """Transactional tests (a real Celery worker, a browser against ``live_server``) flush every
    table when they end, including the rows data migrations wrote; the flush then sends
    post_migrate, and this puts those rows back, the way the migrations wrote them."""
    from django.apps import apps

    if sender.label != "community":
        return
    for module, function in SEEDING_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)


SEEDING_MIGRATIONS = [
    ("community.migrations.0002_seed_domains", "seed"),
    ("community.migrations.0004_network_news_calendar", "welcome_template_seed"),
    ("ipip.migrations.0002_seed_checklist", "seed"),
]


def _signed_in_as_allauth_would(client, user, *, mfa: bool) -> None:
    """Write in ``client``'s session the authentication records allauth's sign-in leaves: the
    password, then (``mfa``) the member's second factor."""
    from allauth.account.internal.flows.login import record_authentication
    from allauth.mfa.models import Authenticator
    from django.http import HttpRequest

    request = HttpRequest()
    request.session = client.session
    record_authentication(request, user, "password", email=user.email)
    factor = (
        Authenticator.objects.filter(
            user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
        ).first()
        if mfa
        else None
    )
    if factor is not None:
        record_authentication(request, user, "mfa", id=factor.pk, type=factor.type)
    request.session.save()


def force_login_without_mfa(client, user) -> None:
    """Sign ``client`` in with the password only, as Django's admin login form used to: the
    session never passed the member's second factor."""
    _django_force_login(client, user)
    _signed_in_as_allauth_would(client, user, mfa=False)


def _force_login_through_the_front_door(self, user, backend=None):
    _django_force_login(self, user, backend)
    _signed_in_as_allauth_would(self, user, mfa=True)


_django_force_login = ClientMixin.force_login


def pytest_configure(config):
    post_migrate.connect(_reseed_migration_data, dispatch_uid="tests-reseed-migration-data")
    # The member gate asks that this session passed the second factor (allauth's records), not
    # only that the account has one. Tests sign in with ``force_login``; give that session what
    # allauth's password + TOTP sign-in records, so a test starts "signed in through the front
    # door". Tests of the sign-in itself use the real pages (tests/community/test_security.py).
    ClientMixin.force_login = _force_login_through_the_front_door


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def charter(db):
    return CharterFactory(version=1)


def totp_code(secret: str) -> str:
    """The current TOTP code for ``secret``, as an authenticator app would show it."""
    import time

    from allauth.mfa import app_settings

    return f"{hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD):0{app_settings.TOTP_DIGITS}d}"


def enable_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    user.totp_secret = secret
    return secret


@pytest.fixture
def make_member(db, charter):
    """Create a member in good standing; ``roles`` are Role members, ``mfa`` None means
    "set up TOTP when it is mandatory"."""

    def make(affiliation=AffiliationType.RESEARCH, *, roles=(), mfa=None, accept=True, **fields):
        user = UserFactory(affiliation_type=affiliation, **fields)
        for role in roles:
            user.groups.add(Group.objects.get(name=role.value))
        if roles:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        if accept:
            CharterAcceptance.objects.create(user=user, charter=charter)
        needs_mfa = affiliation == AffiliationType.LEA or bool(roles) or user.is_superuser
        if mfa or (mfa is None and needs_mfa):
            enable_totp(user)
        return user

    return make


@pytest.fixture
def lea_member(make_member):
    return make_member(AffiliationType.LEA, email="lea.officer@example.org")


@pytest.fixture
def industry_member(make_member):
    return make_member(AffiliationType.INDUSTRY, email="industry@example.org")


@pytest.fixture
def researcher(make_member):
    return make_member(AffiliationType.RESEARCH, email="researcher@example.org")


@pytest.fixture
def policy_member(make_member):
    return make_member(AffiliationType.POLICY, email="policy@example.org")


@pytest.fixture
def unverified_member(make_member):
    return make_member(AffiliationType.RESEARCH, email="unverified@example.org", unverified=True)


@pytest.fixture
def manager(make_member):
    return make_member(
        AffiliationType.OTHER, roles=[Role.COMMUNITY_MANAGER], email="manager@example.org"
    )


@pytest.fixture
def admin_user(make_member):
    return make_member(
        AffiliationType.OTHER,
        roles=[Role.ADMINISTRATOR],
        email="admin@example.org",
        is_superuser=True,
    )


@pytest.fixture
def client_for(client):
    """``client_for(user)``: a test client signed in as ``user`` (``None``: anonymous)."""
    from django.test import Client

    def make(user):
        c = Client()
        if user is not None:
            c.force_login(user)
        return c

    return make
