"""An attacker's pass over the Knowledge Factory (issue 15): each test is a way in that was
found open and is now closed — LEA-only content reaching a reader who is not LEA (through the
author's own access, the admin's tag, follow and item pages) and malformed input making a page
or every reader's feed fail."""

import io
import zipfile

import pytest
from django.urls import reverse
from taggit.models import Tag

from community.models import AffiliationType
from knowledge_factory.models import Follow, Item
from knowledge_factory.services.follows import feed_token_renew, follow_add
from knowledge_factory.services.items import item_publish, item_update
from tests.ipup.factories import NeedFactory

from .item_helpers import make_knowledge_manager, published, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def knowledge_manager(make_member):
    return make_knowledge_manager(make_member)


@pytest.fixture
def lea_knowledge_manager(make_member):
    return make_knowledge_manager(make_member, lea=True)


# --- The author reads their item only while they read its access level -------------------------


def test_an_author_who_is_not_lea_loses_their_item_once_it_is_lea_only(
    client_for, researcher, lea_knowledge_manager
):
    # given: a researcher's submission that an LEA knowledge manager makes LEA-only, adds to
    # and publishes
    item = submit(researcher, title="Drone detection at borders", tags=["drones"])
    item_update(
        actor=lea_knowledge_manager,
        item=item,
        tier="lea",
        body="Operational annex: frequencies in use",
        tags=["drones", "jamming-ops"],
    )
    item_publish(actor=lea_knowledge_manager, item=item)
    client = client_for(researcher)

    # when / then: the author is told nothing of it anywhere
    assert client.get(reverse("knowledge_factory:item", args=[item.pk])).status_code == 404
    assert client.get(reverse("knowledge_factory:item-edit", args=[item.pk])).status_code == 404
    index = client.get(reverse("knowledge_factory:index")).content.decode()
    assert "jamming-ops" not in index
    assert item.title not in index
    assert "LEA members only" not in index
    assert item.title not in client.get(reverse("knowledge_factory:my-items")).content.decode()
    assert client.get(reverse("api:knowledge-item-mine")).json()["count"] == 0
    detail = reverse("api:knowledge-item-detail", args=[item.pk])
    assert client.get(detail).status_code == 404
    feed = client.get(reverse("knowledge_factory:feed", args=[feed_token_renew(member=researcher)]))
    assert item.title not in feed.content.decode()
    archive = zipfile.ZipFile(
        io.BytesIO(client.get(reverse("community:personal-data-export")).content)
    )
    export = " ".join(archive.read(name).decode() for name in archive.namelist())
    assert "knowledge_items.json" in archive.namelist()
    assert "jamming-ops" not in export
    assert "frequencies in use" not in export


def test_an_author_keeps_reading_their_item_of_a_tier_they_read(client_for, researcher):
    item = submit(researcher, tier="members")

    response = client_for(researcher).get(reverse("knowledge_factory:item", args=[item.pk]))

    assert response.status_code == 200


# --- Malformed input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["q=%00", "q=drone%00s", "tag=%00", "domain=%00", "type=%00", "access=%00"]
)
def test_a_nul_character_in_the_search_is_not_a_server_error(client_for, researcher, query):
    response = client_for(researcher).get(reverse("knowledge_factory:index") + "?" + query)

    assert response.status_code == 200


def test_a_nul_character_in_a_feed_address_is_a_404(client):
    assert client.get("/knowledge/feed/%00.atom").status_code == 404


@pytest.mark.parametrize(
    ("field", "value"),
    [("title", "Drones \x02 jammed"), ("summary", "A\x03B"), ("tags", "drones, ja\x02m")],
)
def test_control_characters_are_refused_in_an_item(client_for, researcher, field, value):
    data = {"type": "article", "title": "Drones", "summary": "What works.", "tier": "members"}
    data[field] = value

    response = client_for(researcher).post(reverse("knowledge_factory:submit"), data)

    assert response.status_code == 400
    assert not Item.objects.exists()


