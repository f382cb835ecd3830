"""Needs read through the one visibility rule (community.visibility.need_filter): by tier, and a
need recorded from a room only by who may read that room; IPUP coordinators by their own tier;
managing only what one may see; a need never wider than its room, whatever happens to it."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from community.models import AffiliationType, AuditLogEntry, Domain, Room, Thread, User
from community.roles import Role
from community.services import forum
from community.tiers import Tier
from community.visibility import need_audience_filter
from ipup.models import Need, Question
from ipup.services.needs import need_create, need_from_thread, need_status_change, need_update
from tests.community.factories import RoomFactory
from tests.ipup.factories import NeedFactory, SurveyFactory, needs_questions

pytestmark = pytest.mark.django_db

TIERS = [Tier.PUBLIC, Tier.MEMBERS, Tier.LEA, Tier.LEA_INDUSTRY, Tier.LEA_RESEARCH]


@pytest.fixture
def coordinator(make_member):
    return make_member(AffiliationType.OTHER, roles=[Role.IPUP_COORDINATOR])


@pytest.fixture
def world(make_member, manager):
    """A need of every tier, and needs recorded from an open LEA room and from a private room
    (of the members tier) that one LEA member belongs to and another moderates."""
    suspended = make_member(AffiliationType.LEA, email="suspended@example.org")
    suspended.suspended_until = timezone.now() + timedelta(days=3)
    suspended.save(update_fields=["suspended_until"])
    actors = {
        "unverified": make_member(AffiliationType.LEA, unverified=True, email="u@example.org"),
        "lea": make_member(AffiliationType.LEA, email="l@example.org"),
        "industry": make_member(AffiliationType.INDUSTRY, email="i@example.org"),
        "research": make_member(AffiliationType.RESEARCH, email="r@example.org"),
        "policy": make_member(AffiliationType.POLICY, email="p@example.org"),
        "suspended": suspended,
        "insider": make_member(AffiliationType.RESEARCH, email="in@example.org"),
        "room_moderator": make_member(AffiliationType.LEA, email="mod@example.org"),
        "coordinator": make_member(AffiliationType.OTHER, roles=[Role.IPUP_COORDINATOR],
                                   email="c@example.org"),
        "lea_coordinator": make_member(AffiliationType.LEA, roles=[Role.IPUP_COORDINATOR],
                                       email="lc@example.org"),
        "manager": manager,
    }  # fmt: skip
    needs = {tier.value: NeedFactory(title=f"Need [{tier.value}]", tier=tier) for tier in TIERS}
    private = RoomFactory(tier=Tier.MEMBERS, is_private=True, name="Backroom")
    forum.room_grant(actor=manager, room=private, member=actors["insider"])
    assign_perm("community.moderate_room", actors["room_moderator"], private)
    lea_room = RoomFactory(tier=Tier.LEA)
    for key, room in (("private_room", private), ("lea_room", lea_room)):
        thread = forum.thread_create(actor=manager, room=room, title=f"Thread {key}", body="…")
        needs[key] = need_from_thread(
            actor=manager, thread=thread, title=f"Need from {key}", domains=Domain.objects.all()[:1]
        )
    return {"actors": actors, "needs": needs, "private": private}


ALL_TIERS = {"public", "members", "lea", "lea_industry", "lea_research"}
EXPECTED = {
    "anonymous": {"public"},
    "unverified": {"public"},
    "lea": ALL_TIERS | {"lea_room"},
    "industry": {"public", "members", "lea_industry"},
    "research": {"public", "members", "lea_research"},
    "policy": {"public", "members"},
    "suspended": set(),
    "insider": {"public", "members", "lea_research", "private_room"},
    "room_moderator": ALL_TIERS | {"lea_room", "private_room"},
    # an IPUP coordinator reads needs by their tier, like any member of their affiliation
    "coordinator": {"public", "members"},
    "lea_coordinator": ALL_TIERS | {"lea_room"},
    "manager": ALL_TIERS | {"lea_room", "private_room"},
}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_reads_exactly_the_needs_the_rule_gives_it(role, world):
    actor = AnonymousUser() if role == "anonymous" else world["actors"][role]

    seen = set(Need.objects.visible_to(actor).values_list("pk", flat=True))

    assert seen == {world["needs"][key].pk for key in EXPECTED[role]}


def test_who_may_read_a_need_agrees_with_what_each_member_reads(world):
    """need_audience_filter (used when a survey is published) is the rule read the other way."""
    members = list(User.objects.all())
    for key, need in world["needs"].items():
        audience = set(User.objects.filter(need_audience_filter(need)).values_list("pk", flat=True))
        for member in members:
            reads = Need.objects.visible_to(member).filter(pk=need.pk).exists()
            assert (member.pk in audience) == reads, (key, member.email)


@pytest.mark.parametrize("role", ["lea", "coordinator", "insider", "manager"])
def test_the_catalogue_its_search_and_the_need_page_follow_the_rule(client_for, world, role):
    client = client_for(world["actors"][role])

    listed = client.get(reverse("ipup:need-list")).content.decode()
    for key, need in world["needs"].items():
        found = client.get(reverse("ipup:need-list"), {"q": need.title}).context["page"]
        detail = client.get(reverse("ipup:need-detail", args=[need.pk]))
        visible = key in EXPECTED[role]
        assert (need.title in listed) is visible, (role, key)
        assert (need in found.object_list) is visible, (role, key)
        assert detail.status_code == (200 if visible else 404), (role, key)
    if "private_room" in EXPECTED[role]:
        page = client.get(reverse("ipup:need-detail", args=[world["needs"]["private_room"].pk]))
        assert "read only by those who may read the room Backroom" in page.content.decode()


def test_a_need_never_becomes_wider_than_its_room(world, manager):
    # given the need recorded from the private room, read by its members only
    need = world["needs"]["private_room"]
    lea = world["actors"]["lea"]
    thread = need.source_thread
    assert not Need.objects.visible_to(lea).filter(pk=need.pk).exists()

    # when its tier is widened, its thread moved to an open room, then deleted
    need_update(actor=manager, need=need, tier=Tier.PUBLIC)
    Thread.objects.filter(pk=thread.pk).update(room=RoomFactory(tier=Tier.PUBLIC))
    thread.delete()

    # then the room still decides: nobody outside it reads the need
    need.refresh_from_db()
    assert (need.source_thread, need.room) == (None, world["private"])
    assert not Need.objects.visible_to(lea).filter(pk=need.pk).exists()
    assert Need.objects.visible_to(world["actors"]["insider"]).filter(pk=need.pk).exists()
    # and the room cannot be deleted from under it (that would make the need the tier's)
    with pytest.raises(ProtectedError):
        Room.objects.filter(pk=world["private"].pk).delete()
    assert Need.objects.filter(pk=need.pk, room=world["private"]).exists()


def test_a_need_follows_its_room_when_the_room_narrows(world, manager):
    need = NeedFactory(title="From an open room", tier=Tier.MEMBERS)
    room = RoomFactory(tier=Tier.MEMBERS)
    Need.objects.filter(pk=need.pk).update(room=room)
    research = world["actors"]["research"]
    assert Need.objects.visible_to(research).filter(pk=need.pk).exists()

    room.is_private = True
    room.save(update_fields=["is_private"])

    assert not Need.objects.visible_to(research).filter(pk=need.pk).exists()


# --- Managing only what one may see -------------------------------------------------------------


def test_a_coordinator_cannot_manage_a_need_out_of_their_sight(client_for, coordinator):
    secret = NeedFactory(title="Covert interception", tier=Tier.LEA, status="collected")
    client = client_for(coordinator)

    edit = client.post(reverse("ipup:need-edit", args=[secret.pk]), {"title": "Mine"})
    status = client.post(reverse("ipup:need-status", args=[secret.pk]), {"status": "analysed"})
    admin_change = client.get(reverse("admin:ipup_need_change", args=[secret.pk]))
    admin_list = client.get(reverse("admin:ipup_need_changelist")).content.decode()

    assert edit.status_code == status.status_code == 404
    assert admin_change.status_code == 302  # the admin's "does not exist" answer
    assert "Covert interception" not in admin_list
    with pytest.raises(PermissionDenied):
        need_update(actor=coordinator, need=secret, title="Mine")
    with pytest.raises(PermissionDenied):
        need_status_change(actor=coordinator, need=secret, status="analysed")
    secret.refresh_from_db()
    assert (secret.title, secret.status) == ("Covert interception", "collected")
    assert not AuditLogEntry.objects.filter(action__startswith="need.").exists()


def test_a_manager_may_not_give_a_need_an_audience_they_are_not_in(client_for, coordinator):
    cyber = Domain.objects.get(slug="cybercrime")
    data = {"title": "Covert units", "domains": [cyber.pk], "source": "desk",
            "research_answerable": "on", "tier": "lea"}  # fmt: skip
    mine = NeedFactory(title="Mine", tier=Tier.MEMBERS)
    client = client_for(coordinator)

    page = client.post(reverse("ipup:need-create"), data)
    admin_add = client.post(reverse("admin:ipup_need_add"), data | {"description": ""})
    narrowed = client.post(reverse("ipup:need-edit", args=[mine.pk]), data | {"title": "Mine"})

    message = "You are not in this audience"
    assert page.status_code == admin_add.status_code == narrowed.status_code == 200
    for response in (page, admin_add, narrowed):
        assert message in response.content.decode()
    with pytest.raises(ValidationError, match=message):
        need_create(actor=coordinator, title="x", domains=[cyber], source="desk", tier="lea")
    assert list(Need.objects.values_list("title", "tier")) == [("Mine", "members")]


def test_the_admin_offers_only_visible_needs_to_rate_and_keeps_the_others(
    client_for, coordinator, manager
):
    # given a question (written by a manager) rating an open need and an LEA-only one
    open_need = NeedFactory(title="Open need")
    secret = NeedFactory(title="Covert interception", tier=Tier.LEA)
    survey = SurveyFactory(published_at=None)
    rate, _comment = needs_questions(survey, [open_need, secret])
    client = client_for(coordinator)

    # when the coordinator opens and saves it in the admin
    url = reverse("admin:ipup_question_change", args=[rate.pk])
    page = client.get(url)
    saved = client.post(url, {
        "section": rate.section_id, "position": "1", "kind": "needs", "required": "on",
        "text": "Rate each", "help_text": "", "scale_min": "1", "scale_max": "5",
        "scale_min_label": "", "scale_max_label": "", "choices": "", "needs": [open_need.pk],
    })  # fmt: skip

    # then the LEA-only need was neither offered nor shown, and is still in the question
    assert "Covert interception" not in page.content.decode()
    assert saved.status_code == 302
    rate = Question.objects.get(pk=rate.pk)
    assert rate.text == "Rate each"
    assert set(rate.needs.all()) == {open_need, secret}
    answers = client.get(reverse("admin:ipup_answer_changelist")).content.decode()
    assert "Covert interception" not in answers
