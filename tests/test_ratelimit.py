import pytest
from django.urls import reverse

from community.models import Post, Room
from community.tiers import Tier

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(db):
    return Room.objects.create(name="Members", slug="members", tier=Tier.MEMBERS)


def test_posting_too_fast_is_refused_with_a_clear_message_and_stores_nothing(
    client_for, researcher, room, settings
):
    settings.RATE_LIMITS = {"post": "2/60"}
    client = client_for(researcher)
    url = reverse("community:thread-create", args=[room.slug])

    for n in range(2):
        assert client.post(url, {"title": f"T{n}", "body": "B"}).status_code == 302
    refused = client.post(url, {"title": "T3", "body": "B"})

    assert refused.status_code == 200
    assert "posting very fast" in refused.content.decode()
    assert Post.objects.count() == 2


def test_searching_too_fast_answers_429(client_for, researcher, settings):
    settings.RATE_LIMITS = {"search": "3/60"}
    client = client_for(researcher)

    statuses = [
        client.get(reverse("community:search"), {"q": "radar"}).status_code for _ in range(4)
    ]

    assert statuses == [200, 200, 200, 429]
