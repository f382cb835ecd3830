"""The community health dashboard: for managers only, right figures, and a cost that does
not grow with the community."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import Post, Thread, User
from community.services import forum
from tests.community.factories import RoomFactory, UserFactory

DASHBOARD = reverse("community:dashboard")


def _months_ago(n):
    return timezone.now().replace(day=15) - timedelta(days=30 * n)


@pytest.mark.parametrize(
    ("role", "status"),
    [("lea_member", 404), ("researcher", 404), ("unverified_member", 404), ("manager", 200),
     ("admin_user", 200)],
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
