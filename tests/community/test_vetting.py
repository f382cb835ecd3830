"""Vetting (issue 11): rejecting a verification and asking for evidence, telling members they
are verified, the managers told of new applications, the application form limited and
de-duplicated, and the invitations listed, resent, revoked and sent to a list."""

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from community import services
from community.models import (
    AffiliationType,
    AuditLogEntry,
    Invitation,
    MembershipApplication,
    User,
    VerificationDecision,
)
from community.roles import Role
from community.tasks import application_notify_task, verification_email_task
from tests.community.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

VERIFICATIONS = reverse("community:verification-list")
INVITATION_LINK = re.compile(r"https?://testserver(/invitations/[^/\s]+/)")


@pytest.fixture
def applicant(make_member):
    """A member who joined without a vetted invitation: unverified, lowest tier."""
    return make_member(AffiliationType.LEA, unverified=True, email="claims.lea@example.org")


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


# --- Verification decisions ---------------------------------------------------------------------


def test_a_rejected_member_stays_at_the_lowest_tier_leaves_the_queue_and_is_told_why(
    client_for, manager, applicant, on_commit
):
    client = client_for(manager)
    assert applicant in client.get(VERIFICATIONS).context["members"]

    with on_commit():
        response = client.post(
            reverse("community:verification-reject", args=[applicant.pk]),
            {"reject-message": "Your unit could not confirm your employment."},
        )

    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.is_active
    assert applicant.affiliation_verified_at is None
    assert applicant not in client.get(VERIFICATIONS).context["members"]
    entry = AuditLogEntry.objects.get(action="member.verify_reject")
    assert entry.reason == "Your unit could not confirm your employment."
    (message,) = mail.outbox
    assert message.to == [applicant.email]
    assert message.reply_to == [manager.email]
    assert "could not confirm your employment" in message.body


def test_rejecting_without_a_reason_is_refused_and_nothing_is_sent(
    client_for, manager, applicant, on_commit
):
    with on_commit():
        response = client_for(manager).post(
            reverse("community:verification-reject", args=[applicant.pk]), {"reject-message": " "}
        )

    assert response.status_code == 200
    assert response.context["reject_form"].errors
    assert not VerificationDecision.objects.exists()
    assert not AuditLogEntry.objects.filter(action="member.verify_reject").exists()
    assert mail.outbox == []


def test_asking_for_evidence_keeps_the_member_in_the_queue_and_mails_the_request(
    client_for, manager, applicant, on_commit
):
    client = client_for(manager)
    page = client.get(reverse("community:verification-verify", args=[applicant.pk]))

    with on_commit():
        client.post(
            reverse("community:verification-evidence", args=[applicant.pk]),
            {"evidence-message": "Please send a copy of your warrant card."},
        )

    assert reverse("community:verification-evidence", args=[applicant.pk]) in page.content.decode()
    queue = client.get(VERIFICATIONS)
    (waiting,) = queue.context["members"]
    assert waiting == applicant
    assert waiting.evidence_asked_at is not None
    assert "evidence asked on" in queue.content.decode()
    assert AuditLogEntry.objects.filter(action="member.verify_evidence", actor=manager).exists()
    (message,) = mail.outbox
    assert "warrant card" in message.body
    assert message.reply_to == [manager.email]


def test_a_verified_member_is_told_once(client_for, manager, applicant, on_commit):
    with on_commit():
        client_for(manager).post(reverse("community:verification-verify", args=[applicant.pk]))
    decision = VerificationDecision.objects.get(member=applicant)

    assert verification_email_task(decision.pk) is False  # a retry sends nothing
    assert decision.kind == VerificationDecision.Kind.VERIFIED
    (message,) = mail.outbox
    assert message.to == [applicant.email]
    assert "verified" in message.subject


@pytest.mark.parametrize("kind", ["reject", "evidence"])
def test_only_managers_decide_on_verifications(client_for, researcher, applicant, kind):
    response = client_for(researcher).post(
        reverse(f"community:verification-{kind}", args=[applicant.pk]),
        {f"{kind}-message": "No."},
    )

    assert response.status_code == 404
    assert not VerificationDecision.objects.exists()


