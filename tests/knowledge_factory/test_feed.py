"""The member's personal Atom feed of new items (knowledge_factory.views.browse.ItemFeed)."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone

from knowledge_factory.services.follows import feed_token_renew, follow_add
from tests.knowledge_factory.browse_helpers import LEA_TITLE, domain, make_item

ATOM = "{http://www.w3.org/2005/Atom}"
BORDER = "migration-border-management"


def _feed(client, token):
    return client.get(f"/knowledge/feed/{token}.atom")


def _titles(response) -> list[str]:
    root = ET.fromstring(response.content)  # noqa: S314 - our own feed
    return [entry.findtext(f"{ATOM}title") for entry in root.iter(f"{ATOM}entry")]


@pytest.fixture
def catalogue(db):
    return {
        "public": make_item(
            "Open drone registry", tier="public", tags=["drones"], age=timedelta(hours=3)
        ),
        "members": make_item(
            "Ransomware negotiation",
            tier="members",
            tags=["ransomware"],
            domains=[domain(BORDER)],
            age=timedelta(hours=2),
        ),
        "lea": make_item(LEA_TITLE, tier="lea", tags=["drones"], age=timedelta(hours=1)),
        "draft": make_item("Drone draft", tags=["drones"], status="submitted"),
    }


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("lea_member", [LEA_TITLE, "Ransomware negotiation", "Open drone registry"]),
        ("researcher", ["Ransomware negotiation", "Open drone registry"]),
        ("industry_member", ["Ransomware negotiation", "Open drone registry"]),
        ("policy_member", ["Ransomware negotiation", "Open drone registry"]),
        ("unverified_member", ["Open drone registry"]),
    ],
)
def test_the_feed_holds_what_its_owner_may_read_newest_first(
    request, client_for, catalogue, role, expected
):
    owner = request.getfixturevalue(role)
    token = feed_token_renew(member=owner)

    # read by a feed reader: nobody is signed in
    response = _feed(client_for(None), token)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    assert response["Cache-Control"] == "private, no-store"
    assert _titles(response) == expected


def test_follows_narrow_the_feed(client_for, catalogue, lea_member, researcher):
    for member in (lea_member, researcher):
        follow_add(actor=member, tag="drones")
    follow_add(actor=researcher, domain=BORDER)

    for_lea = _titles(_feed(client_for(None), feed_token_renew(member=lea_member)))
    for_researcher = _titles(_feed(client_for(None), feed_token_renew(member=researcher)))

    assert for_lea == [LEA_TITLE, "Open drone registry"]
    assert for_researcher == ["Ransomware negotiation", "Open drone registry"]


def test_entries_carry_the_summary_as_text_the_link_the_date_and_the_tags(
    client_for, researcher, db
):
    item = make_item("Tagged", summary='Less <b>than</b> 5 & "quoted"', tags=["drones", "nets"])
    token = feed_token_renew(member=researcher)

    root = ET.fromstring(_feed(client_for(None), token).content)  # noqa: S314 - our own feed
    entry = next(root.iter(f"{ATOM}entry"))

    assert entry.find(f"{ATOM}link").get("href") == f"http://testserver/knowledge/{item.pk}/"
    # Atom's summary is HTML: the text arrives escaped, never as markup
    assert (
        entry.findtext(f"{ATOM}summary")
        == "Less &lt;b&gt;than&lt;/b&gt; 5 &amp; &quot;quoted&quot;"
    )
    assert {c.get("term") for c in entry.iter(f"{ATOM}category")} == {"drones", "nets"}
    assert entry.findtext(f"{ATOM}published")[:10] == item.published_at.date().isoformat()


def test_a_renewed_address_replaces_the_old_one(client_for, catalogue, researcher):
    client = client_for(None)
    old = feed_token_renew(member=researcher)
    new = feed_token_renew(member=researcher)

    assert _feed(client, old).status_code == 404
    assert _feed(client, new).status_code == 200


def test_a_suspended_departed_or_unknown_owner_has_no_feed(client_for, catalogue, make_member):
    client = client_for(None)
    suspended, departed, deleted = (make_member(email=f"{n}@example.org") for n in "sdx")
    tokens = {
        member.pk: feed_token_renew(member=member) for member in (suspended, departed, deleted)
    }
    suspended.suspended_until = timezone.now() + timedelta(days=1)
    suspended.save(update_fields=["suspended_until"])
    departed.is_active = False
    departed.save(update_fields=["is_active"])
    deleted.deleted_at = timezone.now()
    deleted.save(update_fields=["deleted_at"])

    for token in tokens.values():
        assert _feed(client, token).status_code == 404
    assert _feed(client, "no-such-token").status_code == 404
    assert _feed(client, "x" * 65).status_code == 404


def test_the_feed_of_a_signed_in_reader_is_still_its_owners(
    client_for, catalogue, lea_member, researcher
):
    # the address decides whose feed it is, not the session that fetches it
    token = feed_token_renew(member=researcher)

    response = _feed(client_for(lea_member), token)

    assert LEA_TITLE not in _titles(response)


@pytest.mark.parametrize("follows", [False, True])
def test_the_feed_costs_the_same_for_more_items(
    client_for, researcher, django_assert_max_num_queries, follows, db
):
    client = client_for(None)
    token = feed_token_renew(member=researcher)
    if follows:
        make_item("Seed", tags=["drones"])
        follow_add(actor=researcher, tag="drones")

    def grow(count):
        for n in range(count):
            make_item(f"Item {n}", tags=["drones", f"tag-{n % 5}"])

    grow(5)
    with django_assert_max_num_queries(5):
        assert _feed(client, token).status_code == 200
    grow(55)
    with django_assert_max_num_queries(5):
        response = _feed(client, token)
    assert len(_titles(response)) == 50
