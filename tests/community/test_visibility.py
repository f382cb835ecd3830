"""The visibility rule, role by role and tier by tier, read both ways."""

from datetime import timedelta

import pytest
from django.utils import timezone
from guardian.shortcuts import assign_perm

from community.models import AffiliationType, Post, Room, User
from community.roles import Role
from community.services import forum, moderation
from community.tiers import Tier
from community.visibility import room_audience_filter

pytestmark = pytest.mark.django_db

TIERS = [Tier.PUBLIC, Tier.MEMBERS, Tier.LEA, Tier.LEA_INDUSTRY, Tier.LEA_RESEARCH]


@pytest.fixture
def rooms(db):
    made = {
        tier.value: Room.objects.create(name=tier.label, slug=tier.value, tier=tier)
        for tier in TIERS
    }
    made["private"] = Room.objects.create(
        name="Private", slug="private", tier=Tier.LEA, is_private=True
    )
    return made


@pytest.fixture
def actors(make_member):
    suspended = make_member(AffiliationType.LEA, email="suspended@example.org")
    suspended.suspended_until = timezone.now() + timedelta(days=3)
    suspended.save(update_fields=["suspended_until"])
    return {
        "unverified": make_member(AffiliationType.LEA, unverified=True, email="u@example.org"),
        "lea": make_member(AffiliationType.LEA, email="l@example.org"),
        "industry": make_member(AffiliationType.INDUSTRY, email="i@example.org"),
        "research": make_member(AffiliationType.RESEARCH, email="r@example.org"),
        "policy": make_member(AffiliationType.POLICY, email="p@example.org"),
        "suspended": suspended,
        "manager": make_member(AffiliationType.OTHER, roles=[Role.COMMUNITY_MANAGER], email="m@example.org"),
        "removed": make_member(AffiliationType.LEA, email="x@example.org", is_active=False),
    }  # fmt: skip


# Expected: which rooms each role sees (the private room is an LEA room nobody was added to).
EXPECTED = {
    "unverified": {"public"},
    "lea": {"public", "members", "lea", "lea_industry", "lea_research"},
    "industry": {"public", "members", "lea_industry"},
    "research": {"public", "members", "lea_research"},
    "policy": {"public", "members"},
    "suspended": set(),
    "manager": {"public", "members", "lea", "lea_industry", "lea_research", "private"},
    "removed": {"public"},
}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_sees_exactly_the_rooms_of_its_tiers(role, rooms, actors):
    seen = set(Room.objects.visible_to(actors[role]).values_list("slug", flat=True))

    assert seen == EXPECTED[role]


def test_anonymous_visitors_see_only_public_rooms(rooms):
    from django.contrib.auth.models import AnonymousUser

    assert set(Room.objects.visible_to(AnonymousUser()).values_list("slug", flat=True)) == {
        "public"
    }


def test_a_private_room_is_seen_by_its_members_only_within_its_tier(rooms, actors):
    private = rooms["private"]
    assign_perm("community.access_room", actors["lea"], private)
    assign_perm("community.access_room", actors["research"], private)

    assert Room.objects.visible_to(actors["lea"]).filter(pk=private.pk).exists()
    assert not Room.objects.visible_to(actors["research"]).filter(pk=private.pk).exists()


def test_who_may_see_a_room_agrees_with_what_each_member_sees(rooms, actors):
    """room_audience_filter (used for mentions and notifications) is the rule read the other
    way: for every room and every member, both must give the same answer."""
    assign_perm("community.access_room", actors["lea"], rooms["private"])
    members = list(User.objects.all())
    for room in rooms.values():
        audience = set(User.objects.filter(room_audience_filter(room)).values_list("pk", flat=True))
        for member in members:
            sees = Room.objects.visible_to(member).filter(pk=room.pk).exists()
            if room.tier == Tier.PUBLIC and not member.is_active:
                continue  # a removed account is anonymous for reading, never an audience member
            assert (member.pk in audience) == sees, (room.slug, member.email)


def test_hidden_posts_are_seen_only_by_the_rooms_moderators(rooms, actors, make_member):
    room = rooms["lea"]
    moderator = make_member(AffiliationType.LEA, email="mod@example.org")
    assign_perm("community.moderate_room", moderator, room)
    thread = forum.thread_create(actor=actors["lea"], room=room, title="Checkpoint", body="First")
    reply = forum.post_create(actor=actors["lea"], thread=thread, body="Second")

    moderation.post_hide(actor=moderator, post=reply, reason="Off topic")

    assert not Post.objects.visible_to(actors["lea"]).filter(pk=reply.pk).exists()
    assert Post.objects.visible_to(moderator).filter(pk=reply.pk).exists()
    assert Post.objects.visible_to(actors["manager"]).filter(pk=reply.pk).exists()
    thread.refresh_from_db()
    assert thread.post_count == 1


def test_a_moved_thread_is_seen_by_the_new_rooms_audience_only(rooms, actors):
    thread = forum.thread_create(
        actor=actors["research"], room=rooms["members"], title="Shared", body="Open to all members"
    )
    post = thread.posts.get()
    assert Post.objects.visible_to(actors["research"]).filter(pk=post.pk).exists()

    moderation.thread_move(
        actor=actors["manager"], thread=thread, room=rooms["lea"], reason="Sensitive"
    )

    assert not Post.objects.visible_to(actors["research"]).filter(pk=post.pk).exists()
    assert Post.objects.visible_to(actors["lea"]).filter(pk=post.pk).exists()
    rooms["members"].refresh_from_db()
    rooms["lea"].refresh_from_db()
    assert (rooms["members"].thread_count, rooms["lea"].thread_count) == (0, 1)


def test_losing_the_verified_affiliation_closes_the_rooms_at_once(rooms, actors):
    lea = actors["lea"]
    assert Room.objects.visible_to(lea).filter(slug="lea").exists()

    lea.affiliation_type = AffiliationType.RESEARCH
    lea.save(update_fields=["affiliation_type"])

    assert not Room.objects.visible_to(lea).filter(slug="lea").exists()
