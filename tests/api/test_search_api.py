"""GET /api/v1/search/ (issue 15): the global search's engine and rule, per role, by token
and by session; LEA-only and unpublished content never returned, nor counted."""

import pytest
from django.urls import reverse
from django.utils import timezone

from community.services import forum
from community.tiers import Tier
from knowledge_factory.indexing import item_index
from knowledge_factory.models import Item
from tests.api.conftest import token_client
from tests.community.factories import RoomFactory
from tests.ipup.factories import NeedFactory, ResearchProjectFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/search/"
SIGNED_IN = ["unverified", "industry", "researcher", "lea", "manager", "coordinator"]
# What each reader must find for the word "zqapiword" (every document below holds it).
LEA_ONLY = {"lea thread", "lea post", "lea item", "lea need"}
ALWAYS = {"public item", "project"}
MEMBERS = {"members thread", "members post", "members item", "members need"}
EXPECTED = {
    "unverified": ALWAYS,
    "industry": ALWAYS | MEMBERS,
    "researcher": ALWAYS | MEMBERS,
    "coordinator": ALWAYS | MEMBERS,
    "lea": ALWAYS | MEMBERS | LEA_ONLY,
    "manager": ALWAYS | MEMBERS | LEA_ONLY,
}


def _item(title, tier, status="published"):
    item = Item.objects.create(
        type="report", title=title, summary="zqapiword in the <b>summary</b>", tier=tier,
        status=status, published_at=timezone.now() if status == "published" else None,
    )  # fmt: skip
    item_index([item.pk])
    return item


@pytest.fixture
def content(actors, manager):
    found = {}
    for tier in (Tier.MEMBERS, Tier.LEA):
        room = RoomFactory(tier=tier)
        thread = forum.thread_create(actor=manager, room=room, title=f"{tier} zqapiword thread",
                                     body=f"The {tier} zqapiword post body.")  # fmt: skip
        found[f"{tier} thread"] = ("threads", thread.pk)
        found[f"{tier} post"] = ("posts", thread.posts.get().pk)
        found[f"{tier} item"] = ("items", _item(f"{tier} zqapiword item", tier).pk)
        found[f"{tier} need"] = ("needs", NeedFactory(title=f"{tier} zqapiword", tier=tier).pk)
        _item(f"{tier} zqapiword draft", tier, status="submitted")  # never in search
    found["public item"] = ("items", _item("public zqapiword item", Tier.PUBLIC).pk)
    found["project"] = ("projects", ResearchProjectFactory(title="The zqapiword project").pk)
    return found


def _client(role, actors, token_for, mode="token"):
    if mode == "token":
        return token_client(token_for(actors[role]))
    from django.test import Client

    client = Client()
    client.force_login(actors[role])
    return client


@pytest.mark.parametrize("role", SIGNED_IN)
@pytest.mark.parametrize("mode", ["token", "session"])
def test_results_and_counts_are_the_visibility_rule(role, mode, actors, content, token_for):
    client = _client(role, actors, token_for, mode)

    grouped = client.get(URL, {"q": "zqapiword"}).json()
    by_kind = {
        kind: client.get(URL, {"q": "zqapiword", "kind": kind}).json()
        for kind in ("threads", "posts", "items", "needs", "projects")
    }

    expected = {content[name] for name in EXPECTED[role]}
    returned = {(row["kind"], row["id"]) for row in grouped["results"]}
    assert returned == expected
    paged = {(row["kind"], row["id"]) for body in by_kind.values() for row in body["results"]}
    assert paged == expected
    counts = {row["kind"]: row["count"] for row in grouped["counts"]}
    for kind, count in counts.items():
        assert count == sum(1 for k, _pk in expected if k == kind), (kind, counts)


def test_a_result_has_kind_id_title_plain_snippet_and_url(actors, content, token_for):
    client = _client("lea", actors, token_for)

    body = client.get(URL, {"q": "zqapiword", "kind": "items"}).json()

    row = next(r for r in body["results"] if r["id"] == content["lea item"][1])
    assert row["kind"] == "items"
    assert row["title"] == "lea zqapiword item"
    assert row["url"] == reverse("knowledge_factory:item", args=[row["id"]])
    assert "zqapiword" in row["snippet"]
    assert "\x02" not in row["snippet"]
    assert "<mark>" not in row["snippet"]
    assert body["has_next"] is False
    assert body["page"] == 1


def test_anonymous_and_suspended_callers_get_nothing(actors, content, token_for, client):
    from tests.api.conftest import suspend

    key = token_for(actors["lea"])
    suspend(actors["lea"])

    assert client.get(URL, {"q": "zqapiword"}).status_code == 401
    assert token_client(key).get(URL, {"q": "zqapiword"}).status_code == 401


def test_bad_queries_are_400_not_500(actors, token_for):
    client = _client("researcher", actors, token_for)

    assert client.get(URL).status_code == 400
    assert client.get(URL, {"q": "  "}).status_code == 400
    assert client.get(URL, {"q": "x" * 10_000}).status_code == 400
    assert client.get(URL, {"q": "word", "kind": "secrets"}).status_code == 400
    stop_words = client.get(URL, {"q": "the of and"})
    assert stop_words.status_code == 200
    assert stop_words.json()["stop_words_only"] is True


def test_the_endpoint_is_in_the_schema(actors, token_for):
    client = _client("researcher", actors, token_for)

    schema = client.get(reverse("api:schema"), {"format": "json"}).json()

    assert "/api/v1/search/" in schema["paths"]