def test_a_control_character_already_in_a_title_does_not_break_the_feed(
    client, researcher, knowledge_manager
):
    item = published(researcher, knowledge_manager, tier="public", tags=["drones"])
    Item.objects.filter(pk=item.pk).update(title="Drones \x02 jammed", summary="A\x0bB")

    response = client.get(
        reverse("knowledge_factory:feed", args=[feed_token_renew(member=researcher)])
    )

    assert response.status_code == 200
    assert "Drones  jammed" in response.content.decode()


# --- The admin, for a knowledge manager who is not LEA --------------------------------------------


@pytest.fixture
def lea_tagged(lea_member, lea_knowledge_manager):
    """A published LEA-only item with a tag used nowhere else, followed by its LEA author."""
    item = published(
        lea_member,
        lea_knowledge_manager,
        title="Covert interdiction",
        tier="lea",
        tags=["zanzibar-route"],
    )
    follow_add(actor=lea_member, tag="zanzibar-route")
    return item


def test_the_admin_tag_list_shows_no_lea_only_tag_nor_its_items(
    client_for, knowledge_manager, researcher, lea_tagged
):
    published(researcher, knowledge_manager, tags=["drones"])
    client = client_for(knowledge_manager)
    hidden = Tag.objects.get(name="zanzibar-route")

    page = client.get(reverse("admin:taggit_tag_changelist")).content.decode()
    change = client.get(reverse("admin:taggit_tag_change", args=[hidden.pk]))

    assert "drones" in page
    assert "zanzibar-route" not in page
    assert change.status_code == 302  # the admin's "does not exist" redirect
    assert lea_tagged.title not in change.content.decode()


def test_the_admin_does_not_rename_tags_behind_the_hygiene_pages(
    client_for, knowledge_manager, researcher
):
    published(researcher, knowledge_manager, tags=["drones"])
    tag = Tag.objects.get(name="drones")

    client_for(knowledge_manager).post(
        reverse("admin:taggit_tag_change", args=[tag.pk]), {"name": "uav", "slug": "uav"}
    )

    tag.refresh_from_db()
    assert tag.name == "drones"


def test_the_admin_history_lists_only_items_its_reader_may_read(
    client_for, knowledge_manager, researcher, lea_tagged
):
    visible = published(researcher, knowledge_manager, title="Open drone study")
    client = client_for(knowledge_manager)

    page = client.get(reverse("admin:knowledge_factory_itemevent_changelist")).content.decode()
    hidden_event = lea_tagged.events.first()
    change = client.get(reverse("admin:knowledge_factory_itemevent_change", args=[hidden_event.pk]))

    assert visible.title in page
    assert lea_tagged.title not in page
    assert change.status_code == 302  # the admin's "does not exist" redirect


def test_the_admin_follow_list_shows_no_lea_only_tag(client_for, knowledge_manager, lea_tagged):
    assert Follow.objects.filter(tag__name="zanzibar-route").exists()

    page = client_for(knowledge_manager).get(reverse("admin:knowledge_factory_follow_changelist"))

    assert page.status_code == 200
    assert "zanzibar-route" not in page.content.decode()


def test_the_admin_item_page_does_not_name_a_need_its_reader_may_not_read(
    client_for, knowledge_manager, lea_member, lea_knowledge_manager
):
    need = NeedFactory(tier="lea", title="Oktoberfest protection plan")
    item = published(lea_member, lea_knowledge_manager, tier="members", need=need)

    page = client_for(knowledge_manager).get(
        reverse("admin:knowledge_factory_item_change", args=[item.pk])
    )

    assert page.status_code == 200
    assert "Oktoberfest" not in page.content.decode()


def test_the_admin_history_names_the_fields_changed_not_their_former_values(
    client_for, knowledge_manager, make_member, lea_knowledge_manager
):
    # given: an LEA-only item, redacted and then opened to all members
    author = make_member(AffiliationType.LEA, email="author.lea@example.org")
    item = submit(author, tier="lea", body="Informant codename KESTREL")
    item_update(actor=lea_knowledge_manager, item=item, body="Redacted.")
    item_update(actor=lea_knowledge_manager, item=item, tier="members")
    item_publish(actor=lea_knowledge_manager, item=item)

    page = client_for(knowledge_manager).get(
        reverse("admin:knowledge_factory_item_change", args=[item.pk])
    )

    assert page.status_code == 200
    assert "KESTREL" not in page.content.decode()
