"""Showcase events in the API: read-only, the events one may see with their public agenda and
places left; the online link only for registered participants and organisers; never the
participants."""

from datetime import timedelta

import pytest
from django.urls import reverse

from community.models import AffiliationType
from community.roles import Role
from community.tiers import Tier
from ipup.services.events import agenda_add, registration_create
from tests.api.conftest import token_client
from tests.ipup.test_events import LEA, presentable, showcase_for

pytestmark = pytest.mark.django_db

LINK = "https://meet.example.eu/room-42"
LIST = reverse("api:event-list")


@pytest.fixture
def coordinator(make_member):
    return make_member(
        AffiliationType.OTHER, roles=[Role.IPUP_COORDINATOR], email="coordinator@example.org"
    )


def _detail(showcase):
    return reverse("api:event-detail", args=[showcase.pk])


def test_the_list_shows_visible_events_with_agenda_and_places(
    lea_coordinator, client_for, coordinator, lea_member, industry_member
):
    showcase = showcase_for(coordinator, capacity=3, title="Open showcase")
    agenda_add(actor=coordinator, showcase=showcase, project=presentable(acronym="AGENDA"))
    registration_create(member=lea_member, showcase=showcase, category=LEA)
    showcase_for(lea_coordinator, tier=Tier.LEA, title="LEA only")

    data = client_for(industry_member).get(LIST).json()

    (event,) = data["results"]
    assert event["title"] == "Open showcase"
    assert event["capacity"] == 3
    assert event["registered"] == 1
    assert event["places_left"] == 2
    assert [item["project"]["acronym"] for item in event["agenda"]] == ["AGENDA"]
    assert "participants" not in event
    assert "registrations" not in event
    titles = {e["title"] for e in client_for(lea_member).get(LIST).json()["results"]}
    assert titles == {"Open showcase", "LEA only"}


def test_an_event_one_cannot_see_is_not_found(
    lea_coordinator, client_for, coordinator, industry_member
):
    hidden = showcase_for(lea_coordinator, tier=Tier.LEA)

    assert client_for(industry_member).get(_detail(hidden)).status_code == 404


def test_anonymous_callers_get_nothing(client, coordinator):
    showcase = showcase_for(coordinator, tier=Tier.PUBLIC)

    assert client.get(LIST).status_code in (401, 403)
    assert client.get(_detail(showcase)).status_code in (401, 403)


def test_the_online_link_only_for_registered_participants_and_organisers(
    client_for, coordinator, lea_member, researcher, make_member
):
    showcase = showcase_for(coordinator, capacity=1)
    waiting = make_member(AffiliationType.LEA, email="waiting@example.org")
    registration_create(member=lea_member, showcase=showcase, category=LEA)
    registration_create(member=waiting, showcase=showcase, category=LEA)

    for member, sees in [
        (lea_member, True), (coordinator, True), (waiting, False), (researcher, False),
    ]:  # fmt: skip
        client = client_for(member)
        assert (client.get(_detail(showcase)).json()["online_url"] == LINK) is sees
        assert (client.get(LIST).json()["results"][0]["online_url"] == LINK) is sees


def test_the_api_is_read_only(client_for, coordinator):
    showcase = showcase_for(coordinator)
    client = client_for(coordinator)

    assert client.post(LIST, {}).status_code == 405
    assert client.delete(_detail(showcase)).status_code == 405


def test_a_token_reads_the_list(coordinator, researcher):
    from community.services.api_tokens import api_token_create

    showcase_for(coordinator)
    key = api_token_create(actor=researcher, name="script")[1]

    assert token_client(key).get(LIST).status_code == 200


@pytest.mark.parametrize("size", [1, 8])
def test_the_list_keeps_a_constant_query_count(
    client_for, coordinator, researcher, lea_member, django_assert_max_num_queries, size
):
    # The link rule reads the registration annotated on the list: a participant registered
    # for every event costs what anyone else does, and sees every link.
    for index in range(size):
        showcase = showcase_for(coordinator, starts_in=timedelta(days=index + 1))
        agenda_add(actor=coordinator, showcase=showcase, project=presentable())
        registration_create(member=lea_member, showcase=showcase, category=LEA)
    for member, links in ((researcher, 0), (lea_member, size), (coordinator, size)):
        client = client_for(member)
        client.get(LIST)

        with django_assert_max_num_queries(7):
            response = client.get(LIST)

        results = response.json()["results"]
        assert len(results) == size
        assert sum(1 for event in results if event["online_url"]) == links


@pytest.fixture
def lea_coordinator(make_member):
    """An IPUP coordinator of the LEA tier: one gives an event only an audience one is part of."""
    from community.roles import Role

    return make_member(AffiliationType.LEA, roles=[Role.IPUP_COORDINATOR],
                       email="lea.coordinator@example.org")  # fmt: skip
