"""Joining (SPEC §2.2): by invitation or by application, e-mail verified, charter accepted,
MFA set up where it is mandatory. Black-box: requests through URLs, assertions on responses, the
database and the e-mail outbox."""

import re
import time
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from community import services
from community.models import (
    AffiliationType,
    AuditLogEntry,
    CharterAcceptance,
    Invitation,
    MembershipApplication,
    Organisation,
    User,
)
from community.tasks import invitation_send_task
from tests.community.factories import OrganisationFactory
from tests.conftest import totp_code

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-unusual-passphrase-42"
INVITATION_LINK = re.compile(r"https?://testserver(/invitations/[^/\s]+/)")
CONFIRMATION_LINK = re.compile(r"https?://testserver(/accounts/confirm-email/[^/\s]+/)")


def _link(pattern, message) -> str:
    found = pattern.search(message.body)
    assert found, f"no link in the e-mail:\n{message.body}"
    return found.group(1)


def _current_totp_code(secret) -> str:
    """``totp_code``, but never in the last second of a period (the code could expire between
    reading and checking it: allauth accepts only the current period by default)."""
    if time.time() % mfa_settings.TOTP_PERIOD > mfa_settings.TOTP_PERIOD - 1.5:
        time.sleep(1.5)
    return totp_code(secret)


def _mails_to(address):
    return [m for m in mail.outbox if address in m.to]


def _signup_data(email, **overrides):
    data = {
        "email": email,
        "password1": PASSWORD,
        "password2": PASSWORD,
        "first_name": "Ada",
        "last_name": "Newcomer",
        "country": "BE",
        "affiliation_type": AffiliationType.LEA,
        "unlisted_organisation": "Police locale Example",
        "role_level": "management",
    }
    data.update(overrides)
    return data


@pytest.fixture
def invite(django_capture_on_commit_callbacks, client_for):
    """``invite(inviter, email, **fields)``: POST the invitation form as ``inviter`` (the e-mail
    job runs on commit) and return the response."""

    def post(inviter, email, **fields):
        with django_capture_on_commit_callbacks(execute=True):
            return client_for(inviter).post(
                reverse("community:invitation-create"), {"email": email, **fields}
            )

    return post


@pytest.fixture
def invitation_link(invite, manager):
    """``invitation_link(email, **fields)``: the manager invites ``email``; the link e-mailed."""

    def make(email, **fields) -> str:
        response = invite(manager, email, **fields)
        assert response.status_code == 302, response.content.decode()
        (message,) = _mails_to(email)
        return _link(INVITATION_LINK, message)

    return make


# --- The whole journey ------------------------------------------------------------------------


