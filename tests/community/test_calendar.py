"""The network calendar and its iCalendar feeds: valid iCalendar, and never an event the
member may not see."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from community.models import AffiliationType, Event
from community.services.calendar import calendar_token_renew, event_cancel, event_create
from tests.community.factories import UserFactory


def _event(actor, title, tier="members", days=7):
    start = timezone.now() + timedelta(days=days)
    return event_create(
        actor=actor,
        title=title,
        kind="workshop",
        tier=tier,
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        location="Brussels",
        description="Agenda to follow.",
    )


def _feed(client, member):
    token = member.calendar_token or calendar_token_renew(member=member)
    response = client.get(reverse("community:calendar-feed", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "no-store" in response["Cache-Control"]
    calendar = Calendar.from_ical(response.content)
    return {str(component["summary"]): component for component in calendar.walk("VEVENT")}


@pytest.fixture
def events(manager):
    return {
        "open": _event(manager, "Open workshop"),
        "lea": _event(manager, "LEA-only briefing", tier="lea"),
        "research": _event(manager, "Research clinic", tier="lea_research"),
    }


def test_the_feed_is_valid_icalendar_with_only_the_events_its_owner_may_see(
    client, events, lea_member, researcher, industry_member
):
    assert set(_feed(client, lea_member)) == {
        "Open workshop",
        "LEA-only briefing",
        "Research clinic",
    }
    assert set(_feed(client, researcher)) == {"Open workshop", "Research clinic"}
    assert set(_feed(client, industry_member)) == {"Open workshop"}

    entry = _feed(client, lea_member)["LEA-only briefing"]
    assert entry["uid"].startswith(f"event-{events['lea'].pk}@")
    assert entry.decoded("dtstart") == events["lea"].starts_at.replace(microsecond=0)
    assert str(entry["location"]) == "Brussels"
    assert str(entry["status"]) == "CONFIRMED"


def test_a_member_who_loses_access_sees_it_in_the_feed_at_the_next_fetch(
    client, events, lea_member
):
    assert "LEA-only briefing" in _feed(client, lea_member)

    lea_member.affiliation_verified_at = None
    lea_member.save(update_fields=["affiliation_verified_at"])

    assert set(_feed(client, lea_member)) == set()


def test_a_suspended_owner_gets_an_empty_feed_and_a_deleted_one_none(client, events, make_member):
    suspended = make_member(AffiliationType.LEA, suspended_until=timezone.now() + timedelta(days=1))
    assert _feed(client, suspended) == {}

    gone = UserFactory(affiliation_type=AffiliationType.LEA)
    token = calendar_token_renew(member=gone)
    gone.is_active = False
    gone.deleted_at = timezone.now()
    gone.save()
    assert client.get(reverse("community:calendar-feed", args=[token])).status_code == 404


def test_an_unknown_or_renewed_token_is_not_found(client, events, lea_member):
    old = calendar_token_renew(member=lea_member)
    calendar_token_renew(member=lea_member)

    assert client.get(reverse("community:calendar-feed", args=[old])).status_code == 404
    assert client.get(reverse("community:calendar-feed", args=["nope"])).status_code == 404


def test_renewing_the_address_from_the_calendar_page(client_for, lea_member):
    client = client_for(lea_member)

    response = client.post(reverse("community:calendar-token-renew"), follow=True)

    lea_member.refresh_from_db()
    assert lea_member.calendar_token
    assert lea_member.calendar_token in response.content.decode()


def test_a_cancelled_event_stays_in_the_feed_as_cancelled_with_a_higher_sequence(
    client, events, manager, lea_member
):
    event_cancel(actor=manager, event=events["open"])

    entry = _feed(client, lea_member)["Open workshop"]

    assert str(entry["status"]) == "CANCELLED"
    assert int(entry["sequence"]) == 1


@pytest.mark.parametrize(("viewer", "status"), [("lea_member", 200), ("researcher", 404)])
def test_event_pages_and_single_event_ics_follow_the_rule(
    client_for, request, events, viewer, status
):
    client = client_for(request.getfixturevalue(viewer))
    lea_event = events["lea"]

    assert client.get(reverse("community:event-detail", args=[lea_event.pk])).status_code == status
    ics = client.get(reverse("community:event-ics", args=[lea_event.pk]))
    assert ics.status_code == status
    assert ("LEA-only briefing" in client.get(reverse("community:calendar")).content.decode()) is (
        status == 200
    )
    if status == 200:
        assert "attachment" in ics["Content-Disposition"]
        (component,) = Calendar.from_ical(ics.content).walk("VEVENT")
        assert str(component["summary"]) == "LEA-only briefing"


@pytest.mark.parametrize("role", ["lea_member", "researcher"])
def test_only_managers_and_coordinators_add_events(client_for, request, role):
    client = client_for(request.getfixturevalue(role))

    response = client.post(reverse("community:event-create"), {"title": "Mine"})

    assert response.status_code == 404
    assert not Event.objects.exists()


def test_an_event_ending_before_it_starts_is_refused(client_for, manager):
    start = timezone.now() + timedelta(days=3)

    response = client_for(manager).post(
        reverse("community:event-create"),
        {
            "title": "Backwards",
            "kind": "webinar",
            "tier": "members",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )

    assert response.status_code == 200
    assert "The event must end after it starts." in response.content.decode()
    assert not Event.objects.exists()


def test_the_calendar_and_the_feed_cost_the_same_for_many_events(
    client_for, client, manager, lea_member, django_assert_max_num_queries
):
    for i in range(12):
        _event(manager, f"Event {i}", days=i + 1)
    token = calendar_token_renew(member=lea_member)
    member_client = client_for(lea_member)
    member_client.get(reverse("community:calendar"))

    with django_assert_max_num_queries(9):
        assert member_client.get(reverse("community:calendar")).status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get(reverse("community:calendar-feed", args=[token])).status_code == 200


def test_the_feed_carries_recent_and_upcoming_events_not_the_oldest(
    client, manager, lea_member, monkeypatch
):
    from community.views import news

    monkeypatch.setattr(news, "FEED_LIMIT", 3)
    for days in (-400, -200, -100):
        _event(manager, f"Long ago {days}", days=days)
    _event(manager, "Last month", days=-30)
    for days in (1, 2, 3):
        _event(manager, f"Soon {days}", days=days)

    titles = set(_feed(client, lea_member))

    # The last 90 days and what comes, capped at the nearest: the far future is what goes.
    assert titles == {"Last month", "Soon 1", "Soon 2"}
