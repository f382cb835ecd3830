"""Moderation pages: who may act, what is recorded, what changes for readers."""

import pytest
from django.urls import reverse
from guardian.shortcuts import assign_perm

from community.models import AffiliationType, AuditLogEntry, Flag, Room, Sanction, User
from community.roles import Role
from community.services import forum
from community.tiers import Tier

pytestmark = pytest.mark.django_db


@pytest.fixture
def rooms(db):
    return {
        "lea": Room.objects.create(name="LEA", slug="lea", tier=Tier.LEA),
        "members": Room.objects.create(name="Members", slug="members", tier=Tier.MEMBERS),
        "other": Room.objects.create(name="Other LEA", slug="other", tier=Tier.LEA),
    }


@pytest.fixture
def moderator(make_member, rooms):
    member = make_member(AffiliationType.LEA, email="mod@example.org")
    assign_perm("community.moderate_room", member, rooms["lea"])
    return member


@pytest.fixture
def other_moderator(make_member, rooms):
    member = make_member(AffiliationType.LEA, email="othermod@example.org")
    assign_perm("community.moderate_room", member, rooms["other"])
    return member


@pytest.fixture
def flagged(rooms, lea_member, make_member):
    thread = forum.thread_create(actor=lea_member, room=rooms["lea"], title="Checkpoint",
                                 body="Rude words here")  # fmt: skip
    post = thread.posts.get()
    reporter = make_member(AffiliationType.LEA, email="reporter@example.org")
    Flag.objects.create(post=post, reporter=reporter, reason="Insulting")
    return post


def test_a_rooms_moderator_hides_a_flagged_post_with_a_reason(client_for, moderator, flagged):
    client = client_for(moderator)

    queue = client.get(reverse("community:moderation-queue"))
    response = client.post(reverse("community:post-hide", args=[flagged.pk]),
                           {"reason": "Insults", "next": reverse("community:moderation-queue")})  # fmt: skip

    assert "Insulting" in queue.content.decode()
    assert response.status_code == 302
    flagged.refresh_from_db()
    assert flagged.is_hidden
    assert Flag.objects.get(post=flagged).status == Flag.Status.ACTIONED
    entry = AuditLogEntry.objects.get(action="post.hide")
    assert (entry.actor, entry.reason) == (moderator, "Insults")


def test_hiding_without_a_reason_changes_nothing(client_for, moderator, flagged):
    response = client_for(moderator).post(reverse("community:post-hide", args=[flagged.pk]), {})

    assert response.status_code == 200
    flagged.refresh_from_db()
    assert not flagged.is_hidden
    assert not AuditLogEntry.objects.filter(action="post.hide").exists()


@pytest.mark.parametrize("who", ["lea_member", "other_moderator", "researcher"])
def test_others_cannot_hide_and_get_404(request, client_for, who, flagged):
    actor = request.getfixturevalue(who)

    hide = client_for(actor).post(
        reverse("community:post-hide", args=[flagged.pk]), {"reason": "x"}
    )
    queue = client_for(actor).get(reverse("community:moderation-queue"))

    assert hide.status_code == 404
    assert queue.status_code == 404 or "Rude words" not in queue.content.decode()
    flagged.refresh_from_db()
    assert not flagged.is_hidden


def test_a_thread_moved_to_an_lea_room_is_gone_for_a_researcher(
    client_for, manager, researcher, rooms
):
    thread = forum.thread_create(actor=researcher, room=rooms["members"], title="Shared topic",
                                 body="Open")  # fmt: skip
    post = thread.posts.get()
    client = client_for(researcher)
    assert client.get(reverse("community:thread-detail", args=[thread.pk])).status_code == 200

    response = client_for(manager).post(
        reverse("community:thread-moderate", args=[thread.pk]),
        {"action": "move", "room": rooms["lea"].pk, "reason": "Operational details"},
    )

    assert response.status_code == 302
    assert client.get(reverse("community:thread-detail", args=[thread.pk])).status_code == 404
    assert client.get(reverse("community:post-detail", args=[post.pk])).status_code == 404
    assert AuditLogEntry.objects.filter(action="thread.move", reason="Operational details").exists()


def test_moving_needs_a_reason(client_for, manager, researcher, rooms):
    thread = forum.thread_create(actor=researcher, room=rooms["members"], title="T", body="B")

    response = client_for(manager).post(
        reverse("community:thread-moderate", args=[thread.pk]),
        {"action": "move", "room": rooms["lea"].pk},
    )

    assert response.status_code == 200
    thread.refresh_from_db()
    assert thread.room == rooms["members"]


