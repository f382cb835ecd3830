"""Reads of the Knowledge Factory scoped to a reader (filtered by the one visibility rule)."""

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from taggit.models import Tag, TaggedItem

from .models import Follow, Item

# Related items are looked for among the newest items sharing a tag or a domain: a tag on
# tens of thousands of items must not make an item page slow.
RELATED_CANDIDATES = 1000


def item_tag_links():
    """Taggit's links between tags and items. Joined to the content type by name rather than
    by a looked-up id: no query of its own."""
    return TaggedItem.objects.filter(
        content_type__app_label="knowledge_factory", content_type__model="item"
    )


def _shared(rows, column: str, outer: str):
    """How many of ``rows`` (links to the item's tags or domains) name the outer item."""
    return Coalesce(
        Subquery(
            rows.filter(**{column: OuterRef(outer)})
            .order_by()
            .values(column)
            .annotate(n=Count("*"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def related_items_for(user, item, *, limit: int = 5) -> list:
    """Published items ``user`` may open sharing most tags and domains with ``item`` (then the
    newest), ``item`` itself excluded. One query."""
    item_tags = item_tag_links().filter(object_id=item.pk).values("tag_id")
    item_domains = Item.domains.through.objects.filter(item_id=item.pk).values("domain_id")
    tag_links = item_tag_links().filter(tag_id__in=item_tags)
    domain_links = Item.domains.through.objects.filter(domain_id__in=item_domains)
    visible = Item.objects.visible_to(user).published().exclude(pk=item.pk)
    # The candidates come from the link tables' indexes (the most recently added items of each
    # tag and domain), not from the items newest first: that would read every item when the
    # tags are rare.
    tagged = tag_links.order_by("-object_id").values("object_id")[:RELATED_CANDIDATES]
    in_domains = domain_links.order_by("-item_id").values("item_id")[:RELATED_CANDIDATES]
    return list(
        visible.filter(pk__in=tagged.union(in_domains))
        .annotate(
            shared=_shared(tag_links, "object_id", "pk") + _shared(domain_links, "item_id", "pk")
        )
        .order_by("-shared", "-published_at", "-pk")
        .only("pk", "type", "title", "published_on", "published_at", "submitted_at")[:limit]
    )


def follows_for(member) -> dict:
    """The member's followed tags and domains, each list sorted by name."""
    follows = list(
        Follow.objects.filter(member=member).select_related("tag", "domain").order_by("pk")
    )
    return {
        "tags": sorted((f.tag for f in follows if f.tag_id), key=lambda t: t.name.lower()),
        "domains": sorted((f.domain for f in follows if f.domain_id), key=lambda d: str(d)),
    }


def readable_tags_for(user):
    """Tags of the published items ``user`` may open, by name: the only tags a member is
    offered and may follow (a tag used only on items they may not read stays unknown)."""
    return Tag.objects.filter(
        pk__in=item_tag_links()
        .filter(object_id__in=Item.objects.visible_to(user).published().values("pk"))
        .values("tag_id")
    ).order_by("name")