def test_an_invited_lea_officer_joins_through_every_step(
    django_capture_on_commit_callbacks, invite, client_for, manager, charter
):
    email = "new.officer@police.example.be"

    # given: a community manager invites an LEA officer and vouches for the affiliation
    response = invite(
        manager,
        email,
        affiliation_type=AffiliationType.LEA,
        vetted="on",
        message="Welcome aboard.",
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get(email=email)
    assert invitation.affiliation_vetted
    (message,) = _mails_to(email)
    link = _link(INVITATION_LINK, message)
    assert "Welcome aboard." in message.body

    # when: the invitee follows the link
    visitor = Client()
    welcome = visitor.get(link)

    # then: a welcome page leads to the sign-up form, pre-filled with the invited address
    assert welcome.status_code == 200
    signup_url = f"{reverse('account_signup')}?email={email}"
    assert signup_url.replace("@", "%40") in welcome.content.decode()
    form_page = visitor.get(signup_url)
    assert form_page.status_code == 200
    assert f'value="{email}"' in form_page.content.decode()

    # when: they sign up
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        signed_up = visitor.post(reverse("account_signup"), _signup_data(email))

    # then: the account exists, unconfirmed, and a verification e-mail is on its way
    assert signed_up.status_code == 302
    assert signed_up["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email=email)
    assert (user.first_name, user.last_name, user.country.code) == ("Ada", "Newcomer", "BE")
    # the manager vouched for the affiliation only: the role level and the organisation named
    # weigh in surveys, and wait for a manager's confirmation (no organisation is created)
    assert (user.role_level, user.pending_role_level) == ("field", "management")
    assert user.organisation is None
    assert user.unlisted_organisation == "Police locale Example"
    assert user.pending_change_requested_at is not None
    assert not Organisation.objects.filter(name="Police locale Example").exists()
    assert not EmailAddress.objects.get(user=user).verified
    (confirmation,) = _mails_to(email)
    confirm_url = _link(CONFIRMATION_LINK, confirmation)
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    assert invitation.accepted_at is not None

    # and: they cannot sign in before confirming
    assert "_auth_user_id" not in visitor.session
    attempt = Client().post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert attempt.status_code == 302
    assert attempt["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in attempt.client.session
    assert client_for(user).get(reverse("community:home")).status_code == 302

    # when: they open the confirmation link (a GET only shows a form) and confirm
    shown = visitor.get(confirm_url)
    assert shown.status_code == 200
    assert not EmailAddress.objects.get(user=user).verified
    confirmed = visitor.post(confirm_url)

    # then: the address is verified, they are signed in and sent on
    assert confirmed.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert visitor.session["_auth_user_id"] == str(user.pk)

    # and: every page sends them to the charter first
    for url in (confirmed["Location"], reverse("community:home"), reverse("account_email")):
        response = visitor.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("community:charter")), url
    charter_page = visitor.get(f"{reverse('community:charter')}?next=/")
    assert charter_page.status_code == 200
    assert charter.title in charter_page.content.decode()

    # when: they accept the charter
    accepted = visitor.post(
        reverse("community:charter"),
        {"version": charter.version, "accept": "on", "next": "/"},
    )

    # then: it is recorded, and the next page asks for a second factor (LEA member)
    assert accepted.status_code == 302
    assert CharterAcceptance.objects.filter(user=user, charter=charter).exists()
    home = visitor.get(accepted["Location"])
    assert home.status_code == 302
    assert home["Location"] == reverse("community:mfa-required")
    assert visitor.get(home["Location"]).status_code == 200

    # when: they set up an authenticator app
    activate_url = reverse("mfa_activate_totp")
    activation = visitor.get(activate_url)
    # allauth asks for the password again before a factor is added (reachable behind the gate)
    assert activation.status_code == 302
    assert activation["Location"].startswith(reverse("account_reauthenticate"))
    reauthenticated = visitor.post(activation["Location"], {"password": PASSWORD})
    assert reauthenticated.status_code == 302
    activation = visitor.get(activate_url)
    assert activation.status_code == 200
    secret = visitor.session[SECRET_SESSION_KEY]
    assert secret in activation.content.decode()
    wrong = visitor.post(activate_url, {"code": "000000" if totp_code(secret) != "000000" else "1"})
    assert wrong.status_code == 200
    assert "Incorrect code." in wrong.content.decode()
    assert not Authenticator.objects.filter(user=user).exists()
    activated = visitor.post(activate_url, {"code": _current_totp_code(secret)})

    # then: TOTP is on and the member reaches the home page
    assert activated.status_code == 302, activated.content.decode()
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    home = visitor.get(reverse("community:home"))
    assert home.status_code == 200
    assert "Welcome, Ada" in home.content.decode()

    # and: the manager's vetting made the affiliation verified
    user.refresh_from_db()
    assert user.affiliation_type == AffiliationType.LEA
    assert user.is_affiliation_verified
    assert user.affiliation_verified_by == manager
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.ACCEPTED


def _sign_up(visitor, link, email, **overrides):
    """Open the invitation link and POST the sign-up form in ``visitor``'s session."""
    assert visitor.get(link).status_code == 200
    return visitor.post(reverse("account_signup"), _signup_data(email, **overrides))


def test_the_vetted_affiliation_wins_over_what_the_invitee_claims(invitation_link):
    # given: a manager vouched that the invitee is a researcher
    email = "vetted.researcher@lab.example.org"
    link = invitation_link(
        email,
        affiliation_type=AffiliationType.RESEARCH,
        vetted="on",
    )

    # when: the invitee claims to be law enforcement on the sign-up form
    response = _sign_up(Client(), link, email, affiliation_type=AffiliationType.LEA)

    # then: the verified affiliation is the one the manager checked, not the claim
    assert response.status_code == 302
    user = User.objects.get(email=email)
    assert user.is_affiliation_verified
    assert user.affiliation_type == AffiliationType.RESEARCH


# --- Invitation links that do not work --------------------------------------------------------


def test_an_expired_invitation_is_refused_and_sign_up_stays_closed(invitation_link):
    # given: an invitation that expired
    email = "late@example.org"
    link = invitation_link(email)
    Invitation.objects.filter(email=email).update(expires_at=timezone.now() - timedelta(minutes=1))
    visitor = Client()

    # when: the invitee follows the link
    response = visitor.get(link)

    # then: a clear refusal, and the sign-up form is closed to them
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    closed = visitor.post(reverse("account_signup"), _signup_data(email))
    assert closed.status_code == 200
    assert "Sign Up Closed" in closed.content.decode()
    assert not User.objects.filter(email=email).exists()


def test_an_invitation_that_expires_after_the_link_was_opened_no_longer_opens_sign_up(
    invitation_link,
):
    email = "slow@example.org"
    link = invitation_link(email)
    visitor = Client()
    assert visitor.get(link).status_code == 200
    Invitation.objects.filter(email=email).update(expires_at=timezone.now() - timedelta(minutes=1))

    response = visitor.post(reverse("account_signup"), _signup_data(email))

    assert "Sign Up Closed" in response.content.decode()
    assert not User.objects.filter(email=email).exists()


def test_a_used_invitation_is_refused_and_cannot_open_a_second_account(invitation_link):
    # given: the invitee signed up with their link
    email = "once@example.org"
    link = invitation_link(email)
    assert _sign_up(Client(), link, email).status_code == 302
    assert User.objects.filter(email=email).count() == 1

    # when: someone follows the same link again
    other = Client()
    response = other.get(link)

    # then: it says the invitation is used, and sign-up stays closed
    assert response.status_code == 410
    assert "already been used" in response.content.decode()
    closed = other.post(reverse("account_signup"), _signup_data("second@example.org"))
    assert "Sign Up Closed" in closed.content.decode()
    assert not User.objects.filter(email="second@example.org").exists()


def test_an_unknown_invitation_token_is_not_found(client):
    response = client.get(reverse("community:invitation-accept", args=["no-such-token"]))

    assert response.status_code == 404
    assert "not valid" in response.content.decode()
    closed = client.post(reverse("account_signup"), _signup_data("guess@example.org"))
    assert "Sign Up Closed" in closed.content.decode()


def test_signing_up_with_another_address_than_the_invited_one_is_refused(invitation_link):
    # given: an invitation to one address
    email = "invited@example.org"
    link = invitation_link(email)
    mail.outbox.clear()

    # when: the invitee signs up with another address
    response = _sign_up(Client(), link, "someone.else@example.org")

    # then: the form says why, and nothing is created or spent
    assert response.status_code == 200
    assert "Sign up with the address the invitation was sent to." in response.content.decode()
    assert not User.objects.filter(email__in=[email, "someone.else@example.org"]).exists()
    assert not EmailAddress.objects.filter(email="someone.else@example.org").exists()
    assert Invitation.objects.get(email=email).state == Invitation.State.PENDING
    assert mail.outbox == []


def test_sign_up_without_an_invitation_is_closed(client):
    page = client.get(reverse("account_signup"))
    response = client.post(reverse("account_signup"), _signup_data("walk.in@example.org"))

    assert page.status_code == 200
    assert "Sign Up Closed" in page.content.decode()
    assert "Sign Up Closed" in response.content.decode()
    assert not User.objects.filter(email="walk.in@example.org").exists()


# --- Members inviting -------------------------------------------------------------------------


def test_a_member_invites_within_their_quota(invite, client_for, make_member):
    # given: a verified member with two invitations left
    member = make_member(AffiliationType.RESEARCH, invitation_quota=2)

    # when: they invite two people
    for email in ("first@example.org", "second@example.org"):
        response = invite(member, email)
        assert response.status_code == 302

    # then: both are invited and e-mailed, and both invitations are held against the quota
    # (it is spent when someone joins, given back when an invitation expires unanswered)
    assert services.invitations_left(member) == 0
    assert Invitation.objects.filter(invited_by=member).count() == 2
    assert len(_mails_to("first@example.org")) == len(_mails_to("second@example.org")) == 1

    # and: with nothing left, the page says so without a form, and the form is refused
    client = client_for(member)
    page = client.get(reverse("community:invitation-create"))
    assert "You have 0 invitations left." in page.content.decode()
    assert "Send the invitation" not in page.content.decode()
    refused = client.post(reverse("community:invitation-create"), {"email": "third@example.org"})
    assert refused.status_code == 403
    assert not Invitation.objects.filter(email="third@example.org").exists()


def test_an_unverified_member_cannot_invite(
    django_capture_on_commit_callbacks, client_for, unverified_member
):
    client = client_for(unverified_member)

    page = client.get(reverse("community:invitation-create"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("community:invitation-create"), {"email": "x@example.org"})

    assert page.status_code == 403
    assert response.status_code == 403
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_a_member_cannot_vouch_for_the_people_they_invite(invite, researcher):
    # given: a member tries to pass the manager-only fields
    email = "claims.lea@example.org"
    response = invite(
        researcher,
        email,
        affiliation_type=AffiliationType.LEA,
        vetted="on",
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get(email=email)
    assert not invitation.affiliation_vetted

    # when: the invitee signs up as LEA
    link = _link(INVITATION_LINK, _mails_to(email)[0])
    assert _sign_up(Client(), link, email).status_code == 302

    # then: the affiliation is only claimed, waiting for a manager
    user = User.objects.get(email=email)
    assert user.affiliation_type == AffiliationType.LEA
    assert not user.is_affiliation_verified


# --- Applications -----------------------------------------------------------------------------


def _application_data(**overrides):
    data = {
        "first_name": "Jan",
        "last_name": "Applicant",
        "email": "Jan.Applicant@Polizei.example.de",
        "organisation_name": "Landespolizei Example",
        "country": "DE",
        "affiliation_type": AffiliationType.LEA,
        "position": "Detective inspector",
        "motivation": "I lead a cybercrime unit and want to share needs.",
    }
    data.update(overrides)
    return data


def _apply(**overrides) -> MembershipApplication:
    response = Client().post(
        reverse("community:application-create"), _application_data(**overrides)
    )
    assert response.status_code == 200
    assert "Your application has been received" in response.content.decode()
    return MembershipApplication.objects.get(email=_application_data(**overrides)["email"].lower())


@pytest.fixture
def decide(django_capture_on_commit_callbacks, client_for):
    """``decide(actor, application, "approve" | "decline", **data)``: POST the decision as
    ``actor``, follow the redirect (e-mails go out on commit)."""

    def post(actor, application, decision, **data):
        with django_capture_on_commit_callbacks(execute=True):
            return client_for(actor).post(
                reverse(f"community:application-{decision}", args=[application.pk]),
                data,
                follow=True,
            )

    return post


# What the manager posts on the approval page to add the organisation an applicant named.
ADD_LANDESPOLIZEI = {
    "new_name": "Landespolizei Example",
    "new_country": "DE",
    "new_type": AffiliationType.LEA,
}


def test_an_approved_applicant_is_invited_and_can_join(decide, client_for, manager):
    # given: an anonymous visitor applies, naming an organisation that is not listed
    application = _apply()
    assert application.status == MembershipApplication.Status.PENDING
    email = application.email
    assert email == "jan.applicant@polizei.example.de"
    assert application.organisation is None
    assert not Organisation.objects.filter(name="Landespolizei Example").exists()

    # and: the list leads the manager to the approval page, which proposes to add it
    listed = client_for(manager).get(reverse("community:application-list")).content.decode()
    approve_url = reverse("community:application-approve", args=[application.pk])
    assert f'href="{approve_url}"' in listed
    page = client_for(manager).get(approve_url)
    assert page.status_code == 200
    assert page.context["form"]["new_name"].value() == "Landespolizei Example"

    # when: a community manager approves, adding the organisation
    response = decide(manager, application, "approve", **ADD_LANDESPOLIZEI)

    # then: approved, organisation created by the manager (audited), applicant e-mailed a link
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.APPROVED
    assert application.decided_by == manager
    organisation = Organisation.objects.get(name="Landespolizei Example", country="DE")
    assert organisation.type == AffiliationType.LEA
    assert AuditLogEntry.objects.filter(
        action="organisation.create", actor=manager, target_id=str(organisation.pk)
    ).exists()
    assert AuditLogEntry.objects.filter(
        action="application.approve", actor=manager, target_id=str(application.pk)
    ).exists()
    (message,) = _mails_to(email)
    assert "approved" in message.subject
    link = _link(INVITATION_LINK, message)

    # and: the link works; the new member's affiliation and organisation are verified
    assert _sign_up(Client(), link, email).status_code == 302
    user = User.objects.get(email=email)
    assert user.organisation == organisation
    assert user.affiliation_type == AffiliationType.LEA
    assert user.is_affiliation_verified
    assert Invitation.objects.get(application=application).accepted_by == user


def test_a_declined_applicant_is_told_why(decide, manager):
    application = _apply(email="decline.me@example.org")

    response = decide(
        manager,
        application,
        "decline",
        reason="We could not confirm that you work for a law enforcement agency.",
    )

    assert response.status_code == 200
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.DECLINED
    (message,) = _mails_to("decline.me@example.org")
    assert "We could not confirm that you work for a law enforcement agency." in message.body
    assert not Invitation.objects.filter(email="decline.me@example.org").exists()
    assert AuditLogEntry.objects.filter(
        action="application.decline", target_id=str(application.pk)
    ).exists()


def test_declining_without_a_reason_is_refused(decide, manager):
    application = _apply(email="no.reason@example.org")

    response = decide(manager, application, "decline", reason="   ")

    assert response.status_code == 200
    assert "Say why the application is declined." in response.content.decode()
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.PENDING
    assert mail.outbox == []
    assert not AuditLogEntry.objects.filter(action__startswith="application.").exists()


def test_an_application_cannot_be_decided_twice(decide, manager):
    # given: an approved application
    application = _apply(email="twice@example.org")
    decide(manager, application, "approve", **ADD_LANDESPOLIZEI)
    assert len(mail.outbox) == 1

    # when: someone approves it again, or declines it
    again = decide(manager, application, "approve", **ADD_LANDESPOLIZEI)
    declined = decide(manager, application, "decline", reason="Too late.")

    # then: both are refused with a message; nothing changes and no second e-mail goes out
    for response in (again, declined):
        assert "already been decided" in response.content.decode()
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.APPROVED
    assert Invitation.objects.filter(email="twice@example.org").count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("decision", ["approve", "decline"])
def test_a_non_manager_cannot_decide_an_application(decide, make_member, decision):
    application = _apply(email="waiting@example.org")
    member = make_member(AffiliationType.LEA)

    response = decide(member, application, decision, reason="Because I can.", **ADD_LANDESPOLIZEI)

    assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.PENDING
    assert mail.outbox == []
    assert not Invitation.objects.exists()
    assert not Organisation.objects.filter(name="Landespolizei Example").exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "not-an-address"),
        ("email", ""),
        ("first_name", ""),
        ("motivation", ""),
        ("country", "XX"),
        ("affiliation_type", "spy"),
    ],
)
def test_bad_input_to_the_application_form_is_shown_and_nothing_is_stored(client, field, value):
    response = client.post(
        reverse("community:application-create"), _application_data(**{field: value})
    )

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "Your application has been received" not in response.content.decode()
    assert not MembershipApplication.objects.exists()


# --- The e-mail job ---------------------------------------------------------------------------


def test_sending_an_invitation_twice_sends_one_email(
    django_capture_on_commit_callbacks, client_for, manager
):
    # given: an invitation whose e-mail job was queued
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_for(manager).post(
            reverse("community:invitation-create"), {"email": "retry@example.org"}
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="retry@example.org")
    assert len(callbacks) == 1
    assert mail.outbox == []

    # when: the job runs twice (a retry, a duplicate delivery)
    first = invitation_send_task.delay(invitation.pk).get()
    second = invitation_send_task.delay(invitation.pk).get()

    # then: one e-mail, and the stored token is the one in it
    assert (first, second) == (True, False)
    (message,) = mail.outbox
    link = _link(INVITATION_LINK, message)
    assert Client().get(link).status_code == 200


# --- Organisations when joining: chosen from the managed list, never created by applicants -----


def test_the_forms_offer_the_managed_list_grouped_by_country(client, invitation_link):
    # given: organisations in two countries
    OrganisationFactory(name="Polizei Berlin", country="DE")
    OrganisationFactory(name="Police nationale", country="FR")

    # when: a visitor opens the application form, and an invitee the sign-up form
    application_page = client.get(reverse("community:application-create")).content.decode()
    visitor = Client()
    assert visitor.get(invitation_link("grouped@example.org")).status_code == 200
    signup_page = visitor.get(reverse("account_signup")).content.decode()

    # then: each lists them in groups by country, with a way to name an unlisted one
    for page in (application_page, signup_page):
        assert '<optgroup label="Germany">' in page
        assert '<optgroup label="France">' in page
        assert "Polizei Berlin</option>" in page
        assert "Not in the list (give its name below)" in page


def test_an_applicant_chooses_a_listed_organisation_and_a_one_click_approval_keeps_it(
    decide, client_for, manager
):
    # given: an applicant who chose their organisation from the list
    listed = OrganisationFactory(name="Bundespolizei", country="DE")
    application = _apply(email="listed@example.de", organisation=listed.pk, organisation_name="")
    assert application.organisation == listed
    page = client_for(manager).get(reverse("community:application-list")).content.decode()
    assert "Approve and invite" in page

    # when: the manager approves with the list's button (it posts the applicant's choice)
    response = decide(manager, application, "approve", organisation=listed.pk)

    # then: the invitation carries that organisation; nothing is added to the list
    assert "Approved" in response.content.decode()
    application.refresh_from_db()
    assert application.invitation.organisation == listed
    assert Organisation.objects.filter(name__iexact="Bundespolizei").count() == 1


def test_the_manager_may_match_an_unlisted_name_to_a_listed_organisation(decide, manager):
    # given: the applicant typed a name for an organisation listed under another one
    listed = OrganisationFactory(name="Landespolizei Nordrhein-Westfalen", country="DE")
    application = _apply()
    count = Organisation.objects.count()

    # when: the manager picks the listed one
    decide(manager, application, "approve", organisation=listed.pk)

    # then: the applicant is invited into it, and no organisation is made from the free text
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.APPROVED
    assert application.invitation.organisation == listed
    assert Organisation.objects.count() == count


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "organisation", "Choose the organisation, or add a new one."),
        ({"organisation": "999999"}, "organisation", "Select a valid choice."),
        (
            {"new_name": "landespolizei example", "new_country": "DE", "new_type": "lea"},
            None,
            "already listed in this country",
        ),
        ({"new_name": "Landespolizei Example"}, "new_country", "Needed to add the organisation."),
    ],
)
def test_an_approval_without_a_valid_organisation_is_refused(decide, manager, data, field, message):
    # given: an application, and an organisation of the same name already listed
    OrganisationFactory(name="Landespolizei Example", country="DE")
    application = _apply()
    count = Organisation.objects.count()

    # when: the manager approves without choosing, with a forged id, re-adding a listed one
    # (whatever the case), or adding one without its country
    response = decide(manager, application, "approve", **data)

    # then: the page says why, and nothing is decided, created or sent
    assert response.status_code == 200
    assert message in response.content.decode()
    if field:
        assert field in response.context["form"].errors
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.PENDING
    assert Organisation.objects.count() == count
    assert not Invitation.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"organisation": "999999", "organisation_name": ""}, "organisation"),
        ({"organisation": "", "organisation_name": ""}, "organisation"),
        ({"organisation": "LISTED", "organisation_name": "Also this"}, "organisation_name"),
    ],
)
def test_an_applicant_cannot_forge_an_organisation(client, data, field):
    # given: the list holds one organisation
    listed = OrganisationFactory(name="Guardia Example", country="ES")
    if data["organisation"] == "LISTED":
        data["organisation"] = listed.pk

    # when: a visitor posts an unknown id, nothing at all, or both a choice and a name
    response = client.post(reverse("community:application-create"), _application_data(**data))

    # then: the form says why; no application and no organisation is stored
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not MembershipApplication.objects.exists()
    assert list(Organisation.objects.all()) == [listed]


