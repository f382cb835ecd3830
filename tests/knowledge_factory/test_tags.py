"""Tag hygiene (issue 15, "Tag hygiene"): merge, rename, unused and near-duplicate tags for
knowledge managers, each audited; a tag used only on LEA-only items is not shown to a knowledge
manager who may not read them (its name is content)."""

import pytest
from django.contrib.postgres.search import SearchQuery
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from community.models import AffiliationType, AuditLogEntry
from community.roles import Role
from knowledge_factory.indexing import item_index
from knowledge_factory.models import Follow, Item
from knowledge_factory.services.tags import (
    TagRow,
    normalised,
    tag_delete_unused,
    tag_merge,
    tag_near_duplicates,
    tag_rename,
    tag_rows_for,
)
from tests.ipup.factories import ResearchProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def knowledge_manager(make_member):
    return make_member(
        AffiliationType.RESEARCH, roles=[Role.KNOWLEDGE_MANAGER], email="km.tags@example.org"
    )


@pytest.fixture
def lea_knowledge_manager(make_member):
    return make_member(
        AffiliationType.LEA, roles=[Role.KNOWLEDGE_MANAGER], email="km.tags.lea@example.org"
    )


def make_item(title, *tags, tier="public", status="published"):
    now = timezone.now()
    item = Item.objects.create(
        type="article",
        title=title,
        summary=f"About {title}.",
        tier=tier,
        status=status,
        published_at=now if status == "published" else None,
    )
    item.tags.add(*tags)
    item_index([item.pk])
    return item


def names(item) -> list[str]:
    return sorted(item.tags.names())


def matches(word: str) -> set[str]:
    return set(
        Item.objects.filter(search_vector=SearchQuery(word, config="english")).values_list(
            "title", flat=True
        )
    )


# --- Merge ----------------------------------------------------------------------------------


def test_a_merge_moves_items_projects_and_follows_without_duplicates(
    knowledge_manager, researcher, industry_member
):
    # given
    both = make_item("Both spellings", "drone", "drones")
    two_sources = make_item("Two sources", "drone", "UAV")
    only_uav = make_item("Third", "UAV")
    project = ResearchProjectFactory()
    project.tags.add("UAV", "drones")
    tags = {tag.name: tag for tag in Tag.objects.all()}
    Follow.objects.create(member=researcher, tag=tags["drone"])
    Follow.objects.create(member=researcher, tag=tags["drones"])
    Follow.objects.create(member=industry_member, tag=tags["drone"])
    Follow.objects.create(member=industry_member, tag=tags["UAV"])
    assert "Third" in matches("uav")
    # when
    counts = tag_merge(
        actor=knowledge_manager, sources=[tags["drone"], tags["UAV"]], target=tags["drones"]
    )
    # then
    assert names(both) == ["drones"]
    assert names(two_sources) == ["drones"]
    assert names(only_uav) == ["drones"]
    assert sorted(project.tags.names()) == ["drones"]
    assert set(Tag.objects.values_list("name", flat=True)) == {"drones"}
    assert TaggedItem.objects.filter(tag=tags["drones"]).count() == 4
    follows = Follow.objects.order_by("member_id")
    assert [(f.member_id, f.tag_id) for f in follows] == sorted(
        [(researcher.pk, tags["drones"].pk), (industry_member.pk, tags["drones"].pk)]
    )
    assert counts == {
        "moved": 2,
        "duplicates_removed": 3,
        "follows_moved": 1,
        "follows_removed": 2,
        "items_reindexed": 3,
    }
    assert "Third" not in matches("uav")
    assert "Third" in matches("drones")
    entry = AuditLogEntry.objects.get(action="knowledge.tag_merge")
    assert entry.actor == knowledge_manager
    assert entry.data["before"] == {"tags": ["UAV", "drone", "drones"]}
    assert entry.data["after"] == {"tags": ["drones"]}
    assert entry.data["moved"] == 2


def test_a_group_is_merged_from_the_page(knowledge_manager, client_for):
    make_item("One", "cyber-crime")
    make_item("Two", "cybercrime", "cyber-crime")
    tags = {tag.name: tag for tag in Tag.objects.all()}
    response = client_for(knowledge_manager).post(
        reverse("knowledge_factory:tag-merge"),
        {
            "target": tags["cybercrime"].pk,
            "source": [tags["cybercrime"].pk, tags["cyber-crime"].pk],
        },
        follow=True,
    )
    assert "Merged into “cybercrime”" in response.text
    assert list(Tag.objects.values_list("name", flat=True)) == ["cybercrime"]
    assert TaggedItem.objects.count() == 2


def test_tags_are_merged_by_name(knowledge_manager, client_for):
    make_item("One", "forensic", "Forensics ")
    client = client_for(knowledge_manager)
    response = client.post(
        reverse("knowledge_factory:tag-merge"),
        {"sources": "Forensics , nonexistent", "target": "forensic"},
        follow=True,
    )
    assert "No tag is named “nonexistent”." in response.text
    assert Tag.objects.count() == 2
    client.post(
        reverse("knowledge_factory:tag-merge"), {"sources": "Forensics", "target": "forensic"}
    )
    assert list(Tag.objects.values_list("name", flat=True)) == ["forensic"]