def test_lock_and_pin(client_for, moderator, lea_member, rooms):
    thread = forum.thread_create(actor=lea_member, room=rooms["lea"], title="T", body="B")
    client = client_for(moderator)

    for action in ("lock", "pin"):
        client.post(reverse("community:thread-moderate", args=[thread.pk]), {"action": action})

    thread.refresh_from_db()
    assert (thread.is_locked, thread.is_pinned) == (True, True)
    reply = client_for(lea_member).post(reverse("community:post-reply", args=[thread.pk]),
                                        {"body": "Still talking"})  # fmt: skip
    assert reply.status_code == 404
    assert thread.posts.count() == 1


def test_a_suspended_member_sees_the_suspension_page_everywhere_but_can_sign_out(
    client_for, manager, lea_member
):
    client_for(manager).post(
        reverse("community:member-sanction", args=[lea_member.pk]),
        {"kind": "suspend", "days": 3, "reason": "Shared restricted content"},
    )
    client = client_for(User.objects.get(pk=lea_member.pk))

    for name in ("community:home", "community:room-list", "community:search"):
        response = client.get(reverse(name))
        assert response.status_code == 403
        assert b"suspended" in response.content
    assert client.post(reverse("account_logout")).status_code == 302
    assert Sanction.objects.get(member=lea_member).kind == "suspension"
    assert AuditLogEntry.objects.filter(action="member.suspend").exists()


def test_only_managers_sanction_members(client_for, moderator, lea_member):
    response = client_for(moderator).post(
        reverse("community:member-sanction", args=[lea_member.pk]),
        {"kind": "warn", "reason": "x"},
    )

    assert response.status_code == 404
    assert not Sanction.objects.exists()


def test_a_member_removed_from_a_private_room_loses_it_at_once(client_for, manager, lea_member):
    room = Room.objects.create(name="Cell", slug="cell", tier=Tier.LEA, is_private=True)
    assign_perm("community.access_room", lea_member, room)
    client = client_for(lea_member)
    assert client.get(reverse("community:room-detail", args=["cell"])).status_code == 200

    client_for(manager).post(
        reverse("community:room-edit", args=["cell"]),
        {"action": "revoke", "member": lea_member.pk, "reason": "Left the unit"},
    )

    assert client.get(reverse("community:room-detail", args=["cell"])).status_code == 404
    assert AuditLogEntry.objects.filter(
        action="room.member_remove", reason="Left the unit"
    ).exists()


def test_audit_log_is_browsed_by_managers_and_exported_by_admins_only(
    client_for, manager, admin_user, lea_member
):
    from community.audit import audit_log

    audit_log(actor=manager, action="member.warn", target=lea_member, reason="=HYPERLINK(1)")

    page = client_for(manager).get(reverse("community:audit-log"))
    refused = client_for(manager).get(reverse("community:audit-log-export"))
    export = client_for(admin_user).get(reverse("community:audit-log-export"))
    member = client_for(lea_member).get(reverse("community:audit-log"))

    assert page.status_code == 200
    assert "member.warn" in page.content.decode()
    assert refused.status_code == 404
    assert member.status_code == 404
    assert export.status_code == 200
    assert "'=HYPERLINK(1)" in export.content.decode()


def test_managers_create_rooms_others_cannot(client_for, manager, lea_member):
    data = {"name": "New room", "slug": "new-room", "tier": Tier.LEA, "position": 1}

    refused = client_for(lea_member).post(reverse("community:room-create"), data)
    created = client_for(manager).post(reverse("community:room-create"), data)

    assert refused.status_code == 404
    assert created.status_code == 302
    assert Room.objects.filter(slug="new-room", tier=Tier.LEA).exists()
    assert AuditLogEntry.objects.filter(action="room.create").count() == 1


@pytest.mark.parametrize("kind", ["warn", "suspend", "remove"])
def test_only_an_administrator_sanctions_an_administrator(
    client_for, manager, admin_user, make_member, kind
):
    url = reverse("community:member-sanction", args=[admin_user.pk])
    data = {"kind": kind, "days": 3, "reason": "Took over the admin site"}
    page = client_for(manager).get(url)

    refused = client_for(manager).post(url, data)

    assert "Only an administrator may warn, suspend or remove an administrator." in (
        page.content.decode()
    )
    assert refused.status_code == 200
    assert "Only an administrator may" in refused.content.decode()
    admin_user.refresh_from_db()
    assert (admin_user.is_active, admin_user.suspended_until) == (True, None)
    assert not Sanction.objects.exists()
    assert not AuditLogEntry.objects.filter(action__startswith="member.").exists()
    # another administrator may (a superuser account itself is never removed here)
    other = make_member(AffiliationType.OTHER, roles=[Role.ADMINISTRATOR], email="ops@example.org")
    allowed = client_for(admin_user).post(
        reverse("community:member-sanction", args=[other.pk]), data
    )
    assert allowed.status_code == 302
    assert Sanction.objects.filter(member=other).count() == 1