def test_an_unlisted_organisation_named_by_an_applicant_is_only_text(client):
    response = client.post(
        reverse("community:application-create"),
        _application_data(organisation_name="  Brand New Agency  "),
    )

    assert "Your application has been received" in response.content.decode()
    application = MembershipApplication.objects.get()
    assert (application.organisation, application.organisation_name) == (None, "Brand New Agency")
    assert not Organisation.objects.exists()


def test_an_invitee_chooses_a_listed_organisation_at_sign_up(invitation_link):
    # given: an invitation that names no organisation
    listed = OrganisationFactory(name="Police fédérale", country="BE")
    email = "chooser@example.be"
    link = invitation_link(email)

    # when: the invitee chooses from the list (their affiliation is not verified yet)
    response = _sign_up(
        Client(), link, email, organisation=listed.pk, unlisted_organisation="", role_level="field"
    )

    # then: it is theirs, for the manager's verification to confirm
    assert response.status_code == 302
    user = User.objects.get(email=email)
    assert not user.is_affiliation_verified
    assert (user.organisation, user.unlisted_organisation) == (listed, "")
    assert user.pending_change_requested_at is None


def test_an_invitee_naming_an_unlisted_organisation_creates_none(invitation_link):
    email = "unlisted@example.be"
    link = invitation_link(email)

    response = _sign_up(Client(), link, email, unlisted_organisation="Zone de police Example")

    assert response.status_code == 302
    user = User.objects.get(email=email)
    assert (user.organisation, user.unlisted_organisation) == (None, "Zone de police Example")
    assert user.role_level == "management"  # not verified yet: the verification confirms it
    assert not Organisation.objects.filter(name="Zone de police Example").exists()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"organisation": "999999", "unlisted_organisation": ""}, "Select a valid choice"),
        ({"unlisted_organisation": ""}, "Choose your organisation, or give its name"),
    ],
)
def test_sign_up_with_a_forged_or_missing_organisation_is_refused(invitation_link, data, error):
    email = "forger@example.be"
    link = invitation_link(email)

    response = _sign_up(Client(), link, email, **data)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not User.objects.filter(email=email).exists()
    assert Invitation.objects.get(email=email).state == Invitation.State.PENDING


