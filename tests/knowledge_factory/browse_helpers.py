"""Items for the browsing tests (test_search, test_follows, test_feed, test_digest): rows made
directly, published, with their search vectors refreshed — the workflow is tested elsewhere
(test_items), and a search test needs hundreds of items of chosen ages."""

from datetime import timedelta

from django.utils import timezone

from community.models import Domain
from knowledge_factory.indexing import item_index
from knowledge_factory.models import Item

LEA_TITLE = "Covert interception of encrypted handsets"


def make_item(
    title="Drone detection at borders",
    *,
    summary="What works against small drones.",
    body="",
    type="article",
    tier="members",
    tags=(),
    domains=(),
    status="published",
    age=timedelta(0),
    published_on=None,
    author=None,
) -> Item:
    when = timezone.now() - age
    item = Item.objects.create(
        title=title,
        summary=summary,
        body=body,
        type=type,
        tier=tier,
        status=status,
        published_at=when if status == "published" else None,
        submitted_at=when,
        created_at=when,
        updated_at=when,
        published_on=published_on,
        author=author,
    )
    if tags:
        item.tags.add(*tags)
    if domains:
        item.domains.add(*domains)
    item_index([item.pk])
    return item


def many_items(count: int, *, title="Item {n}", body="", age=timedelta(0), **fields) -> list[int]:
    """``count`` published items, newest first, made in one statement (then indexed)."""
    now = timezone.now() - age
    rows = [
        Item(
            title=title.format(n=n),
            summary=f"Summary {n}.",
            body=body.format(n=n),
            type=fields.get("type", "report"),
            tier=fields.get("tier", "members"),
            status="published",
            published_at=now - timedelta(minutes=n),
            submitted_at=now - timedelta(minutes=n),
        )
        for n in range(count)
    ]
    ids = [item.pk for item in Item.objects.bulk_create(rows)]
    item_index(ids)
    return ids


def domain(slug=None) -> Domain:
    domains = Domain.objects.order_by("pk")
    return domains.get(slug=slug) if slug else domains.first()
