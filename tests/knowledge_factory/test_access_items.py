"""Who reads which Knowledge Factory item (SPEC §5, issue 15 acceptance 1), per role: the item
page, its file, the API list and detail, "My submissions" and the review queue. An LEA-only
item, published or not, is 404 or absent for every reader who is not LEA (community managers
excepted: they see everything, by the one visibility rule)."""

import pytest
from django.urls import reverse

from community.models import AffiliationType
from community.roles import Role
from knowledge_factory.models import Item
from knowledge_factory.services.items import item_publish

from .item_helpers import pdf, submit, suspend

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous", "unverified", "researcher", "industry", "policy", "lea", "km", "km_lea",
    "manager", "suspended",
]  # fmt: skip
ITEMS = ["public", "members", "lea", "lea_draft", "members_draft"]


@pytest.fixture
def actors(make_member, manager):
    make = make_member
    return {
        "anonymous": None,
        "unverified": make(AffiliationType.RESEARCH, unverified=True, email="unv@example.org"),
        "researcher": make(AffiliationType.RESEARCH, email="res@example.org"),
        "industry": make(AffiliationType.INDUSTRY, email="ind@example.org"),
        "policy": make(AffiliationType.POLICY, email="pol@example.org"),
        "lea": make(AffiliationType.LEA, email="lea@example.org"),
        "km": make(AffiliationType.RESEARCH, roles=[Role.KNOWLEDGE_MANAGER], email="km@example.org"),
        "km_lea": make(AffiliationType.LEA, roles=[Role.KNOWLEDGE_MANAGER],
                       email="kmlea@example.org"),
        "manager": manager,
        "suspended": make(AffiliationType.LEA, email="susp@example.org"),
    }  # fmt: skip


@pytest.fixture
def items(actors, make_member):
    """Items of every access level, published and waiting, each with a file; written by
    authors who are none of the actors."""
    lea_author = make_member(AffiliationType.LEA, email="lea.author@example.org")
    author = make_member(AffiliationType.RESEARCH, email="author@example.org")
    reviewer = actors["km_lea"]

    def make(who, tier, *, publish):
        item = submit(who, title=f"Title [{tier}{'' if publish else ' draft'}]", tier=tier,
                      file=pdf(), tags=["shared"])  # fmt: skip
        return item_publish(actor=reviewer, item=item) if publish else item

    made = {
        "public": make(author, "public", publish=True),
        "members": make(author, "members", publish=True),
        "lea": make(lea_author, "lea", publish=True),
        "lea_draft": make(lea_author, "lea", publish=False),
        "members_draft": make(author, "members", publish=False),
    }
    suspend(actors["suspended"])
    return made


_VERIFIED = {"public", "members"}
EXPECTED = {
    "anonymous": {"public"},
    "unverified": {"public"},
    "researcher": _VERIFIED,
    "industry": _VERIFIED,
    "policy": _VERIFIED,
    "lea": _VERIFIED | {"lea"},
    "km": _VERIFIED | {"members_draft"},
    "km_lea": _VERIFIED | {"lea", "lea_draft", "members_draft"},
    "manager": _VERIFIED | {"lea", "lea_draft", "members_draft"},
    "suspended": set(),
}
PUBLISHED = {"public", "members", "lea"}


def _client(client_for, actors, role):
    return client_for(actors[role])


@pytest.mark.parametrize("role", ROLES)
def test_item_pages_and_files_follow_the_access_level(client_for, actors, items, role):
    client = _client(client_for, actors, role)
    for key, item in items.items():
        page = client.get(reverse("knowledge_factory:item", args=[item.pk]))
        file = client.get(reverse("knowledge_factory:item-file", args=[item.pk]))
        if key in EXPECTED[role]:
            assert page.status_code == 200, (role, key)
            assert item.title in page.content.decode()
            assert file.status_code == 200, (role, key)
            assert file["Content-Disposition"].startswith("attachment")
            assert file["X-Content-Type-Options"] == "nosniff"
            assert "private" in file["Cache-Control"]
        else:
            assert page.status_code != 200, (role, key)
            assert item.title not in page.content.decode()
            assert file.status_code != 200, (role, key)
            if role != "suspended":
                assert page.status_code == 404
                assert file.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_the_api_lists_and_opens_published_items_the_caller_may_read(
    client_for, actors, items, role
):
    client = _client(client_for, actors, role)
    response = client.get(reverse("api:knowledge-item-list"), {"page_size": 200})
    if role in ("anonymous", "suspended"):
        assert response.status_code in (401, 403)
        return
    assert response.status_code == 200
    listed = {row["title"] for row in response.json()["results"]}
    readable = EXPECTED[role] & PUBLISHED
    assert listed == {items[key].title for key in readable}
    # a tag filter counts only what the caller may read
    tagged = client.get(reverse("api:knowledge-item-list"), {"tag": "shared"}).json()
    assert tagged["count"] == len(readable)
    for key, item in items.items():
        detail = client.get(reverse("api:knowledge-item-detail", args=[item.pk]))
        assert detail.status_code == (200 if key in readable else 404), (role, key)


