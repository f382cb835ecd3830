"""The community health dashboard: for managers only, right figures, and a cost that does
not grow with the community."""

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from community import services
from community.models import Post, Thread, User
from community.selectors.health import health_months
from community.services import forum
from tests.community.factories import RoomFactory, UserFactory

DASHBOARD = reverse("community:dashboard")


def _months_ago(n):
    return timezone.now().replace(day=15) - timedelta(days=30 * n)


@pytest.mark.parametrize(
    ("role", "status"),
    [("lea_member", 404), ("industry_member", 404), ("researcher", 404),
     ("unverified_member", 404), ("manager", 200), ("admin_user", 200)],
)  # fmt: skip
def test_only_community_managers_see_the_dashboard(client_for, request, role, status):
    client = client_for(request.getfixturevalue(role))

    assert client.get(DASHBOARD).status_code == status
    assert client.get(reverse("community:dashboard-export")).status_code == status


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(DASHBOARD)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_figures_on_a_known_community(client_for, manager, lea_member, researcher):
    # given: two members who joined two months ago, a room where two of them posted this
    # month, and a thread left unanswered for three days
    User.objects.filter(pk__in=[lea_member.pk, researcher.pk]).update(date_joined=_months_ago(2))
    room = RoomFactory(name="Drones")
    answered = forum.thread_create(actor=lea_member, room=room, title="Q", body="?")
    forum.post_create(actor=researcher, thread=answered, body="A")
    lonely = forum.thread_create(actor=lea_member, room=room, title="Lonely", body="Anyone?")
    Thread.objects.filter(pk=lonely.pk).update(created_at=timezone.now() - timedelta(days=3))

    # when
    health = client_for(manager).get(DASHBOARD).context["health"]

    # then
    joined = dict(zip(health["months"], health["joined"], strict=True))
    active = dict(zip(health["months"], health["active"], strict=True))
    assert joined[_months_ago(2).strftime("%Y-%m")] == 2
    assert active[timezone.now().strftime("%Y-%m")] == 2
    rooms = {r["name"]: r for r in health["rooms"]}
    assert (rooms["Drones"]["posts_recent"], rooms["Drones"]["posts_total"]) == (3, 3)
    assert health["unanswered_count"] == 1
    assert [t.title for t in health["unanswered_oldest"]] == ["Lonely"]


def test_the_dashboard_costs_the_same_for_a_small_and_a_large_community(
    client_for, manager, django_assert_max_num_queries
):
    client = client_for(manager)
    client.get(DASHBOARD)
    counts = []
    for members, rooms in ((3, 1), (40, 6)):
        authors = UserFactory.create_batch(members)
        for i in range(rooms):
            room = RoomFactory()
            thread = forum.thread_create(actor=authors[0], room=room, title=f"T{i}", body="b")
            for author in authors[1:6]:
                forum.post_create(actor=author, thread=thread, body="reply")
        Post.objects.filter(author=authors[-1]).update(created_at=_months_ago(3))
        with django_assert_max_num_queries(20) as captured:
            assert client.get(DASHBOARD).status_code == 200
        counts.append(len(captured))

    assert counts[0] == counts[1]


def test_the_csv_export_holds_the_figures_and_is_safe_in_a_spreadsheet(
    client_for, manager, lea_member
):
    room = RoomFactory(name="=HYPERLINK(evil)")
    forum.thread_create(actor=lea_member, room=room, title="T", body="b")

    response = client_for(manager).get(reverse("community:dashboard-export"))

    assert response["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["figure", "period or item", "value"]
    assert ["posts, last 30 days", "'=HYPERLINK(evil)", "1"] in rows
    assert any(row[0] == "members joined" for row in rows)


def test_every_chart_is_also_a_table_and_the_pending_work_is_counted(
    client_for, manager, unverified_member
):
    # given: an application to decide, an affiliation to verify, an open invitation
    services.application_submit(
        email="new@example.org",
        first_name="N",
        last_name="N",
        organisation_name="Org",
        country="FR",
        affiliation_type="research",
        motivation="to help",
    )
    services.invitation_create(actor=manager, email="invited@example.org")

    # when
    response = client_for(manager).get(DASHBOARD)

    # then
    health = response.context["health"]
    assert (health["pending_applications"], health["open_invitations"]) == (1, 1)
    assert health["awaiting_verification"] >= 1
    html = response.content.decode()
    assert 'id="members-per-month"' in html
    assert "Active members wrote at least one post that month." in html
    # the charts' data travel as JSON; no inline script, which the CSP would block
    scripts = re.findall(r"<script[^>]*>", html)
    assert '<script id="chart-members" type="application/json">' in scripts
    assert all("src=" in tag or 'type="application/json"' in tag for tag in scripts)


def test_months_follow_the_local_calendar_at_a_month_boundary():
    # 23:30 UTC on 31 March is already April in Brussels, where TruncMonth cuts the months.
    now = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)

    with timezone.override("Europe/Brussels"):
        months = health_months(now)

    assert len(months) == 12
    assert (months[0].date(), months[-1].date()) == (date(2025, 5, 1), date(2026, 4, 1))