def test_a_merge_needs_another_tag(knowledge_manager):
    make_item("One", "alpha")
    alpha = Tag.objects.get()
    with pytest.raises(ValidationError):
        tag_merge(actor=knowledge_manager, sources=[alpha], target=alpha)


# --- Rename ---------------------------------------------------------------------------------


def test_a_rename_changes_name_and_slug_and_reindexes(knowledge_manager, client_for):
    item = make_item("Crime online", "cyber crim")
    tag = Tag.objects.get()
    response = client_for(knowledge_manager).post(
        reverse("knowledge_factory:tag-rename", args=[tag.pk]), {"name": "  Cyber   attacks "}
    )
    assert response.status_code == 302
    tag.refresh_from_db()
    assert (tag.name, tag.slug) == ("Cyber attacks", "cyber-attacks")
    assert names(item) == ["Cyber attacks"]
    assert "Crime online" in matches("attacks")
    entry = AuditLogEntry.objects.get(action="knowledge.tag_rename")
    assert entry.data["before"] == {"name": "cyber crim", "slug": "cyber-crim"}
    assert entry.data["after"] == {"name": "Cyber attacks", "slug": "cyber-attacks"}


def test_renaming_onto_an_existing_name_is_refused(knowledge_manager, client_for):
    make_item("One", "drone", "Drones")
    tag = Tag.objects.get(name="drone")
    with pytest.raises(ValidationError) as error:
        tag_rename(actor=knowledge_manager, tag=tag, name="drones")
    assert "merge the two tags instead" in str(error.value)
    response = client_for(knowledge_manager).post(
        reverse("knowledge_factory:tag-rename", args=[tag.pk]), {"name": "Drones"}
    )
    assert response.status_code == 400
    assert "merge the two tags instead" in response.text
    assert set(Tag.objects.values_list("name", flat=True)) == {"drone", "Drones"}


def test_a_rename_to_a_free_name_with_a_taken_slug_gets_another_slug(knowledge_manager):
    make_item("One", "border control", "border-control-x")
    Tag.objects.filter(name="border-control-x").update(slug="border-watch")
    tag = Tag.objects.get(name="border control")
    tag_rename(actor=knowledge_manager, tag=tag, name="Border watch")
    tag.refresh_from_db()
    assert (tag.name, tag.slug) == ("Border watch", "border-watch_1")


def test_bad_names_are_refused(knowledge_manager, client_for):
    make_item("One", "alpha")
    tag = Tag.objects.get()
    client = client_for(knowledge_manager)
    url = reverse("knowledge_factory:tag-rename", args=[tag.pk])
    for bad in ("   ", "a, b", "x" * 101):
        assert client.post(url, {"name": bad}).status_code == 400
    tag.refresh_from_db()
    assert tag.name == "alpha"


# --- Unused and near duplicates -------------------------------------------------------------


def test_the_unused_filter_and_deleting_unused_tags(knowledge_manager, researcher, client_for):
    # given
    make_item("One", "used")
    Tag.objects.create(name="orphan")
    Tag.objects.create(name="lonely")
    followed = Tag.objects.create(name="followed but unused")
    Follow.objects.create(member=researcher, tag=followed)
    client = client_for(knowledge_manager)
    # when
    page = client.get(reverse("knowledge_factory:tag-list"), {"unused": "on"})
    # then
    assert page.status_code == 200
    assert "orphan" in page.text
    assert "followed but unused" in page.text
    assert ">used<" not in page.text.replace("\n", "").replace(" ", "")
    assert "Delete the 2 unused tags" in page.text
    # when
    lonely = Tag.objects.get(name="lonely")
    client.post(reverse("knowledge_factory:tag-delete-unused"), {"tag": lonely.pk})
    assert not Tag.objects.filter(name="lonely").exists()
    assert Tag.objects.filter(name="orphan").exists()
    client.post(reverse("knowledge_factory:tag-delete-unused"))
    # then
    assert set(Tag.objects.values_list("name", flat=True)) == {"used", "followed but unused"}
    entries = AuditLogEntry.objects.filter(action="knowledge.tag_delete_unused").order_by("pk")
    assert [e.data["before"]["tags"] for e in entries] == [["lonely"], ["orphan"]]


def test_near_duplicates_are_found_and_unrelated_tags_are_not():
    spelled = [
        "cyber-crime",
        "cybercrime",
        "Cybercrime ",
        "drone",
        "drones",
        "surveillance",
        "surveilance",
        "terrorism",
        "tourism",
        "crime",
        "crimea",
        "forensics",
        "border control",
        "AI",
        "AR",
    ]
    rows = [
        TagRow(id=i, name=n, slug=n, items=1, projects=0, uses=1) for i, n in enumerate(spelled)
    ]
    groups = [sorted(row.name for row in group) for group in tag_near_duplicates(rows)]
    assert sorted(groups) == [
        ["Cybercrime ", "cyber-crime", "cybercrime"],
        ["drone", "drones"],
        ["surveilance", "surveillance"],
    ]


