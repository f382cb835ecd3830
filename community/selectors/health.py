"""Community health figures for managers (SPEC §2.7). Each figure is one aggregate query, so
the dashboard costs the same whatever the number of members, rooms or posts."""

from datetime import timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from ..models import Post, Room, Thread, User
from .members import membership_queue_counts

MONTHS = 12
UNANSWERED_AFTER = timedelta(hours=48)


def health_months(now) -> list:
    """The first day of each of the last MONTHS months, oldest first, in the current time
    zone: TruncMonth cuts months there too, so the buckets and the labels agree."""
    first = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    months = [first]
    for _ in range(MONTHS - 1):
        months.append((months[-1] - timedelta(days=1)).replace(day=1))
    return list(reversed(months))


def _per_month(rows, months) -> list[int]:
    counts = {row["month"].date(): row["n"] for row in rows}
    return [counts.get(month.date(), 0) for month in months]


def community_health(manager) -> dict:
    now = timezone.now()
    months = health_months(now)
    start = months[0]
    joined = (
        User.objects.filter(date_joined__gte=start, deleted_at__isnull=True)
        .annotate(month=TruncMonth("date_joined"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    # Active: wrote at least one post that month (reading leaves no trace worth keeping).
    active = (
        Post.objects.filter(created_at__gte=start)
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(n=Count("author", distinct=True))
        .order_by()
    )
    recent = now - timedelta(days=30)
    rooms = (
        Room.objects.visible_to(manager)
        .annotate(
            posts_total=Count("threads__posts", filter=Q(threads__posts__is_hidden=False)),
            posts_recent=Count(
                "threads__posts",
                filter=Q(threads__posts__is_hidden=False, threads__posts__created_at__gte=recent),
            ),
        )
        .order_by("-posts_recent", "name")
        .values("slug", "name", "posts_total", "posts_recent")
    )
    unanswered = Thread.objects.visible_to(manager).filter(
        post_count=1, merged_into__isnull=True, created_at__lt=now - UNANSWERED_AFTER
    )
    attention = membership_queue_counts()
    labels = [m.strftime("%Y-%m") for m in months]
    joined, active = _per_month(joined, months), _per_month(active, months)
    return {
        "months": labels,
        "joined": joined,
        "active": active,
        "table_months": list(zip(labels, joined, active, strict=True)),
        "rooms": list(rooms),
        "unanswered_count": unanswered.count(),
        "unanswered_oldest": list(unanswered.select_related("room").order_by("created_at")[:10]),
        "pending_applications": attention["pending_applications"],
        "awaiting_verification": attention["awaiting_verification"],
        "open_invitations": attention["open_invitations"],
        "surveys": survey_response_rates(),
    }


def survey_response_rates(limit: int = 10) -> list[dict]:
    """The latest surveys' response rates (IPUP's survey engine)."""
    from ipup.selectors import response_rate_totals, survey_list_with_rates

    return response_rate_totals(survey_list_with_rates().filter(published_at__isnull=False)[:limit])
