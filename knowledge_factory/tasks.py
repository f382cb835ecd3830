"""Knowledge Factory jobs (thin: load by id, call a service)."""

from celery import shared_task


@shared_task(
    autoretry_for=(OSError,), retry_backoff=True, max_retries=3,
    time_limit=600, soft_time_limit=570,
)  # fmt: skip
def item_followers_notify_task(item_id: int) -> int:
    """Tell the followers of a newly published item's tags and domains who may read it."""
    from .services.follows import item_followers_notify

    return item_followers_notify(item_id=item_id)


@shared_task(
    autoretry_for=(OSError,), retry_backoff=True, max_retries=3,
    time_limit=300, soft_time_limit=270,
)  # fmt: skip
def newsletter_draft_task() -> int | None:
    """On the 1st of each month: the draft newsletter for the month before, and a word to the
    knowledge managers (idempotent: one newsletter per period)."""
    from .services.newsletters import newsletter_monthly_draft

    newsletter = newsletter_monthly_draft()
    return newsletter.pk if newsletter else None
