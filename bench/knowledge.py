"""Bench data and job for the Knowledge Factory (issue 15): the 10,000 bench followers of the
project alerts (bench/ipip_alerts.py) also follow a tag, and a public item carries it; the job
tells them all of the item, as publishing does, in a transaction it rolls back (no notification
or e-mail is left behind)."""

from django.db import transaction

TAG = "bench-followed"
ITEM_TITLE = "Bench item followed by 10,000 members"


@transaction.atomic
def ensure_followers_dataset() -> None:
    from ipip_alerts import EMAIL_DOMAIN
    from taggit.models import Tag

    from community.models import User
    from knowledge_factory.indexing import item_index
    from knowledge_factory.models import Follow, Item

    tag, _created = Tag.objects.get_or_create(name=TAG, defaults={"slug": TAG})
    item = Item.objects.filter(title=ITEM_TITLE).first()
    if item is None:
        from django.utils import timezone

        now = timezone.now()
        item = Item.objects.create(
            type="report", title=ITEM_TITLE, summary="Told to every follower of its tag.",
            tier="public", status="published", published_at=now,
        )  # fmt: skip
        item.tags.add(tag)
        item_index([item.pk])
    members = User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").exclude(
        knowledge_follows__tag=tag
    )
    Follow.objects.bulk_create(
        [Follow(member_id=pk, tag=tag) for pk in members.values_list("pk", flat=True)],
        batch_size=5000,
        ignore_conflicts=True,
    )


def bench_item_path() -> str:
    from knowledge_factory.models import Item

    return Item.objects.get(title=ITEM_TITLE).get_absolute_url()


def followers_job(member) -> None:
    """Tell the item's 10,000 followers, rolled back."""
    from knowledge_factory.models import Item
    from knowledge_factory.services.follows import item_followers_notify

    item = Item.objects.get(title=ITEM_TITLE)
    with transaction.atomic():
        item_followers_notify(item_id=item.pk)
        transaction.set_rollback(True)
