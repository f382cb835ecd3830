"""Moving or merging a thread into a room with a wider audience needs an explicit confirmation
and is audited with both audiences; and the hide form's ``next`` stays on the platform."""

import pytest
from django.urls import reverse
from guardian.shortcuts import assign_perm

from community.models import AffiliationType, AuditLogEntry, Room, Thread
from community.services import forum
from community.tiers import Tier
from community.visibility import audience_widens

pytestmark = pytest.mark.django_db


@pytest.fixture
def rooms(db):
    return {
        "lea": Room.objects.create(name="LEA", slug="lea", tier=Tier.LEA),
        "lea_private": Room.objects.create(name="Cell", slug="cell", tier=Tier.LEA,
                                           is_private=True),
        "lea_industry": Room.objects.create(name="Vendors", slug="vendors",
                                            tier=Tier.LEA_INDUSTRY),
        "members": Room.objects.create(name="Members", slug="members", tier=Tier.MEMBERS),
        "members_private": Room.objects.create(name="Panel", slug="panel", tier=Tier.MEMBERS,
                                               is_private=True),
        "public": Room.objects.create(name="Public", slug="public", tier=Tier.PUBLIC),
    }  # fmt: skip


@pytest.fixture
def secret(rooms, lea_member):
    return forum.thread_create(actor=lea_member, room=rooms["lea"], title="Checkpoint",
                               body="Operational detail")  # fmt: skip


def _moderate(client, thread, **data):
    return client.post(reverse("community:thread-moderate", args=[thread.pk]),
                       {"reason": "Belongs there", **data})  # fmt: skip


def test_moving_to_a_wider_room_without_confirmation_is_refused(client_for, manager, secret,
                                                                 rooms):  # fmt: skip
    response = _moderate(client_for(manager), secret, action="move", room=rooms["members"].pk)

    assert response.status_code == 200
    assert "confirm_wider" in response.context["form"].errors
    assert "wider audience" in response.content.decode()
    secret.refresh_from_db()
    assert secret.room == rooms["lea"]
    assert not AuditLogEntry.objects.filter(action="thread.move").exists()


def test_a_confirmed_move_is_done_and_audited_with_both_audiences(
    client_for, manager, researcher, secret, rooms
):
    response = _moderate(client_for(manager), secret, action="move", room=rooms["members"].pk,
                         confirm_wider="on")  # fmt: skip

    assert response.status_code == 302
    secret.refresh_from_db()
    assert secret.room == rooms["members"]
    entry = AuditLogEntry.objects.get(action="thread.move")
    assert entry.data["widened"] is True
    assert entry.data["from_audience"] == {"room": rooms["lea"].pk, "tier": "lea",
                                           "private": False}  # fmt: skip
    assert entry.data["to_audience"] == {"room": rooms["members"].pk, "tier": "members",
                                         "private": False}  # fmt: skip
    thread_url = reverse("community:thread-detail", args=[secret.pk])
    assert client_for(researcher).get(thread_url).status_code == 200


def test_moving_to_a_narrower_room_needs_no_confirmation(client_for, manager, researcher, rooms):
    thread = forum.thread_create(actor=researcher, room=rooms["members"], title="T", body="B")

    response = _moderate(client_for(manager), thread, action="move", room=rooms["lea"].pk)

    assert response.status_code == 302
    assert AuditLogEntry.objects.get(action="thread.move").data["widened"] is False


def test_merging_into_a_thread_of_a_wider_room_needs_confirmation(
    client_for, manager, researcher, secret, rooms
):
    target = forum.thread_create(actor=researcher, room=rooms["members"], title="Open",
                                 body="Open")  # fmt: skip
    client = client_for(manager)

    refused = _moderate(client, secret, action="merge", target=target.pk)
    assert refused.status_code == 200
    assert "confirm_wider" in refused.context["form"].errors
    assert Thread.objects.get(pk=secret.pk).merged_into is None

    done = _moderate(client, secret, action="merge", target=target.pk, confirm_wider="on")
    assert done.status_code == 302
    assert Thread.objects.get(pk=secret.pk).merged_into == target
    entry = AuditLogEntry.objects.get(action="thread.merge")
    assert entry.data["widened"] is True
    assert entry.data["from_audience"]["tier"] == "lea"
    assert entry.data["to_audience"]["tier"] == "members"


@pytest.mark.parametrize(
    ("source", "target", "wider"),
    [
        ("lea", "lea_industry", True),
        ("lea", "public", True),
        ("members", "public", True),
        ("lea_private", "lea", True),
        ("lea_industry", "lea", False),
        ("members", "lea", False),
        ("public", "members", False),
        ("lea", "lea_private", False),
    ],
)
def test_wider_is_decided_by_the_tiers(rooms, source, target, wider):
    assert audience_widens(rooms[source], rooms[target]) is wider


def test_a_private_target_is_wider_when_someone_listed_in_it_cannot_see_the_source(
    rooms, make_member, lea_member
):
    panel = rooms["members_private"]
    assign_perm("community.access_room", lea_member, panel)
    assert not audience_widens(rooms["lea"], panel)  # only an LEA member is listed

    researcher = make_member(AffiliationType.RESEARCH, email="panelist@example.org")
    assign_perm("community.access_room", researcher, panel)

    assert audience_widens(rooms["lea"], panel)


# --- Hiding: where the form sends the moderator back to ---------------------------------------


@pytest.mark.parametrize("next_url", ["https://evil.example.com/phish", "//evil.example.com/x"])
def test_hiding_never_redirects_off_the_platform(client_for, manager, secret, next_url):
    post = secret.posts.get()

    response = client_for(manager).post(reverse("community:post-hide", args=[post.pk]),
                                        {"reason": "Off topic", "next": next_url})  # fmt: skip

    assert response.status_code == 302
    assert "evil.example.com" not in response["Location"]
    assert response["Location"].startswith(reverse("community:thread-detail", args=[secret.pk]))


def test_hiding_returns_to_a_page_of_the_platform(client_for, manager, secret):
    queue = reverse("community:moderation-queue")

    response = client_for(manager).post(
        reverse("community:post-hide", args=[secret.posts.get().pk]),
        {"reason": "Off topic", "next": queue},
    )

    assert response["Location"] == queue
