"""Platform-wide properties (SPEC §6.3-6.5): health endpoint, migrations in step with the
models, production settings that pass Django's deployment checks, security headers, rate-limited
sign-in and an admin where every model's pages open."""

import io
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.management import call_command
from django.db import connections
from django.urls import reverse
from django_celery_beat.models import IntervalSchedule
from taggit.models import Tag

from community import services
from community.models import (
    AffiliationType,
    AuditLogEntry,
    MembershipApplication,
    Organisation,
    User,
)
from ipup.demo import seed_needs_survey
from tests.community.factories import TEST_PASSWORD, OrganisationFactory

BASE_DIR = Path(settings.BASE_DIR)


# --- Health -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_health_reports_database_cache_and_broker(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"] == "ok"
    assert body["checks"]["broker"] in {"ok", "in-process"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_health_reports_a_database_that_is_down(client, django_db_setup, django_db_blocker):
    connection = connections["default"]
    saved = {key: connection.settings_dict.get(key) for key in ("HOST", "PORT")}
    with django_db_blocker.unblock():
        connection.close()
        connection.settings_dict.update(HOST="127.0.0.1", PORT="1")  # nothing listens there
        try:
            response = client.get("/healthz")
        finally:
            connection.close()
            connection.settings_dict.update(saved)

        # then: 503, the database named as down, and no detail of where it was
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "unavailable"
        assert body["checks"]["database"] == "down"
        assert body["checks"]["cache"] == "ok"
        assert "127.0.0.1" not in response.content.decode()

        # and: with the database back, health is back (later tests are unaffected)
        assert client.get("/healthz").status_code == 200
        connection.close()


# --- Migrations and deployment settings -------------------------------------------------------


@pytest.mark.django_db
def test_the_migrations_are_in_step_with_the_models():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:
        pytest.fail(f"models have changes without a migration:\n{out.getvalue()}")


def _production_env(**overrides) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SITE_URL", "PYTEST_", "ILEANET_"))
    }
    env.update(
        DJANGO_ENV="production",
        DJANGO_SETTINGS_MODULE="ileanet.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="ileanet.example.org",
        SITE_URL="https://ileanet.example.org",
    )
    for key in ("DATABASE_URL", "REDIS_URL"):
        if os.environ.get(key):
            env[key] = os.environ[key]
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def _manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_the_deployment_checks():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_collects_the_static_files(tmp_path):
    # given: production settings, whose storage rewrites every reference in CSS and JS
    env = _production_env(DJANGO_STATIC_ROOT=str(tmp_path / "static"))

    # when
    result = _manage("collectstatic", "--noinput", env=env)

    # then: every referenced file exists (a vendored file naming a missing source map fails)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "SITE_URL"])
def test_production_refuses_to_start_without_its_configuration(missing):
    result = _manage("check", env=_production_env(**{missing: None}))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


# --- Security headers, errors, rate limits ----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("signed_in", [False, True])
def test_pages_carry_strict_security_headers(client_for, researcher, signed_in):
    client = client_for(researcher if signed_in else None)
    url = reverse("community:home") if signed_in else reverse("account_login")

    response = client.get(url)

    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    assert "script-src" in directives
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
@pytest.mark.parametrize("signed_in", [False, True])
def test_the_not_found_page_says_nothing_about_the_path(client_for, researcher, signed_in):
    client = client_for(researcher if signed_in else None)

    response = client.get("/secret-project-x42/<script>/")

    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body
    assert "secret-project-x42" not in body
    assert "script" not in body.lower().replace("<script src=", "")


@pytest.mark.django_db
def test_the_sign_in_page_sends_newcomers_to_the_application_not_to_a_closed_sign_up(client):
    response = client.get(reverse("account_login"))

    assert response.status_code == 200
    assert f'href="{reverse("community:application-create")}"' in response.content.decode()
    assert reverse("account_signup") not in response.content.decode()


@pytest.mark.django_db
def test_sign_in_is_rate_limited_after_repeated_failures(client, researcher):
    # given: repeated wrong passwords for one address
    url = reverse("account_login")
    responses = [
        client.post(url, {"login": researcher.email, "password": f"wrong-{i}"}) for i in range(12)
    ]

    # then: the first are plain failures; later ones are refused as too many attempts
    def limited(response):
        return response.status_code == 429 or (
            "Too many failed login attempts" in response.content.decode()
        )

    assert responses[0].status_code == 200
    assert not limited(responses[0])
    assert limited(responses[-1]), "twelve failed sign-ins in a row were never limited"
    assert "_auth_user_id" not in client.session

    # and: even the right password is refused while the limit holds
    right = client.post(url, {"login": researcher.email, "password": TEST_PASSWORD})
    assert limited(right)
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_sign_in_attempts_across_many_addresses_are_limited_per_client(client, make_member):
    # given: one client trying one password against many addresses (password spraying)
    url = reverse("account_login")
    members = [make_member(AffiliationType.RESEARCH) for _ in range(12)]

    responses = [client.post(url, {"login": m.email, "password": "Summer2026!"}) for m in members]

    # then: the client is eventually refused whatever address it tries
    last = responses[-1]
    assert last.status_code == 429 or "Too many failed login attempts" in last.content.decode()
    assert "_auth_user_id" not in client.session


