"""Personal data: a member's export holds their data and nobody else's; deleting the account
erases it and keeps the discussions readable under a pseudonym."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from community import services
from community.models import AuditLogEntry, Invitation, NationalContact, Post, User
from community.roles import Role
from community.services import forum
from community.services.personal_data import account_delete
from tests.community.factories import TEST_PASSWORD, OrganisationFactory, RoomFactory


def _zip(response) -> dict[str, list]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: json.loads(archive.read(name)) for name in archive.namelist()}


@pytest.fixture
def conversation(lea_member, make_member):
    other = make_member(first_name="Olga", last_name="Otherwise", email="olga@example.org")
    room = RoomFactory()
    thread = forum.thread_create(
        actor=other, room=room, title="Olga's confidential topic", body="Olga's secret text"
    )
    forum.post_create(actor=lea_member, thread=thread, body="My own reply about drones")
    return other, thread


def test_the_export_holds_my_posts_and_nothing_of_other_members(
    client_for, lea_member, conversation
):
    other, _thread = conversation

    files = _zip(client_for(lea_member).get(reverse("community:personal-data-export")))

    assert files["profile.json"][0]["email"] == lea_member.email
    assert [p["body"] for p in files["posts.json"]] == ["My own reply about drones"]
    assert files["posts.json"][0]["thread_title"] is None  # the thread is Olga's
    assert files["charter_acceptances.json"]
    everything = json.dumps(files)
    for theirs in ("Olga", "Otherwise", other.email, "secret text", "confidential topic"):
        assert theirs not in everything
    assert AuditLogEntry.objects.filter(action="personal_data.exported", actor=lea_member).exists()


def test_anonymous_visitors_cannot_export(client):
    response = client.get(reverse("community:personal-data-export"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_wrong_password_deletes_nothing(client_for, lea_member):
    response = client_for(lea_member).post(
        reverse("community:account-delete"), {"password": "wrong", "confirm": "on"}
    )

    assert response.status_code == 400
    assert "This is not your password." in response.content.decode()
    lea_member.refresh_from_db()
    assert lea_member.is_active
    assert lea_member.deleted_at is None


def test_deleting_my_account_erases_me_and_keeps_the_thread_readable(
    django_capture_on_commit_callbacks, client_for, lea_member, conversation, manager
):
    other, thread = conversation
    old_email, old_name = lea_member.email, lea_member.get_full_name()
    NationalContact.objects.create(country="FR", role="contact", member=lea_member)
    client = client_for(lea_member)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("community:account-delete"), {"password": TEST_PASSWORD, "confirm": "on"}
        )

    # then: signed out, on the goodbye page; the row holds nothing personal
    assert response.status_code == 302
    assert response["Location"] == reverse("community:account-deleted")
    member = User.objects.get(pk=lea_member.pk)
    assert not member.is_active
    assert member.deleted_at is not None
    assert (member.first_name, member.last_name, member.bio, member.organisation) == (
        "",
        "",
        "",
        None,
    )
    assert member.email.endswith("@deleted.invalid")
    assert member.handle.startswith("former-member-")
    assert not Client().login(email=old_email, password=TEST_PASSWORD)
    assert client.get(reverse("community:profile-edit")).status_code == 302

    # and: the post stays, and the thread shows the pseudonym, not the name
    assert Post.objects.filter(author=member, body="My own reply about drones").exists()
    html = (
        client_for(other).get(reverse("community:thread-detail", args=[thread.pk])).content.decode()
    )
    assert "My own reply about drones" in html
    assert member.handle in html
    assert old_name not in html

    # and: the audit entry names the pseudonym only; the contact role was handed over
    entry = AuditLogEntry.objects.get(action="account.deleted")
    assert old_email not in entry.target_repr
    assert old_name not in entry.target_repr
    assert not NationalContact.objects.filter(member=member).exists()
    assert any("national contact" in m.subject for m in mail.outbox)

    # and: the address can be invited again
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(actor=manager, email=old_email)
    assert mail.outbox[-1].to == [old_email]


def test_the_last_administrator_cannot_delete_their_account(client_for, admin_user):
    response = client_for(admin_user).post(
        reverse("community:account-delete"), {"password": TEST_PASSWORD, "confirm": "on"}
    )

    assert response.status_code == 400
    assert "last administrator" in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_deletion_erases_the_copies_of_my_name_and_address_elsewhere(
    django_capture_on_commit_callbacks, make_member, manager, admin_user
):
    # given: a member who joined through an application, was verified and given a role, and
    # who holds an e-mail address, a second factor and another signed-in session
    with django_capture_on_commit_callbacks(execute=True):
        application = services.application_submit(
            email="jonas.joiner@example.org",
            first_name="Jonas",
            last_name="Joiner",
            organisation_name="Joiner Labs",
            country="BE",
            affiliation_type="research",
            motivation="Jonas Joiner wants to help",
        )
        application = services.application_approve(
            actor=manager,
            application=application,
            organisation=OrganisationFactory(name="Joiner Labs", country="BE"),
        )
    member = make_member(
        email="jonas.joiner@example.org", first_name="Jonas", last_name="Joiner", mfa=True
    )
    services.invitation_redeem(invitation_id=application.invitation_id, user=member)
    services.affiliation_verify(actor=manager, member=member)
    services.role_grant(actor=admin_user, member=member, role=Role.KNOWLEDGE_MANAGER)
    laptop = Client()
    laptop.force_login(member)

    # when
    pseudonym = account_delete(actor=member, member=member)

    # then: no row outside the member's own still holds the name or the address
    application.refresh_from_db()
    assert (application.email, application.first_name, application.motivation) == (
        f"{pseudonym}@deleted.invalid",
        "",
        "",
    )
    assert not Invitation.objects.filter(email__iexact="jonas.joiner@example.org").exists()
    assert not EmailAddress.objects.filter(user=member).exists()
    assert not Authenticator.objects.filter(user=member).exists()
    for entry in AuditLogEntry.objects.all():
        assert "Joiner" not in str(entry)
        assert "jonas.joiner" not in str(entry)
    assert AuditLogEntry.objects.filter(action="role.grant", target_repr=pseudonym).exists()
    assert not User.objects.get(pk=member.pk).groups.exists()
    # and: the other session is over too
    assert laptop.get(reverse("community:profile-edit")).status_code == 302


def test_a_member_cannot_delete_someone_else(manager, lea_member):
    with pytest.raises(PermissionDenied):
        account_delete(actor=manager, member=lea_member)

    lea_member.refresh_from_db()
    assert lea_member.is_active


def test_my_audit_entries_in_the_export_name_no_other_member(client_for, manager, lea_member):
    services.affiliation_verify(actor=manager, member=lea_member)

    files = _zip(client_for(manager).get(reverse("community:personal-data-export")))

    entry = next(row for row in files["audit.json"] if row["action"] == "member.verify_affiliation")
    assert entry["target_type"] == "community.user"
    assert entry["target_id"] == str(lea_member.pk)
    assert entry["target"] is None
    everything = json.dumps(files)
    assert lea_member.email not in everything
    assert lea_member.last_name not in everything


def test_the_data_page_offers_the_download_and_the_deletion(client_for, researcher):
    html = client_for(researcher).get(reverse("community:personal-data")).content.decode()

    assert reverse("community:personal-data-export") in html
    assert reverse("community:account-delete") in html
    assert 'name="password"' in html


def test_the_goodbye_page_is_public(client):
    assert client.get(reverse("community:account-deleted")).status_code == 200


def test_the_export_holds_my_event_registrations_and_document_versions(
    client_for, lea_member, make_member
):
    # Found by an attacker's pass: the stage-3 data of a member was missing from their export.
    from community.models import AffiliationType, Event
    from ipup.models import ProjectDocument, ShowcaseEvent
    from tests.ipup.factories import ResearchProjectFactory

    start = timezone.now() + timedelta(days=3)
    event = Event.objects.create(title="Border showcase", kind="showcase", starts_at=start,
                                 ends_at=start + timedelta(hours=1))  # fmt: skip
    ShowcaseEvent.objects.create(event=event).registrations.create(
        member=lea_member, category="lea"
    )
    document = ProjectDocument.objects.create(project=ResearchProjectFactory(acronym="MINE"),
                                              kind="telos")  # fmt: skip
    document.versions.create(number=1, data={"legal_answer": "My words"}, submitted_by=lea_member)
    other = make_member(AffiliationType.LEA, email="other@example.org")
    document.versions.create(number=2, data={"legal_answer": "Their words"}, submitted_by=other)

    files = _zip(client_for(lea_member).get(reverse("community:personal-data-export")))

    assert files["event_registrations.json"][0]["showcase__event__title"] == "Border showcase"
    (version,) = files["document_versions_submitted.json"]
    assert version["data"] == {"legal_answer": "My words"}
    assert "Their words" not in json.dumps(files)