@pytest.mark.parametrize("role", ROLES)
def test_my_submissions_and_the_review_queue(client_for, actors, items, role):
    client = _client(client_for, actors, role)
    mine = client.get(reverse("knowledge_factory:my-items"))
    queue = client.get(reverse("knowledge_factory:review-queue"))
    if role == "anonymous":
        assert mine.status_code == 302
        assert queue.status_code == 302
        return
    if role == "suspended":
        assert mine.status_code != 200 or "Title [" not in mine.content.decode()
        assert "Title [" not in queue.content.decode()
        return
    assert mine.status_code == 200
    assert "Title [" not in mine.content.decode()  # none of theirs
    if role not in ("km", "km_lea", "manager"):
        assert queue.status_code == 404
        return
    html = queue.content.decode()
    assert queue.status_code == 200
    assert items["members_draft"].title in html
    assert (items["lea_draft"].title in html) == (role != "km")
    for key in PUBLISHED:
        assert items[key].title not in html


def test_an_lea_author_sees_their_own_waiting_item_and_a_non_lea_reviewer_cannot_act_on_it(
    client_for, actors, items
):
    item = items["lea_draft"]
    author = client_for(item.author)
    assert author.get(reverse("knowledge_factory:item", args=[item.pk])).status_code == 200
    assert item.title in author.get(reverse("knowledge_factory:my-items")).content.decode()

    response = client_for(actors["km"]).post(
        reverse("knowledge_factory:item-review", args=[item.pk]), {"action": "publish"}
    )

    assert response.status_code == 404
    item.refresh_from_db()
    assert item.status == "submitted"
    edit = reverse("knowledge_factory:item-edit", args=[item.pk])
    assert client_for(actors["km"]).get(edit).status_code == 404
    assert client_for(actors["lea"]).get(edit).status_code == 404


def test_a_related_need_or_project_is_shown_only_to_who_may_read_it(
    client_for, actors, make_member
):
    from tests.ipup.factories import NeedFactory, ResearchProjectFactory

    lea_need = NeedFactory(title="Secret need of LEAs", tier="lea")
    project = ResearchProjectFactory(acronym="SHIELD")
    author = make_member(AffiliationType.LEA, email="lea.writer@example.org")
    item = item_publish(
        actor=actors["km_lea"],
        item=submit(author, tier="public", need=lea_need, project=project),
    )
    url = reverse("knowledge_factory:item", args=[item.pk])

    researcher_page = client_for(actors["researcher"]).get(url).content.decode()
    lea_page = client_for(actors["lea"]).get(url).content.decode()
    anonymous_page = client_for(None).get(url).content.decode()

    assert "Secret need of LEAs" not in researcher_page
    assert "SHIELD" in researcher_page
    assert "Secret need of LEAs" in lea_page
    assert "Secret need of LEAs" not in anonymous_page
    assert "SHIELD" not in anonymous_page


def test_the_item_page_costs_the_same_for_more_tags_and_domains(
    client_for, actors, django_assert_max_num_queries, make_member
):
    from community.models import Domain

    author = make_member(AffiliationType.RESEARCH, email="w@example.org")
    small = item_publish(actor=actors["km"], item=submit(author, tags=["a"]))
    large = item_publish(
        actor=actors["km"],
        item=submit(author, tags=[f"t{i}" for i in range(10)], domains=Domain.objects.all()),
    )
    client = client_for(actors["researcher"])
    client.get(small.get_absolute_url())
    with django_assert_max_num_queries(30) as counted:
        client.get(small.get_absolute_url())
    with django_assert_max_num_queries(len(counted)):
        assert client.get(large.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_who_may_submit_and_which_access_levels_they_are_offered(client_for, actors, role):
    if role == "suspended":
        suspend(actors["suspended"])
    client = _client(client_for, actors, role)
    submit_url = reverse("knowledge_factory:submit")

    page = client.get(submit_url)
    posted = client.post(
        submit_url,
        {"type": "article", "title": "Mine", "summary": "s", "tier": "public"},
    )

    if role == "anonymous":
        assert page.status_code == 302
        assert posted.status_code == 302
        assert not Item.objects.exists()
        return
    if role == "suspended":
        assert "Mine" not in page.content.decode()
        assert not Item.objects.exists()
        return
    assert page.status_code == 200
    offered = {value for value, _label in page.context["form"].fields["tier"].choices}
    expected = {"public"} if role == "unverified" else {"public", "members"}
    if role in ("lea", "km_lea", "manager"):
        expected.add("lea")
    assert offered == expected
    assert posted.status_code == 302
    assert Item.objects.get().author == actors[role]