def test_normalisation():
    assert normalised("Cyber-Crimes ") == "cybercrime"
    assert normalised("access") == "access"
    assert normalised("Ermittlungsmethoden") == "ermittlungsmethoden"


def test_near_duplicates_stay_fast_for_5000_tags():
    words = ["border", "cyber", "drone", "crime", "forensic", "police", "terror", "traffic"]
    rows = [
        TagRow(
            id=i,
            name=f"{words[i % 8]} {words[(i // 8) % 8]} {i}",
            slug="",
            items=1,
            projects=0,
            uses=1,
        )
        for i in range(5000)
    ]
    started = timezone.now()
    tag_near_duplicates(rows)
    assert (timezone.now() - started).total_seconds() < 10


def test_the_page_shows_near_duplicate_groups(knowledge_manager, client_for):
    make_item("One", "drone", "drones", "terrorism", "tourism")
    page = client_for(knowledge_manager).get(reverse("knowledge_factory:tag-list"))
    assert page.status_code == 200
    assert "Keep “drone”" in page.text
    assert "Keep “terrorism”" not in page.text


# --- Who sees what --------------------------------------------------------------------------


URLS = [
    ("get", "knowledge_factory:tag-list", False),
    ("post", "knowledge_factory:tag-merge", False),
    ("get", "knowledge_factory:tag-rename", True),
    ("post", "knowledge_factory:tag-delete-unused", False),
]


@pytest.mark.parametrize(("method", "name", "with_pk"), URLS)
def test_members_who_are_not_knowledge_managers_get_404(
    method, name, with_pk, researcher, lea_member, client_for
):
    make_item("One", "alpha")
    Tag.objects.create(name="unused")
    tag = Tag.objects.get(name="alpha")
    url = reverse(name, args=[tag.pk] if with_pk else [])
    for member in (researcher, lea_member):
        client = client_for(member)
        response = getattr(client, method)(url, {"target": tag.pk, "source": [tag.pk]})
        assert response.status_code == 404
    anonymous = getattr(client_for(None), method)(url)
    assert anonymous.status_code == 302
    assert Tag.objects.count() == 2
    with pytest.raises(PermissionDenied):
        tag_delete_unused(actor=researcher)


def test_a_tag_used_only_on_lea_items_is_hidden_from_a_non_lea_knowledge_manager(
    knowledge_manager, lea_knowledge_manager, client_for
):
    # given
    make_item("Public", "drones")
    make_item("Secret", "covert entry", "drones", tier="lea")
    make_item("Secret draft", "informant handling", tier="lea", status="submitted")
    both = make_item("Secret and project", "wiretap", tier="lea")
    ResearchProjectFactory().tags.add("wiretap")
    secret = Tag.objects.get(name="covert entry")
    # when
    page = client_for(knowledge_manager).get(reverse("knowledge_factory:tag-list"))
    # then
    assert "covert entry" not in page.text
    assert "informant handling" not in page.text
    rows = {row.name: row for row in tag_rows_for(knowledge_manager)}
    assert set(rows) == {"drones", "wiretap"}
    assert (rows["drones"].items, rows["drones"].projects) == (1, 0)
    assert (rows["wiretap"].items, rows["wiretap"].projects) == (0, 1)
    lea_rows = {row.name: row for row in tag_rows_for(lea_knowledge_manager)}
    assert set(lea_rows) == {"drones", "covert entry", "informant handling", "wiretap"}
    assert lea_rows["drones"].items == 2
    assert (
        "covert entry"
        in client_for(lea_knowledge_manager).get(reverse("knowledge_factory:tag-list")).text
    )
    # and the actions refuse the hidden tag as if it did not exist
    client = client_for(knowledge_manager)
    rename = client.get(reverse("knowledge_factory:tag-rename", args=[secret.pk]))
    assert rename.status_code == 404
    merged = client.post(
        reverse("knowledge_factory:tag-merge"),
        {"sources": "covert entry", "target": "drones"},
        follow=True,
    )
    assert "No tag is named “covert entry”." in merged.text
    drones = Tag.objects.get(name="drones")
    with pytest.raises(ValidationError):
        tag_merge(actor=knowledge_manager, sources=[secret], target=drones)
    with pytest.raises(ValidationError):
        tag_rename(actor=knowledge_manager, tag=secret, name="something")
    assert Tag.objects.filter(name="covert entry").exists()
    assert names(both) == ["wiretap"]


# --- Query budget ---------------------------------------------------------------------------


def test_the_tag_page_runs_a_fixed_number_of_queries(
    knowledge_manager, client_for, django_assert_max_num_queries
):
    client = client_for(knowledge_manager)
    url = reverse("knowledge_factory:tag-list")
    client.get(url)
    project = ResearchProjectFactory()
    counts = []
    for size in (3, 60):
        for n in range(size):
            make_item(f"Item {size}-{n}", f"tag {size} {n}", f"Tag-{size}-{n}")
            project.tags.add(f"project tag {size} {n}")
        Tag.objects.create(name=f"unused {size}")
        with django_assert_max_num_queries(20) as context:
            page = client.get(url)
            assert page.status_code == 200
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1]
