"""Celery tasks of the Project Intake Process."""

from celery import shared_task
from django.utils import timezone


# Safe to retry: a day's alerts are recorded before anyone is told, and told once per key.
@shared_task(
    autoretry_for=(OSError,), retry_backoff=True, max_retries=3,
    time_limit=1800, soft_time_limit=1750,
)  # fmt: skip
def project_alerts_task() -> int:
    """Daily (beat entry "project-alerts"): the project alerts due since the last run."""
    from .services.alerts import project_alerts_run

    return len(project_alerts_run(today=timezone.localdate()))
