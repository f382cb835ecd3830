"""Mentions (issue 10, point 2): the autocomplete answers only someone who may post in the room,
only with members the directory shows them, from two characters on, at most eight at a time,
rate-limited; and a mention of a member the author may not see reaches no one. The matrix of
roles and tiers is in test_access_matrix.py."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from community.models import AffiliationType, Notification, ProfileVisibility
from community.selectors.forum import MENTION_MAX_RESULTS
from community.services import forum
from community.tiers import Tier
from tests.community.factories import RoomFactory, UserFactory

pytestmark = pytest.mark.django_db

JSON = {"Accept": "application/json"}


def mention_url(room) -> str:
    return reverse("community:mention-autocomplete", args=[room.slug])


def suggested(client, room, q) -> tuple[int, set[str]]:
    response = client.get(mention_url(room), {"q": q}, headers=JSON)
    return response.status_code, {row["handle"] for row in response.json()["results"]}


@pytest.fixture
def room(db):
    return RoomFactory(name="Network cafe", slug="cafe", tier=Tier.MEMBERS)


@pytest.fixture
def quinns(make_member):
    """Members all called Quinn, whom different viewers may or may not see in the directory."""

    def quinn(last_name, affiliation=AffiliationType.RESEARCH, **fields):
        return make_member(affiliation, first_name="Quinn", last_name=last_name,
                           email=f"quinn.{last_name.lower()}@example.org", **fields)  # fmt: skip

    return SimpleNamespace(
        listed=quinn("Listed"),
        hidden=quinn("Hidden", profile_visibility=ProfileVisibility.HIDDEN),
        lea_only=quinn("Leaonly", AffiliationType.LEA, profile_visibility=ProfileVisibility.LEA),
        unverified=quinn("Unverified", unverified=True),
    )


def test_each_member_is_offered_only_the_members_their_directory_shows(
    client_for, room, quinns, researcher, lea_member, manager
):
    expected = {
        researcher: {quinns.listed.handle},
        lea_member: {quinns.listed.handle, quinns.lea_only.handle},
        # Managers see hidden profiles in the directory; the unverified member cannot see the
        # room, so cannot be mentioned in it.
        manager: {quinns.listed.handle, quinns.lea_only.handle, quinns.hidden.handle},
    }
    for viewer, handles in expected.items():
        client = client_for(viewer)
        directory = client.get(reverse("community:member-directory"), {"q": "quinn"})
        listed = {member.handle for member in directory.context["page"].object_list}

        status, offered = suggested(client, room, "qu")

        assert status == 200
        assert offered == handles, viewer
        assert offered <= listed, viewer


def test_a_hidden_profile_is_never_offered_to_a_member_whatever_the_prefix(
    client_for, room, quinns, lea_member
):
    client = client_for(lea_member)
    hidden = quinns.hidden
    for q in ("quinn", "hidden", hidden.handle, hidden.handle[:2]):
        status, offered = suggested(client, room, q)
        html = client.get(mention_url(room), {"q": q}).content.decode()

        assert status == 200
        assert hidden.handle not in offered
        assert hidden.handle not in html
        assert "Hidden" not in html


def test_one_character_gives_an_empty_list(client_for, room, quinns, lea_member):
    client = client_for(lea_member)

    assert suggested(client, room, "q") == (200, set())
    assert suggested(client, room, "@q") == (200, set())
    assert suggested(client, room, "qu")[1]


def test_the_e_mail_address_is_never_matched(client_for, room, make_member, lea_member):
    make_member(first_name="Alex", last_name="Smith", email="zebracourier@example.org")

    assert suggested(client_for(lea_member), room, "zebra") == (200, set())
    assert suggested(client_for(lea_member), room, "al")[1] != set()


def test_someone_who_may_not_post_gets_the_404_of_a_missing_room(
    client_for, room, quinns, unverified_member, lea_member, researcher
):
    public = RoomFactory(slug="announcements", tier=Tier.PUBLIC)
    lea_room = RoomFactory(slug="lounge", tier=Tier.LEA)
    missing = reverse("community:mention-autocomplete", args=["no-such-room"])
    # An unverified member reads the public room but posts nowhere; the public room is for
    # announcements by its moderators; a researcher does not see an LEA room.
    cases = [
        (unverified_member, room),
        (unverified_member, public),
        (lea_member, public),
        (researcher, lea_room),
    ]
    for viewer, where in cases:
        client = client_for(viewer)
        response = client.get(mention_url(where), {"q": "quinn"})
        assert response.status_code == client.get(missing, {"q": "quinn"}).status_code == 404
        assert "Quinn" not in response.content.decode()


def test_at_most_eight_suggestions_for_a_fixed_number_of_queries(
    client_for, room, lea_member, django_assert_max_num_queries
):
    client = client_for(lea_member)
    UserFactory.create_batch(12, first_name="Robin", affiliation_type=AffiliationType.LEA)
    client.get(mention_url(room), {"q": "ro"})  # the session and room list are warm

    with django_assert_max_num_queries(6) as few:
        status, offered = suggested(client, room, "ro")
    UserFactory.create_batch(30, first_name="Robin", affiliation_type=AffiliationType.LEA)
    with django_assert_max_num_queries(len(few.captured_queries)):
        suggested(client, room, "ro")

    assert status == 200
    assert len(offered) == MENTION_MAX_RESULTS


def test_asking_too_fast_answers_429_with_an_empty_list(
    client_for, room, quinns, lea_member, settings
):
    settings.RATE_LIMITS = {"mention": "3/60"}
    client = client_for(lea_member)

    answers = [suggested(client, room, "quinn") for _ in range(3)]
    refused = client.get(mention_url(room), {"q": "quinn"}, headers=JSON)
    refused_html = client.get(mention_url(room), {"q": "quinn"})

    assert all(status == 200 and handles for status, handles in answers)
    assert (refused.status_code, refused.json()) == (429, {"results": []})
    assert refused_html.status_code == 429
    assert "Quinn" not in refused_html.content.decode()


def test_a_mention_of_a_member_the_author_may_not_see_notifies_no_one(
    django_capture_on_commit_callbacks, room, quinns, researcher
):
    # given: a researcher who sees Quinn Listed in the directory, but not the hidden Quinn nor
    # the one who shows their profile to LEA members only (all three can read the room)
    body = f"@{quinns.listed.handle} @{quinns.hidden.handle} @{quinns.lea_only.handle} see this"

    # when: the researcher mentions all three
    with django_capture_on_commit_callbacks(execute=True):
        forum.thread_create(actor=researcher, room=room, title="Sensors", body=body)

    # then: only the member the researcher may see is told
    mentioned = set(Notification.objects.filter(kind="mention").values_list("recipient", flat=True))
    assert mentioned == {quinns.listed.pk}
