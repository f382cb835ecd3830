"""A community manager changes a member's affiliation on the site (issue 10, point 3): audited,
with a reason, and followed by a new verification, never an instant change of tier."""

import pytest
from django.urls import reverse

from community.models import AffiliationType, AuditLogEntry, Room
from community.tiers import Tier
from tests.community.factories import RoomFactory

pytestmark = pytest.mark.django_db


def affiliation_url(member) -> str:
    return reverse("community:member-affiliation", args=[member.pk])


def test_a_manager_changes_an_affiliation_and_the_member_waits_for_verification(
    client_for, manager, researcher
):
    # given: a manager on the researcher's profile, which links to the page
    client = client_for(manager)
    profile = client.get(reverse("community:member-detail", args=[researcher.handle]))
    assert affiliation_url(researcher) in profile.content.decode()
    RoomFactory(slug="lounge", tier=Tier.LEA)

    # when: they change the affiliation to LEA, saying why
    response = client.post(
        affiliation_url(researcher),
        {"affiliation_type": AffiliationType.LEA, "reason": "Joined the federal police"},
    )

    # then: the change is audited, the verification cleared and listed to be done again
    assert response["Location"] == reverse("community:verification-list")
    researcher.refresh_from_db()
    assert researcher.affiliation_type == AffiliationType.LEA
    assert researcher.affiliation_verified_at is None
    entry = AuditLogEntry.objects.get(action="member.affiliation_change")
    assert (entry.actor, entry.reason) == (manager, "Joined the federal police")
    assert not Room.objects.visible_to(researcher).filter(slug="lounge").exists()
    listed = client.get(reverse("community:verification-list")).content.decode()
    assert affiliation_url(researcher) in listed


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"affiliation_type": AffiliationType.LEA, "reason": "  "}, "reason"),
        ({"affiliation_type": "sheriff", "reason": "Because"}, "affiliation_type"),
    ],
)
def test_bad_input_is_shown_and_changes_nothing(client_for, manager, researcher, data, field):
    response = client_for(manager).post(affiliation_url(researcher), data)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    researcher.refresh_from_db()
    assert researcher.affiliation_type == AffiliationType.RESEARCH
    assert researcher.affiliation_verified_at is not None
    assert not AuditLogEntry.objects.filter(action="member.affiliation_change").exists()


def test_members_cannot_change_an_affiliation(client_for, lea_member, researcher):
    client = client_for(lea_member)

    page = client.get(affiliation_url(researcher))
    post = client.post(affiliation_url(researcher), {"affiliation_type": "lea", "reason": "x"})

    assert (page.status_code, post.status_code) == (404, 404)
    researcher.refresh_from_db()
    assert researcher.affiliation_type == AffiliationType.RESEARCH


def test_a_manager_cannot_make_themselves_lea_and_vouch_for_it(client_for, manager):
    # given: a community manager (affiliation "other") and an LEA-only room
    RoomFactory(slug="lounge", tier=Tier.LEA)
    client = client_for(manager)

    # when: they change their own affiliation, then try to verify it
    changed = client.post(
        affiliation_url(manager), {"affiliation_type": AffiliationType.LEA, "reason": "Why not"}
    )
    verified = client.post(reverse("community:verification-verify", args=[manager.pk]))

    # then: both are refused, nothing changes and nothing is recorded as done
    assert (changed.status_code, verified.status_code) == (403, 403)
    manager.refresh_from_db()
    assert manager.affiliation_type == AffiliationType.OTHER
    assert not AuditLogEntry.objects.filter(
        action__in=["member.affiliation_change", "member.verify_affiliation"]
    ).exists()


def test_a_manager_cannot_change_an_administrator_s_affiliation(client_for, manager, admin_user):
    response = client_for(manager).post(
        affiliation_url(admin_user), {"affiliation_type": AffiliationType.LEA, "reason": "Test"}
    )

    assert response.status_code == 403
    admin_user.refresh_from_db()
    assert admin_user.affiliation_type == AffiliationType.OTHER
    assert admin_user.affiliation_verified_at is not None
    assert not AuditLogEntry.objects.filter(action="member.affiliation_change").exists()
