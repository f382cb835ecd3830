"""Bench data and job for the project alerts (issue 14): 10,000 members who follow research
projects (two each) and a domain (one each), and the timed daily run on the day on which most
of the bench's 10,000 projects start (bench/dataset.py makes them).

Idempotent: the followers are found by their e-mail domain. Written with bulk inserts, not the
services: the bench measures the alert run. The job runs in a transaction it rolls back, so it
leaves no alert, notification or run record behind (and queues no e-mail).
"""

import os

from django.db import transaction

FOLLOWERS = int(os.environ.get("BENCH_FOLLOWERS", "10000"))
EMAIL_DOMAIN = "alerts.bench.invalid"


@transaction.atomic
def ensure_followers_dataset() -> None:
    from community.models import Domain, User
    from ipip.models import Follow
    from ipup.models import ResearchProject

    existing = User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").count()
    if existing >= FOLLOWERS:
        return
    User.objects.bulk_create(
        [
            User(
                email=f"follower{n}@{EMAIL_DOMAIN}",
                handle=f"bench-follower-{n}",
                first_name="Bench",
                last_name=f"Follower {n}",
                password="!",
            )
            for n in range(existing, FOLLOWERS)
        ],
        batch_size=2000,
    )
    members = list(
        User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}")
        .exclude(follows__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    projects = list(ResearchProject.objects.order_by("pk").values_list("pk", flat=True))
    domains = list(Domain.objects.order_by("pk").values_list("pk", flat=True))
    follows = []
    for n, member in enumerate(members):
        follows.append(Follow(member_id=member, domain_id=domains[n % len(domains)]))
        if projects:
            first, second = projects[n % len(projects)], projects[(n * 7 + 3) % len(projects)]
            follows.append(Follow(member_id=member, project_id=first))
            if second != first:
                follows.append(Follow(member_id=member, project_id=second))
    Follow.objects.bulk_create(follows, batch_size=5000, ignore_conflicts=True)


def busiest_start_day():
    from django.db.models import Count

    from ipup.models import ResearchProject

    row = (
        ResearchProject.objects.exclude(start_date=None)
        .values("start_date")
        .annotate(n=Count("pk"))
        .order_by("-n", "start_date")
        .first()
    )
    return row["start_date"] if row else None


def alerts_job(member) -> None:
    """The daily alert run on the busiest start day, rolled back."""
    from ipip.models import AlertRun, ProjectAlert
    from ipip.services.alerts import project_alerts_run

    day = busiest_start_day()
    with transaction.atomic():
        AlertRun.objects.all().delete()
        ProjectAlert.objects.filter(due_on=day).delete()
        project_alerts_run(today=day)
        transaction.set_rollback(True)