def test_a_verified_member_cannot_be_rejected(client_for, manager, researcher):
    response = client_for(manager).post(
        reverse("community:verification-reject", args=[researcher.pk]), {"reject-message": "x"}
    )

    assert response.status_code == 200
    assert "already verified" in response.content.decode()
    assert not VerificationDecision.objects.exists()


# --- Applications -------------------------------------------------------------------------------


def _apply(client, email="jan.applicant@example.org"):
    return client.post(
        reverse("community:application-create"),
        {
            "first_name": "Jan",
            "last_name": "Applicant",
            "email": email,
            "organisation_name": "Landespolizei Example",
            "country": "DE",
            "affiliation_type": AffiliationType.LEA,
            "motivation": "I lead a cybercrime unit.",
        },
    )


def test_the_managers_are_told_once_of_a_new_application(
    client, manager, make_member, lea_member, on_commit
):
    other_manager = make_member(roles=[Role.COMMUNITY_MANAGER])

    with on_commit():
        _apply(client)

    application = MembershipApplication.objects.get()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([manager.email, other_manager.email])
    assert "Jan" not in mail.outbox[0].body  # who applied stays on the platform
    assert application_notify_task(application.pk) is False
    assert len(mail.outbox) == 2


def test_a_second_application_from_the_same_address_is_not_stored_and_answered_the_same(
    client, manager, on_commit
):
    with on_commit():
        first = _apply(client)
        second = _apply(client, email="JAN.applicant@example.org")

    assert first.status_code == second.status_code == 200
    assert first.templates[0].name == second.templates[0].name
    assert MembershipApplication.objects.count() == 1
    assert len(mail.outbox) == 1  # the managers are told once


def test_the_application_form_is_rate_limited_per_address(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "apply": "2/3600"}

    answers = [_apply(client, email=f"person{i}@example.org").status_code for i in range(3)]

    assert answers == [200, 200, 429]
    assert MembershipApplication.objects.count() == 2


# --- Invitations --------------------------------------------------------------------------------


def _link(message) -> str:
    return INVITATION_LINK.search(message.body).group(1)


def test_a_manager_resends_an_invitation_from_the_list_and_the_old_link_dies(
    client, client_for, manager, on_commit
):
    with on_commit():
        invitation = services.invitation_create(actor=manager, email="guest@example.org")
    old_link = _link(mail.outbox[0])
    manager_client = client_for(manager)
    listed = manager_client.get(reverse("community:invitation-list"))

    with on_commit():
        response = manager_client.post(
            reverse("community:invitation-resend", args=[invitation.pk]), {"from": "list"}
        )

    assert invitation in listed.context["page"].object_list
    assert response["Location"] == reverse("community:invitation-list")
    new_link = _link(mail.outbox[1])
    assert new_link != old_link
    assert client.get(old_link).status_code == 404
    assert client.get(new_link).status_code == 200
    assert AuditLogEntry.objects.filter(action="invitation.resend").exists()


def test_a_manager_revokes_an_invitation_and_its_link_stops_working(
    client, client_for, manager, on_commit
):
    with on_commit():
        invitation = services.invitation_create(actor=manager, email="guest@example.org")
    link = _link(mail.outbox[0])

    client_for(manager).post(
        reverse("community:invitation-revoke", args=[invitation.pk]), {"from": "list"}
    )

    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert client.get(link).status_code == 410
    assert AuditLogEntry.objects.get(action="invitation.revoke").actor == manager


