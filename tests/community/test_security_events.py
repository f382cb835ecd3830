"""Security events (issue 10, point 9): sign-ins, refused sign-ins, second factors, passwords
and e-mail addresses go to the audit log once each, with the right actor; the member sees
their own on their data page; administrators alone see and export everyone's."""

import io
import json
import re
import zipfile

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community.audit import SecurityEvent
from community.models import AffiliationType, AuditLogEntry
from community.roles import Role
from community.services.personal_data import account_delete
from community.services.security import security_event_record
from tests.community.factories import TEST_PASSWORD
from tests.conftest import totp_code

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"
NEW_PASSWORD = "a-brand-new-passphrase-42"


def browser() -> Client:
    return Client(HTTP_USER_AGENT=BROWSER)


def events(**filters):
    return AuditLogEntry.objects.filter(action__startswith="security.", **filters)


def only_event(action) -> AuditLogEntry:
    """The one event of this kind (each is written once)."""
    [entry] = events(action=action)
    return entry


def assert_about(entry, member, *, actor):
    assert entry.target_id == str(member.pk)
    assert entry.actor_id == (actor.pk if actor else None)
    assert entry.data["user_agent"] == BROWSER
    assert entry.data["network"] == "127.0.0.0/24"


def assert_no_password_kept(*passwords):
    kept = json.dumps(list(AuditLogEntry.objects.values()), default=str)
    for password in passwords:
        assert password not in kept


def password_step(client, email, password=TEST_PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def confirm_password(client):
    assert client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})["Location"]


# --- Signing in ---------------------------------------------------------------------------------


def test_a_sign_in_is_recorded_once(lea_member):
    client = browser()
    password_step(client, lea_member.email)
    assert not events().exists()  # the password alone is no sign-in

    client.post(reverse("mfa_authenticate"), {"code": totp_code(lea_member.totp_secret)})

    assert list(events().values_list("action", flat=True)) == [SecurityEvent.LOGIN]
    assert_about(only_event(SecurityEvent.LOGIN), lea_member, actor=lea_member)
    assert_no_password_kept(TEST_PASSWORD)


def test_a_refused_sign_in_says_nothing_of_whether_the_account_exists(researcher):
    # when: a wrong password for a member, and any password for an address nobody has
    known = password_step(browser(), researcher.email.upper(), "wrong-password-1")
    unknown = password_step(browser(), "nobody@example.org", "wrong-password-2")

    # then: the same answer to both
    assert known.status_code == unknown.status_code == 200
    assert known.context["form"].errors == unknown.context["form"].errors

    # and two events, neither with an actor; the member's names their account
    assert events(action=SecurityEvent.LOGIN_FAILED).count() == 2
    assert_about(events(target_id=str(researcher.pk)).get(), researcher, actor=None)
    stranger = events(target_id="").get()
    assert (stranger.actor, stranger.target_type, stranger.target_repr) == (None, None, "")
    assert_no_password_kept("wrong-password-1", "wrong-password-2", "nobody@example.org")


def test_a_wrong_second_factor_code_is_recorded_and_is_no_sign_in(lea_member):
    client = browser()
    password_step(client, lea_member.email)

    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})

    assert response.status_code == 200
    assert_about(only_event(SecurityEvent.MFA_FAILED), lea_member, actor=None)
    assert not events(action=SecurityEvent.LOGIN).exists()


# --- Second factors, password and addresses ---------------------------------------------------


def test_second_factor_changes_are_recorded_once_each(
    django_capture_on_commit_callbacks, make_member
):
    member = make_member(AffiliationType.RESEARCH)  # MFA is optional: every factor may go
    client = browser()
    client.force_login(member)
    confirm_password(client)

    # an authenticator app (its recovery codes come with it, and are no event of their own)
    secret = client.get(reverse("mfa_activate_totp")).context["form"].secret
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    added = only_event(SecurityEvent.MFA_ADDED)
    assert_about(added, member, actor=member)
    assert added.data["kind"] == "totp"

    # new recovery codes
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("mfa_generate_recovery_codes"))
    assert_about(only_event(SecurityEvent.RECOVERY_CODES_REGENERATED), member, actor=member)

    # a security key removed, then the app switched off
    key = Authenticator.objects.create(user=member, type="webauthn", data={"name": "Key"})
    client.post(reverse("mfa_remove_webauthn", args=[key.pk]))
    client.post(reverse("mfa_deactivate_totp"))

    removed = events(action=SecurityEvent.MFA_REMOVED).order_by("pk")
    assert [entry.data["kind"] for entry in removed] == ["webauthn", "totp"]
    for entry in removed:
        assert_about(entry, member, actor=member)
    assert events().count() == 4
    assert not Authenticator.objects.filter(user=member).exists()


def test_a_password_change_is_recorded(researcher):
    client = browser()
    client.force_login(researcher)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": TEST_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert_about(only_event(SecurityEvent.PASSWORD_CHANGED), researcher, actor=researcher)
    assert_no_password_kept(TEST_PASSWORD, NEW_PASSWORD)


