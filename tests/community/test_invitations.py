"""No membership enumeration through the doors that take an e-mail address (issue 10, point 2):
the invitation form, the application form and the password reset answer a member the same
whether or not the address belongs to a member. Community managers are told more."""

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from community import services
from community.models import AffiliationType, AuditLogEntry, Invitation, MembershipApplication
from tests.community.factories import UserFactory

pytestmark = pytest.mark.django_db

NEWCOMER = "newcomer@example.org"
INVITED = "already.invited@example.org"


def _mails_to(address):
    return [message for message in mail.outbox if address in message.to]


@pytest.fixture
def invite_as(client_for, django_capture_on_commit_callbacks):
    """``invite_as(member, email)``: POST the invitation form (e-mails go out on commit) and
    return the response and the page it leads to."""

    def post(member, email):
        client = client_for(member)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("community:invitation-create"), {"email": email})
        page = client.get(response["Location"]) if response.status_code == 302 else None
        return response, page

    return post


@pytest.fixture
def open_invitation(manager):
    invitation = services.invitation_create(actor=manager, email=INVITED)
    mail.outbox.clear()
    return invitation


def _what_the_member_sees(response, page, email):
    """Everything the answer tells the inviting member, with the address they typed taken out."""
    messages = [str(m).replace(email, "<address>") for m in get_messages(page.wsgi_request)]
    sent = [(i.email.replace(email, "<address>"), i.state) for i in page.context["sent"]]
    return {
        "status": response.status_code,
        "location": response["Location"],
        "messages": messages,
        "left": page.context["left"],
        "sent": sent,
        "page status": page.status_code,
    }


def test_a_member_gets_the_same_answer_for_a_member_an_invited_and_a_new_address(
    invite_as, make_member, lea_member, open_invitation
):
    # given: three members with five invitations each
    inviters = [make_member(AffiliationType.RESEARCH, invitation_quota=5) for _ in range(3)]
    addresses = [NEWCOMER, lea_member.email, INVITED]

    # when: each invites one address: a newcomer, a member, someone already invited
    seen = []
    for inviter, email in zip(inviters, addresses, strict=True):
        response, page = invite_as(inviter, email)
        seen.append(_what_the_member_sees(response, page, email))

    # then: the answers, the lists and the quotas they see are the same
    assert seen[0] == seen[1] == seen[2]
    assert seen[0]["messages"] == ["If <address> can be invited, we have sent the invitation."]
    assert seen[0]["left"] == 4
    # and: only the newcomer is e-mailed; the member and the invitee get nothing more
    assert len(_mails_to(NEWCOMER)) == 1
    assert _mails_to(lea_member.email) == _mails_to(INVITED) == []
    # and: the audit log tells the managers which ones were held
    held = {
        entry.target_repr: entry.data["held"]
        for entry in AuditLogEntry.objects.filter(action="invitation.create", actor__in=inviters)
    }
    assert held == {NEWCOMER: False, lea_member.email: True, INVITED: True}


def test_a_community_manager_is_told_when_an_address_is_a_member_or_invited(
    client_for, manager, lea_member, open_invitation
):
    client = client_for(manager)
    url = reverse("community:invitation-create")

    member = client.post(url, {"email": lea_member.email.upper()})
    invited = client.post(url, {"email": INVITED})

    assert "This person is already a member." in member.content.decode()
    assert "An invitation to this address is still open." in invited.content.decode()
    assert Invitation.objects.count() == 1


def test_an_address_that_is_a_member_does_not_use_up_the_quota(invite_as, make_member, lea_member):
    # given: a member who tried to invite someone already a member
    inviter = make_member(AffiliationType.RESEARCH, invitation_quota=2)
    invite_as(inviter, lea_member.email)
    assert services.invitations_left(inviter) == 1  # held, as any unanswered invitation

    # when: that invitation expires unanswered (nobody can answer it: it was never sent)
    Invitation.objects.filter(invited_by=inviter).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )

    # then: the quota is whole again
    inviter.refresh_from_db()
    assert inviter.invitation_quota == 2
    assert services.invitations_left(inviter) == 2


def test_someone_joining_through_an_invitation_uses_one_of_the_quota(invite_as, make_member):
    inviter = make_member(AffiliationType.RESEARCH, invitation_quota=2)
    invite_as(inviter, NEWCOMER)
    invitation = Invitation.objects.get(email=NEWCOMER)

    services.invitation_redeem(invitation_id=invitation.pk, user=UserFactory(email=NEWCOMER))

    inviter.refresh_from_db()
    assert inviter.invitation_quota == 1
    assert services.invitations_left(inviter) == 1


def test_inviting_too_fast_answers_429_and_stores_nothing(
    invite_as, make_member, lea_member, settings
):
    # given: a limit of two invitations an hour
    settings.RATE_LIMITS = {"invite": "2/3600"}
    inviter = make_member(AffiliationType.RESEARCH, invitation_quota=5)

    # when: a member tries three addresses (one of them a member's: it counts all the same)
    first, _page = invite_as(inviter, lea_member.email)
    second, _page = invite_as(inviter, NEWCOMER)
    third, _page = invite_as(inviter, "third@example.org")

    # then: the third is refused with a clear message, and nothing of it is stored or sent
    assert (first.status_code, second.status_code, third.status_code) == (302, 302, 429)
    assert "many invitations in a short time" in third.content.decode()
    assert not Invitation.objects.filter(email="third@example.org").exists()
    assert _mails_to("third@example.org") == []


# --- The other doors that take an address --------------------------------------------------


def _without_tokens(html: str) -> str:
    """The page without its CSRF tokens (64 letters and digits, new on each response)."""
    return re.sub(r"\b[A-Za-z0-9]{64}\b", "", html)


def test_the_application_form_answers_the_same_for_a_member_s_address(client, lea_member):
    def apply(email):
        return client.post(
            reverse("community:application-create"),
            {
                "first_name": "Jan",
                "last_name": "Applicant",
                "email": email,
                "organisation_name": "Landespolizei Example",
                "country": "DE",
                "affiliation_type": AffiliationType.LEA,
                "position": "Detective inspector",
                "motivation": "I lead a cybercrime unit and want to share needs.",
            },
        )

    stranger = apply("jan.applicant@example.org")
    member = apply(lea_member.email)

    assert stranger.status_code == member.status_code == 200
    assert "Your application has been received" in stranger.content.decode()
    assert _without_tokens(stranger.content.decode()) == _without_tokens(member.content.decode())
    assert MembershipApplication.objects.count() == 2


def test_the_password_reset_answers_the_same_for_an_unknown_address(client, researcher):
    url = reverse("account_reset_password")

    known = client.post(url, {"email": researcher.email})
    unknown = client.post(url, {"email": "nobody.here@example.org"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    page = client.get(unknown["Location"]).content.decode()
    assert "nobody.here@example.org" not in page