def test_a_member_revokes_their_own_invitation_but_not_someone_else_s(
    client_for, researcher, make_member, manager
):
    mine = services.invitation_create(actor=researcher, email="friend@example.org")
    theirs = services.invitation_create(actor=manager, email="other@example.org")
    client = client_for(researcher)
    page = client.get(reverse("community:invitation-create")).content.decode()

    own = client.post(reverse("community:invitation-revoke", args=[mine.pk]))
    other = client.post(reverse("community:invitation-revoke", args=[theirs.pk]))

    assert reverse("community:invitation-revoke", args=[mine.pk]) in page
    assert own["Location"] == reverse("community:invitation-create")
    assert other.status_code == 404
    assert Invitation.objects.get(pk=mine.pk).revoked_at is not None
    assert Invitation.objects.get(pk=theirs.pk).revoked_at is None


def test_resending_a_member_s_held_invitation_sends_nothing(
    client_for, researcher, lea_member, on_commit
):
    held = services.invitation_create(actor=researcher, email=lea_member.email)

    with on_commit():
        response = client_for(researcher).post(
            reverse("community:invitation-resend", args=[held.pk])
        )

    assert response.status_code == 302
    assert mail.outbox == []


def test_only_managers_see_every_invitation(client_for, researcher):
    assert client_for(researcher).get(reverse("community:invitation-list")).status_code == 404


def test_the_invitation_list_costs_the_same_for_many(
    client_for, manager, django_assert_max_num_queries
):
    for i in range(15):
        services.invitation_create(actor=manager, email=f"guest{i}@example.org")
    client = client_for(manager)
    client.get(reverse("community:invitation-list"))

    with django_assert_max_num_queries(12):
        assert client.get(reverse("community:invitation-list")).status_code == 200


# --- Inviting a list ----------------------------------------------------------------------------


def _csv(text):
    return SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv")


def test_a_manager_previews_a_list_with_per_line_errors_then_confirms(
    client_for, manager, lea_member, on_commit
):
    OrganisationFactory(name="Police fédérale", country="BE")
    client = client_for(manager)
    text = (
        "email,first name,last name,affiliation,organisation\n"
        "anna@example.org,Anna,Peeters,lea,Police fédérale\n"
        "not-an-address,Bad,Row,lea,\n"
        f"{lea_member.email},Already,Member,lea,\n"
        "bob@example.org,Bob,Martin,Research,\n"
        "carl@example.org,Carl,Unknown,astronaut,\n"
    )

    preview = client.post(reverse("community:invitation-import"), {"csv_file": _csv(text)})

    assert preview.status_code == 200
    assert not Invitation.objects.exists()
    form = preview.context["form"]
    assert [row["email"] for row in form.rows] == ["anna@example.org", "bob@example.org"]
    assert {e["line"] for e in form.row_errors} == {3, 4, 6}
    html = preview.content.decode()
    assert "not an e-mail address" in html
    assert "already a member" in html

    with on_commit():
        done = client.post(
            reverse("community:invitation-import"),
            {"csv_text": text, "message": "Welcome", "confirm": "1"},
        )

    assert done["Location"] == reverse("community:invitation-list")
    anna = Invitation.objects.get(email="anna@example.org")
    assert (anna.first_name, anna.organisation.name, anna.invited_by) == (
        "Anna",
        "Police fédérale",
        manager,
    )
    assert Invitation.objects.get(email="bob@example.org").affiliation_type == "research"
    assert Invitation.objects.count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["anna@example.org", "bob@example.org"]
    assert "Hello Anna," in next(m.body for m in mail.outbox if m.to == ["anna@example.org"])


def test_a_file_that_is_not_utf8_csv_is_refused(client_for, manager):
    response = client_for(manager).post(
        reverse("community:invitation-import"),
        {"csv_file": SimpleUploadedFile("people.csv", "é".encode("latin-1"))},
    )

    assert response.status_code == 200
    assert "UTF-8" in response.content.decode()
    assert not Invitation.objects.exists()


def test_only_managers_invite_a_list(client_for, researcher):
    response = client_for(researcher).post(
        reverse("community:invitation-import"),
        {"csv_text": "x@example.org,X,Y,lea,", "confirm": "1"},
    )

    assert response.status_code == 404
    assert not Invitation.objects.exists()
    assert not User.objects.filter(email="x@example.org").exists()