def test_a_password_reset_through_the_emailed_link_is_recorded(researcher):
    client = browser()
    client.post(reverse("account_reset_password"), {"email": researcher.email})
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body)

    form = client.get(link.group(1), follow=True)
    client.post(form.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert_about(only_event(SecurityEvent.PASSWORD_RESET), researcher, actor=researcher)
    assert_no_password_kept(NEW_PASSWORD)


def test_e_mail_address_changes_are_recorded(researcher):
    client = browser()
    client.force_login(researcher)
    other = "second@example.org"

    client.post(reverse("account_email"), {"action_add": "", "email": other})
    EmailAddress.objects.filter(email=other).update(verified=True)
    client.post(reverse("account_email"), {"action_primary": "", "email": other})
    client.post(reverse("account_email"), {"action_remove": "", "email": researcher.email})

    assert only_event(SecurityEvent.EMAIL_ADDED).data["address"] == other
    changed = only_event(SecurityEvent.EMAIL_CHANGED)
    assert (changed.data["address"], changed.data["previous_address"]) == (other, researcher.email)
    assert only_event(SecurityEvent.EMAIL_REMOVED).data["address"] == researcher.email
    for entry in events():
        assert_about(entry, researcher, actor=researcher)


# --- Who sees them ------------------------------------------------------------------------------


def test_a_member_sees_their_own_recent_security_activity_only(
    client_for, researcher, industry_member
):
    # given: a refused sign-in on each account, from different browsers
    password_step(Client(HTTP_USER_AGENT="Mine/1.0"), researcher.email, "wrong-password-1")
    password_step(Client(HTTP_USER_AGENT="Theirs/2.0"), industry_member.email, "wrong-password-2")

    # when: the researcher opens their data page (linked from their profile)
    client = client_for(researcher)
    assert (
        reverse("community:personal-data")
        in client.get(reverse("community:profile-edit")).content.decode()
    )
    page = client.get(reverse("community:personal-data")).content.decode()

    # then: their own event, not the other member's
    assert "Recent security activity" in page
    assert "Sign-in refused" in page
    assert "Mine/1.0" in page
    assert "Theirs/2.0" not in page


def test_the_security_activity_list_is_capped_and_costs_one_query(
    client_for, researcher, django_assert_max_num_queries
):
    def refused_sign_in():
        security_event_record(
            request=None, action=SecurityEvent.LOGIN_FAILED, actor=None, account=researcher
        )

    client = client_for(researcher)
    url = reverse("community:personal-data")
    refused_sign_in()
    with CaptureQueriesContext(connection) as one_event:
        client.get(url)
    budget = len(one_event)  # read now: the next request empties the query log

    for _attempt in range(24):
        refused_sign_in()
    with django_assert_max_num_queries(budget):
        page = client.get(url)

    assert len(page.context["security_events"]) == 20


def test_administrators_alone_see_and_export_security_events(
    client_for, researcher, manager, admin_user, make_member
):
    # given: a refused sign-in and a staff action
    from community.audit import audit_log

    password_step(browser(), researcher.email, "wrong-password-1")
    audit_log(actor=manager, action="member.warn", target=researcher, reason="Tone")
    security_only = {"security": "on"}

    # then: the administrator filters and exports the security events
    admin = client_for(admin_user)
    assert "security.login_failed" in admin.get(reverse("community:audit-log")).content.decode()
    listed = admin.get(reverse("community:audit-log"), security_only).content.decode()
    assert "security.login_failed" in listed
    assert "member.warn" not in listed
    export = admin.get(reverse("community:audit-log-export"), security_only).content.decode()
    assert "security.login_failed" in export
    assert BROWSER in export
    assert "member.warn" not in export

    # a community manager (and every other staff role) sees staff actions only
    others = [manager] + [
        make_member(AffiliationType.OTHER, roles=[role])
        for role in (Role.KNOWLEDGE_MANAGER, Role.IPUP_COORDINATOR, Role.NATIONAL_CONTACT)
    ]
    for staff in others:
        client = client_for(staff)
        page = client.get(reverse("community:audit-log"), security_only)
        if page.status_code == 200:
            assert "member.warn" in page.content.decode()
            assert "security." not in page.content.decode()
            assert "Security events only" not in page.content.decode()
        else:
            assert page.status_code == 404
        assert client.get(reverse("community:audit-log-export")).status_code == 404


# --- Personal data ------------------------------------------------------------------------------


def test_the_data_download_holds_the_security_events_and_deletion_erases_their_details(
    client_for, researcher
):
    password_step(browser(), researcher.email, "wrong-password-1")

    response = client_for(researcher).get(reverse("community:personal-data-export"))
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        rows = json.loads(archive.read("security.json"))
    assert [row["action"] for row in rows] == [SecurityEvent.LOGIN_FAILED]
    assert rows[0]["data"]["user_agent"] == BROWSER

    account_delete(actor=researcher, member=researcher)

    entry = only_event(SecurityEvent.LOGIN_FAILED)
    assert entry.data == {}
    assert entry.target_id == str(researcher.pk)
