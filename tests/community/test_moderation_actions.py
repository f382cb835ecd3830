"""The moderation actions reached from the pages where a moderator or manager stands: unhide,
warn, suspend and reinstate, remove (the member is told), the room settings, and news and event
edits — each through the page, with what it records."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from community.models import AffiliationType, AuditLogEntry, Event, Room, Sanction, User
from community.services import forum
from community.services.calendar import event_create
from community.services.moderation import post_hide
from community.services.news import news_publish
from community.tiers import Tier

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(db):
    return Room.objects.create(name="LEA", slug="lea", tier=Tier.LEA)


@pytest.fixture
def moderator(make_member, room):
    member = make_member(AffiliationType.LEA, email="mod@example.org")
    assign_perm("community.moderate_room", member, room)
    return member


@pytest.fixture
def hidden_post(room, lea_member, moderator):
    thread = forum.thread_create(actor=lea_member, room=room, title="Checkpoint", body="Rude")
    return post_hide(actor=moderator, post=thread.posts.get(), reason="Insults")


def _sanction(client, member, **data):
    return client.post(reverse("community:member-sanction", args=[member.pk]), data)


# --- Unhide -------------------------------------------------------------------------------------


def test_the_thread_page_offers_unhide_as_a_form_that_shows_the_post_again(
    client_for, moderator, hidden_post
):
    client = client_for(moderator)
    unhide_url = reverse("community:post-unhide", args=[hidden_post.pk])

    page = client.get(reverse("community:thread-detail", args=[hidden_post.thread_id]))
    response = client.post(unhide_url)

    html = page.content.decode()
    assert f'<form method="post" action="{unhide_url}"' in html
    assert f'href="{unhide_url}"' not in html
    assert response.status_code == 302
    hidden_post.refresh_from_db()
    assert not hidden_post.is_hidden
    assert AuditLogEntry.objects.get(action="post.unhide").actor == moderator


def test_a_member_cannot_unhide(client_for, lea_member, hidden_post):
    response = client_for(lea_member).post(reverse("community:post-unhide", args=[hidden_post.pk]))

    assert response.status_code == 404
    hidden_post.refresh_from_db()
    assert hidden_post.is_hidden
    assert not AuditLogEntry.objects.filter(action="post.unhide").exists()


# --- Finding the member, warning, suspending, reinstating, removing ------------------------------


def test_the_manager_finds_a_suspended_member_by_name_from_the_moderation_queue(
    client_for, manager, make_member
):
    member = make_member(AffiliationType.LEA, first_name="Ingrid", last_name="Vandermeer")
    User.objects.filter(pk=member.pk).update(suspended_until=timezone.now() + timedelta(days=3))
    client = client_for(manager)
    search_url = reverse("community:member-moderation")

    queue = client.get(reverse("community:moderation-queue"))
    found = client.get(search_url, {"q": "ingrid vander"})

    assert search_url in queue.content.decode()
    assert list(found.context["members"]) == [member]
    assert reverse("community:member-sanction", args=[member.pk]) in found.content.decode()
    assert "suspended" in found.content.decode()


def test_a_too_short_search_is_refused_without_listing_anyone(client_for, manager, lea_member):
    response = client_for(manager).get(reverse("community:member-moderation"), {"q": "a"})

    assert response.status_code == 200
    assert response.context["members"] is None
    assert "q" in response.context["form"].errors


@pytest.mark.parametrize("who", ["moderator", "lea_member"])
def test_only_managers_search_members_to_sanction(request, client_for, who):
    response = client_for(request.getfixturevalue(who)).get(
        reverse("community:member-moderation"), {"q": "member"}
    )

    assert response.status_code == 404


def test_a_manager_reaches_the_sanction_page_from_the_post_and_a_moderator_does_not(
    client_for, manager, moderator, hidden_post
):
    thread_url = reverse("community:thread-detail", args=[hidden_post.thread_id])
    sanction_url = reverse("community:member-sanction", args=[hidden_post.author_id])

    assert sanction_url in client_for(manager).get(thread_url).content.decode()
    assert sanction_url not in client_for(moderator).get(thread_url).content.decode()


def test_a_warning_is_recorded_audited_and_emailed(
    client_for, manager, lea_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _sanction(client_for(manager), lea_member, kind="warn", reason="Be civil")

    assert response.status_code == 302
    sanction = Sanction.objects.get(member=lea_member)
    assert (sanction.kind, sanction.reason) == (Sanction.Kind.WARNING, "Be civil")
    assert AuditLogEntry.objects.get(action="member.warn").reason == "Be civil"
    assert [m.to for m in mail.outbox] == [[lea_member.email]]
    assert "Be civil" in mail.outbox[0].body


def test_a_warning_without_a_reason_is_refused_and_nothing_sent(
    client_for, manager, lea_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _sanction(client_for(manager), lea_member, kind="warn", reason=" ")

    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert not Sanction.objects.exists()
    assert mail.outbox == []


def test_lifting_a_suspension_lets_the_member_back_in(client_for, manager, lea_member):
    manager_client = client_for(manager)
    _sanction(manager_client, lea_member, kind="suspend", days=5, reason="Cooling off")

    response = _sanction(manager_client, lea_member, kind="unsuspend", reason="")

    assert response.status_code == 302
    lea_member.refresh_from_db()
    assert lea_member.suspended_until is None
    assert AuditLogEntry.objects.filter(action="member.unsuspend", actor=manager).exists()
    assert client_for(lea_member).get(reverse("community:room-list")).status_code == 200


def test_removing_a_member_closes_the_account_and_tells_them_once(
    client_for, manager, lea_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _sanction(client_for(manager), lea_member, kind="remove", reason="Leak")

    assert response.status_code == 302
    lea_member.refresh_from_db()
    assert not lea_member.is_active
    sanction = Sanction.objects.get(member=lea_member, kind=Sanction.Kind.REMOVAL)
    assert sanction.emailed_at is not None
    assert [m.to for m in mail.outbox] == [[lea_member.email]]
    assert "Leak" in mail.outbox[0].body
    assert AuditLogEntry.objects.filter(action="member.remove").count() == 1


# --- Room settings ------------------------------------------------------------------------------


def test_room_settings_are_linked_from_the_room_for_its_moderators_and_managers_only(
    client_for, room, moderator, manager, lea_member
):
    room_url = reverse("community:room-detail", args=[room.slug])
    settings_url = reverse("community:room-edit", args=[room.slug])

    assert settings_url in client_for(moderator).get(room_url).content.decode()
    assert settings_url in client_for(manager).get(room_url).content.decode()
    assert settings_url not in client_for(lea_member).get(room_url).content.decode()


def _room_fields(room, **changes):
    return {
        "action": "update",
        "name": room.name,
        "slug": room.slug,
        "description": room.description,
        "tier": room.tier,
        "position": room.position,
        "email_content": room.email_content,
    } | changes


def test_a_manager_changes_the_rooms_tier(client_for, manager, room):
    response = client_for(manager).post(
        reverse("community:room-edit", args=[room.slug]), _room_fields(room, tier=Tier.MEMBERS)
    )

    assert response.status_code == 302
    room.refresh_from_db()
    assert room.tier == Tier.MEMBERS
    entry = AuditLogEntry.objects.get(action="room.update")
    assert entry.data["tier"] == [Tier.LEA, Tier.MEMBERS]


def test_a_moderator_cannot_change_the_tier(client_for, moderator, room):
    response = client_for(moderator).post(
        reverse("community:room-edit", args=[room.slug]), _room_fields(room, tier=Tier.MEMBERS)
    )

    assert response.status_code == 404
    room.refresh_from_db()
    assert room.tier == Tier.LEA


def test_a_manager_names_a_moderator_by_their_name(client_for, manager, room, make_member):
    member = make_member(AffiliationType.LEA, first_name="Jonas", last_name="Peeters")

    response = client_for(manager).post(
        reverse("community:room-edit", args=[room.slug]),
        {"action": "grant", "member": "jonas peeters", "moderator": "on"},
    )

    assert response.status_code == 302
    assert member.has_perm("community.moderate_room", room)


def test_namesakes_are_asked_to_be_told_apart(client_for, manager, room, make_member):
    for _ in range(2):
        make_member(AffiliationType.LEA, first_name="Jan", last_name="Jansen")

    response = client_for(manager).post(
        reverse("community:room-edit", args=[room.slug]),
        {"action": "grant", "member": "Jan Jansen"},
    )

    assert response.status_code == 200
    assert "Several members have this name" in response.content.decode()
    assert not AuditLogEntry.objects.filter(action__startswith="room.").exists()


# --- News and events ----------------------------------------------------------------------------


def test_a_manager_edits_published_news(client_for, manager):
    news = news_publish(actor=manager, title="Workshop", body="Soon", tier="members",
                        email_to="nobody")  # fmt: skip

    response = client_for(manager).post(
        reverse("community:news-edit", args=[news.pk]),
        {"title": "Workshop moved", "body": "In June", "tier": "members"},
    )

    assert response.status_code == 302
    news.refresh_from_db()
    assert (news.title, news.body) == ("Workshop moved", "In June")
    assert AuditLogEntry.objects.filter(action="news.update", actor=manager).exists()


def test_a_member_cannot_edit_news(client_for, manager, lea_member):
    news = news_publish(actor=manager, title="Workshop", body="Soon", tier="members",
                        email_to="nobody")  # fmt: skip

    response = client_for(lea_member).post(
        reverse("community:news-edit", args=[news.pk]),
        {"title": "Mine", "body": "x", "tier": "members"},
    )

    assert response.status_code == 404
    news.refresh_from_db()
    assert news.title == "Workshop"


def _event(manager):
    start = timezone.now() + timedelta(days=7)
    return event_create(actor=manager, title="Drone clinic", kind="workshop", tier="members",
                        starts_at=start, ends_at=start + timedelta(hours=2),
                        location="Brussels", description="")  # fmt: skip


def _event_fields(event, **changes):
    return {
        "title": event.title,
        "kind": event.kind,
        "tier": event.tier,
        "starts_at": event.starts_at.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": event.ends_at.strftime("%Y-%m-%dT%H:%M"),
        "location": event.location,
        "description": event.description,
    } | changes


def test_a_manager_moves_an_event(client_for, manager):
    event = _event(manager)

    response = client_for(manager).post(
        reverse("community:event-edit", args=[event.pk]),
        _event_fields(event, title="Drone clinic (moved)", location="Lyon"),
    )

    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.title, event.location) == ("Drone clinic (moved)", "Lyon")
    assert event.sequence > 0
    assert AuditLogEntry.objects.filter(action="event.update", actor=manager).exists()


def test_an_event_edit_ending_before_it_starts_changes_nothing(client_for, manager):
    event = _event(manager)
    before = event.starts_at - timedelta(hours=1)

    response = client_for(manager).post(
        reverse("community:event-edit", args=[event.pk]),
        _event_fields(event, ends_at=before.strftime("%Y-%m-%dT%H:%M")),
    )

    assert response.status_code == 200
    assert Event.objects.get(pk=event.pk).ends_at == event.ends_at


def test_a_member_cannot_edit_an_event(client_for, manager, researcher):
    event = _event(manager)

    response = client_for(researcher).post(
        reverse("community:event-edit", args=[event.pk]), _event_fields(event, title="Mine")
    )

    assert response.status_code == 404
    assert Event.objects.get(pk=event.pk).title == "Drone clinic"


def test_the_member_search_costs_the_same_for_many_results(
    client_for, manager, make_member, django_assert_max_num_queries
):
    for i in range(12):
        make_member(first_name="Common", last_name=f"Name{i}")
    client = client_for(manager)
    client.get(reverse("community:member-moderation"), {"q": "common"})

    with django_assert_max_num_queries(12):
        response = client.get(reverse("community:member-moderation"), {"q": "common"})

    assert len(response.context["members"]) == 12