# --- Admin ------------------------------------------------------------------------------------


def _admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.django_db
def test_every_admin_page_opens_for_an_administrator(
    django_capture_on_commit_callbacks, client_for, admin_user, unverified_member, rf
):
    # given: a row in most tables (members, charter, acceptances and authenticators come with
    # the fixtures; an invitation, an application and audit entries are added here)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(actor=admin_user, email="guest@example.org")
    services.application_submit(
        email="applicant@example.org",
        first_name="Ann",
        last_name="Applicant",
        organisation_name="Guardia Example",
        country="ES",
        affiliation_type=AffiliationType.LEA,
        motivation="Border security.",
    )
    services.affiliation_verify(actor=admin_user, member=unverified_member)
    Tag.objects.create(name="forensics")
    IntervalSchedule.objects.create(every=10, period=IntervalSchedule.MINUTES)
    seed_needs_survey(actor=admin_user)  # needs, a survey, its invitations, responses, answers
    client = client_for(admin_user)
    request = rf.get("/admin/")
    request.user = admin_user
    assert client.get(reverse("admin:index")).status_code == 200

    for model, model_admin in admin.site._registry.items():
        # when / then: the list (also searched), the add form (or a refusal where adding is
        # not allowed) and the change form of an existing row answer
        assert client.get(_admin_url(model, "changelist")).status_code == 200, model
        if model_admin.search_fields:
            searched = client.get(_admin_url(model, "changelist"), {"q": "example"})
            assert searched.status_code == 200, model
        add = client.get(_admin_url(model, "add"))
        expected = 200 if model_admin.has_add_permission(request) else 403
        assert add.status_code == expected, model
        obj = model._default_manager.first()
        if obj is not None:
            change = client.get(_admin_url(model, "change", obj.pk))
            assert change.status_code == 200, model


def test_every_model_of_the_platform_is_in_the_admin():
    from django.apps import apps

    ours = ("community", "ipup", "ipip", "knowledge_factory")
    missing = [
        model.__name__
        for model in apps.get_models()
        if model._meta.app_label in ours and model not in admin.site._registry
    ]

    assert missing == []


@pytest.mark.django_db
def test_the_admin_verifies_the_affiliation_of_selected_members(
    client_for, admin_user, make_member
):
    # given: two unverified members and one other
    first = make_member(AffiliationType.LEA, unverified=True)
    second = make_member(AffiliationType.INDUSTRY, unverified=True)
    untouched = make_member(AffiliationType.RESEARCH, unverified=True)

    # when: the administrator runs the action on the first two
    response = client_for(admin_user).post(
        _admin_url(User, "changelist"),
        {"action": "verify_affiliation", "_selected_action": [first.pk, second.pk]},
        follow=True,
    )

    # then: both are verified by the administrator, with audit entries; the third is not
    assert response.status_code == 200
    assert "2 affiliation(s) verified." in response.content.decode()
    for member in (first, second):
        member.refresh_from_db()
        assert member.is_affiliation_verified
        assert member.affiliation_verified_by == admin_user
    untouched.refresh_from_db()
    assert not untouched.is_affiliation_verified
    assert AuditLogEntry.objects.filter(action="member.verify_affiliation").count() == 2


@pytest.mark.django_db
def test_the_admin_approves_selected_applications(
    django_capture_on_commit_callbacks, client, client_for, admin_user
):
    from django.core import mail

    # given: applications sent through the public form: one chose a listed organisation, one
    # named an organisation that is not listed, and a third one waits
    academy = OrganisationFactory(name="Police Academy", country="NL")
    for email, organisation in (
        ("one@example.org", {"organisation": academy.pk}),
        ("three@example.org", {"organisation_name": "Unlisted Academy"}),
        ("two@example.org", {"organisation": academy.pk}),
    ):
        response = client.post(
            reverse("community:application-create"),
            {
                "first_name": "Applicant",
                "last_name": email.split("@")[0],
                "email": email,
                "country": "NL",
                "affiliation_type": AffiliationType.LEA,
                "motivation": "Training officers in digital forensics.",
                **organisation,
            },
        )
        assert response.status_code == 200
    applications = MembershipApplication.objects.order_by("email")
    assert applications.count() == 3

    # when: the administrator approves the first two in the admin
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(
            _admin_url(MembershipApplication, "changelist"),
            {"action": "approve", "_selected_action": [applications[0].pk, applications[1].pk]},
            follow=True,
        )

    # then: the one with a listed organisation is approved and the applicant invited into it;
    # the unlisted one is left for the approval page (never created from its free text)
    assert response.status_code == 200
    one, three, two = MembershipApplication.objects.order_by("email")
    assert one.status == MembershipApplication.Status.APPROVED
    assert one.invitation is not None
    assert one.invitation.affiliation_vetted
    assert one.invitation.organisation == academy
    assert three.status == MembershipApplication.Status.PENDING
    assert "name an organisation that is not listed" in response.content.decode()
    assert not Organisation.objects.filter(name="Unlisted Academy").exists()
    assert two.status == MembershipApplication.Status.PENDING
    assert [m.to for m in mail.outbox] == [["one@example.org"]]
    assert "/invitations/" in mail.outbox[0].body
