"""Celery tasks of IPUP: thin, idempotent (see ipup.services.surveys)."""

from celery import shared_task
from django.utils import timezone

from community.tasks import RETRY


@shared_task(**RETRY, time_limit=3600, soft_time_limit=3500)
def survey_invitations_send_task(survey_id: int) -> dict:
    from .services.surveys import invitations_send

    return invitations_send(survey_id=survey_id)


@shared_task(**RETRY, time_limit=3600, soft_time_limit=3500)
def survey_reminders_send_task(survey_id: int) -> dict:
    from .services.surveys import reminders_send

    return reminders_send(survey_id=survey_id)


@shared_task(time_limit=300, soft_time_limit=280)
def survey_reminders_dispatch_task() -> int:
    """Scheduled by Celery beat: the reminders due in every open survey."""
    from .services.surveys import open_surveys

    ids = list(open_surveys().values_list("pk", flat=True))
    for survey_id in ids:
        survey_reminders_send_task.delay(survey_id)
    return len(ids)


@shared_task(time_limit=300, soft_time_limit=280)
def anonymous_drafts_delete_task() -> int:
    """Scheduled by Celery beat: an anonymous survey that closed by its date (nobody pressed
    "close") loses the drafts still linked to invitees within the hour."""
    from .services.responses import anonymous_drafts_delete

    return anonymous_drafts_delete()


@shared_task(**RETRY, time_limit=3600, soft_time_limit=3500)
def contacts_round_task() -> dict:
    """Scheduled by Celery beat (weekly): ask the research projects' stale points of contact to
    confirm their details (ipup.services.contacts); a retry sends nothing twice."""
    from .services.contacts import contacts_round_start

    return contacts_round_start(today=timezone.localdate())


@shared_task(**RETRY, time_limit=600, soft_time_limit=580)
def contact_checks_send_task() -> dict:
    """Send the contact checks still pending (a coordinator's reminder)."""
    from .services.contacts import contact_checks_send

    return contact_checks_send()


@shared_task(**RETRY, time_limit=600, soft_time_limit=580)
def project_embeddings_task(project_ids: list[int]) -> int:
    """Queued by ipup.services.projects.projects_imported after an import or an edit commits."""
    from .services.screening import projects_embed

    return projects_embed(project_ids)


@shared_task(**RETRY, time_limit=300, soft_time_limit=280)
def project_pdfs_render_task(project_id: int) -> int:
    """Render the project's approved documents and presentation pack to PDF (ipup.pdfs) and
    keep them until an approval changes what they show."""
    from .pdfs import project_pdfs_render

    return project_pdfs_render(project_id)


@shared_task(**RETRY, time_limit=600, soft_time_limit=580)
def showcase_reminders_task() -> int:
    """Scheduled by Celery beat (hourly): the day-before reminder of showcase events and
    webinars to their registered participants; a retry reminds nobody twice."""
    from .services.events import showcase_reminders

    return showcase_reminders()