def test_the_organisation_an_invitation_names_is_not_asked_again(invitation_link):
    # given: a manager invited someone into a listed organisation
    named = OrganisationFactory(name="Politie Nederland", country="NL")
    other = OrganisationFactory(name="Another force", country="NL")
    email = "named@example.nl"
    link = invitation_link(email, organisation=named.pk)
    visitor = Client()
    assert visitor.get(link).status_code == 200

    # when: the invitee opens the sign-up form and posts another organisation anyway
    page = visitor.get(reverse("account_signup")).content.decode()
    response = visitor.post(reverse("account_signup"), _signup_data(email, organisation=other.pk))

    # then: the form did not ask, and the invitation's organisation is theirs
    assert 'name="organisation"' not in page
    assert response.status_code == 302
    assert User.objects.get(email=email).organisation == named


def test_the_application_list_has_a_constant_number_of_queries(
    client_for, manager, django_assert_max_num_queries
):
    client = client_for(manager)
    _apply(email="first@example.org", organisation=OrganisationFactory().pk, organisation_name="")
    client.get(reverse("community:application-list"))
    with django_assert_max_num_queries(15) as few:
        client.get(reverse("community:application-list"))
    budget = len(few.captured_queries)
    for n in range(5):
        listed = {"organisation": OrganisationFactory().pk, "organisation_name": ""}
        _apply(email=f"more{n}@example.org", **(listed if n % 2 else {}))

    with django_assert_max_num_queries(budget):
        response = client.get(reverse("community:application-list"))
    assert len(response.context["applications"]) == 6
