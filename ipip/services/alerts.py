"""Follows and project alerts (SPEC §4.3).

Members follow domains and projects; a daily run tells them when a followed project starts,
reaches mid-term, approaches its end, and tells a project's holders, the day after it ends,
which after-project checklist items are not done yet.

**Default follows of LEA members.** A member with a verified LEA affiliation who has no Follow
row at all, and who never saved their choice on the follows page, counts as following the
domains of expertise of their profile (``User.domains``): practitioners hear about projects in
their field without setting anything up. Saving the follows page (even with nothing ticked)
ends the default: the choice is recorded in the audit log (action ``follow.domains_save``),
since a choice of "nothing" leaves no Follow row to tell it by.

**Once, in order, after downtime.** ``project_alerts_run`` covers every day from the day after
the last AlertRun up to today (at most ``CATCH_UP_DAYS``), in date order. For each day it
records one ProjectAlert per (project, milestone) before it notifies — a second run finds the
row sent and does nothing — and notifications are unique per (recipient, key), so a retry
after a crash between the two steps tells nobody twice.

The number of queries for a day does not depend on how many projects are due nor on how many
members follow them: projects, followers, holders and checklist items are read in bulk, and
notifications are written with one bulk insert. notification_send (one recipient at a time) is
therefore not used here; what it checks is applied in bulk instead: the visibility rule for
projects (community.visibility.project_filter) is "every member in good standing", which
``good_standing_filter`` applies to the recipients, and immediate e-mails are queued per new
notification through community.tasks.notification_email_task, which checks the member's
preference and the visibility again when it sends. Members on a digest find the alerts in it.
"""

from collections import defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import DateField, Exists, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from community.audit import audit_log
from community.models import (
    AffiliationType,
    AuditLogEntry,
    Domain,
    EmailFrequency,
    Notification,
    User,
)
from community.visibility import good_standing_filter, project_filter
from ipup.models import ProjectUserObjectPermission, ResearchProject

from ..models import (
    AlertRun,
    ChecklistItem,
    ChecklistStage,
    Follow,
    ItemState,
    ProjectAlert,
    ProjectChecklist,
)

# A run after a long outage covers at most this many days: older milestones are history.
CATCH_UP_DAYS = 60
DOMAINS_SAVED = "follow.domains_save"

Kind = ProjectAlert.Kind


# --- Who may follow, and what ------------------------------------------------------------------


def can_follow(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and not user.is_suspended
    )


def access_followable_project(user, pk) -> ResearchProject:
    """The project ``user`` may follow (and so see): Http404 for missing and forbidden alike."""
    project = (
        ResearchProject.objects.filter(project_filter(user))
        .defer("search_vector", "embedding")
        .filter(pk=pk)
        .first()
    )
    if project is None or not can_follow(user):
        raise Http404
    return project


def lea_default_filter(prefix: str = "") -> Q:
    """Members who follow their profile's domains by default (see the module's docstring)."""
    member = OuterRef(f"{prefix[:-2]}_id" if prefix else "pk")
    return (
        Q(
            **{
                f"{prefix}affiliation_type": AffiliationType.LEA,
                f"{prefix}affiliation_verified_at__isnull": False,
            }
        )
        & ~Exists(Follow.objects.filter(member=member))
        & ~Exists(AuditLogEntry.objects.filter(actor=member, action=DOMAINS_SAVED))
    )


def followed_domain_ids(member: User) -> set[int]:
    """The domains ``member`` follows, their profile's while the LEA default applies."""
    ids = set(
        Follow.objects.filter(member=member, domain__isnull=False).values_list(
            "domain_id", flat=True
        )
    )
    if ids:
        return ids
    if User.objects.filter(lea_default_filter(), pk=member.pk).exists():
        return set(member.domains.values_list("pk", flat=True))
    return set()


def follows_default_applies(member: User) -> bool:
    return User.objects.filter(lea_default_filter(), pk=member.pk).exists()


def is_following(member: User, project: ResearchProject) -> bool:
    return Follow.objects.filter(member=member, project=project).exists()


@transaction.atomic
def follow_domains_save(*, actor: User, domains) -> set[int]:
    """Follow exactly ``domains`` (Domain objects or ids); returns the ids followed."""
    if not can_follow(actor):
        raise PermissionDenied(gettext("You cannot follow domains."))
    wanted = {getattr(domain, "pk", domain) for domain in domains}
    known = set(Domain.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    if known != wanted:
        raise ValidationError(gettext("Choose domains from the list."))
    current = set(
        Follow.objects.filter(member=actor, domain__isnull=False).values_list(
            "domain_id", flat=True
        )
    )
    Follow.objects.filter(member=actor, domain_id__in=current - wanted).delete()
    Follow.objects.bulk_create(
        [Follow(member=actor, domain_id=pk) for pk in sorted(wanted - current)],
        ignore_conflicts=True,
    )
    audit_log(actor=actor, action=DOMAINS_SAVED, target=actor,
              added=sorted(wanted - current), removed=sorted(current - wanted))  # fmt: skip
    return wanted


@transaction.atomic
def follow_project(*, actor: User, project: ResearchProject) -> bool:
    """Follow ``project``; returns whether anything changed."""
    if (
        not can_follow(actor)
        or not ResearchProject.objects.filter(project_filter(actor), pk=project.pk).exists()
    ):
        raise PermissionDenied(gettext("You cannot follow this project."))
    _, created = Follow.objects.get_or_create(member=actor, project=project)
    if created:
        audit_log(actor=actor, action="follow.project", target=project)
    return created


@transaction.atomic
def unfollow_project(*, actor: User, project: ResearchProject) -> bool:
    deleted, _ = Follow.objects.filter(member=actor, project=project).delete()
    if deleted:
        audit_log(actor=actor, action="follow.project_stop", target=project)
    return bool(deleted)


def followed_projects_for(member: User):
    return (
        ResearchProject.objects.filter(project_filter(member), followers__member=member)
        .defer("search_vector", "embedding")
        .order_by("acronym", "title")
    )


# --- Milestones ----------------------------------------------------------------------------------


def lead_days() -> int:
    return settings.IPIP_ALERT_LEAD_DAYS


def milestones(project: ResearchProject, *, lead: int | None = None) -> dict[str, date]:
    """The days a project's alerts are due (those its dates allow)."""
    lead = lead_days() if lead is None else lead
    start, end = project.start_date, project.end_date
    due = {}
    if start:
        due[Kind.START] = start
    if start and end:
        due[Kind.MIDTERM] = start + timedelta(days=(end - start).days // 2)
    if end:
        due[Kind.ENDING] = end - timedelta(days=lead)
        due[Kind.AFTER] = end + timedelta(days=1)
    return due


# The mid-term day computed in the database the way ``milestones`` computes it (date minus date
# is a whole number of days in PostgreSQL; integer division rounds down).
_MIDTERM_SQL = (
    '"ipup_researchproject"."start_date" '
    '+ ("ipup_researchproject"."end_date" - "ipup_researchproject"."start_date") / 2'
)


def projects_due_on(day: date, *, lead: int) -> list[tuple[ResearchProject, str]]:
    """(project, kind) for every milestone due on ``day``, in one query."""
    projects = (
        ResearchProject.objects.only("pk", "acronym", "title", "start_date", "end_date")
        .annotate(midterm=RawSQL(_MIDTERM_SQL, [], output_field=DateField()))  # noqa: S611 (constant SQL)
        .filter(
            Q(start_date=day)
            | Q(midterm=day)
            | Q(end_date=day + timedelta(days=lead))
            | Q(end_date=day - timedelta(days=1))
        )
        .order_by("pk")
    )
    return [
        (project, kind)
        for project in projects
        for kind, when in milestones(project, lead=lead).items()
        if when == day
    ]


def _subject(project: ResearchProject, kind: str, pending: int = 0) -> str:
    name = project.acronym or project.title
    if kind == Kind.START:
        return gettext("%(project)s starts today") % {"project": name}
    if kind == Kind.MIDTERM:
        return gettext("%(project)s is at mid-term") % {"project": name}
    if kind == Kind.ENDING:
        return gettext("%(project)s ends on %(date)s") % {
            "project": name,
            "date": date_format(project.end_date),
        }
    return ngettext(
        "%(project)s has ended: %(count)d after-project checklist item is not done",
        "%(project)s has ended: %(count)d after-project checklist items are not done",
        pending,
    ) % {"project": name, "count": pending}


def _followers(projects: dict[int, ResearchProject]) -> dict[int, set[int]]:
    """Project id -> ids of members in good standing who follow it, its domains, or (LEA
    default) have one of its domains in their profile. Four queries whatever the sizes."""
    ids = list(projects)
    project_domains = defaultdict(set)
    through = ResearchProject.domains.through
    for project_id, domain_id in through.objects.filter(researchproject_id__in=ids).values_list(
        "researchproject_id", "domain_id"
    ):
        project_domains[project_id].add(domain_id)
    domain_ids = set().union(*project_domains.values()) if project_domains else set()

    followers = defaultdict(set)
    for member_id, project_id in Follow.objects.filter(
        good_standing_filter("member__"), project_id__in=ids
    ).values_list("member_id", "project_id"):
        followers[project_id].add(member_id)
    by_domain = defaultdict(set)
    for member_id, domain_id in Follow.objects.filter(
        good_standing_filter("member__"), domain_id__in=domain_ids
    ).values_list("member_id", "domain_id"):
        by_domain[domain_id].add(member_id)
    for member_id, domain_id in (
        User.domains.through.objects.filter(domain_id__in=domain_ids)
        .filter(good_standing_filter("user__") & lea_default_filter("user__"))
        .values_list("user_id", "domain_id")
    ):
        by_domain[domain_id].add(member_id)
    for project_id, domains in project_domains.items():
        for domain_id in domains:
            followers[project_id] |= by_domain[domain_id]
    return followers


def _after_reminders(project_ids: list[int]) -> tuple[dict[int, set[int]], dict[int, int]]:
    """For projects that ended: their holders in good standing, and how many after-project
    items of their adopted checklist are neither done nor marked not applicable (projects
    without a checklist are absent). Four queries whatever the sizes."""
    if not project_ids:
        return {}, {}
    checklists = dict(
        ProjectChecklist.objects.filter(project_id__in=project_ids).values_list(
            "project_id", "template_id"
        )
    )
    items = defaultdict(set)
    for template_id, item_id in ChecklistItem.objects.filter(
        stage__key=ChecklistStage.Key.AFTER, stage__template_id__in=set(checklists.values())
    ).values_list("stage__template_id", "pk"):
        items[template_id].add(item_id)
    finished = defaultdict(set)
    for project_id, item_id in ItemState.objects.filter(
        checklist__project_id__in=list(checklists),
        item__stage__key=ChecklistStage.Key.AFTER,
        status__in=[ItemState.Status.DONE, ItemState.Status.NOT_APPLICABLE],
    ).values_list("checklist__project_id", "item_id"):
        finished[project_id].add(item_id)
    pending = {
        project_id: len(items[template_id] - finished[project_id])
        for project_id, template_id in checklists.items()
    }
    holders = defaultdict(set)
    for user_id, project_id in ProjectUserObjectPermission.objects.filter(
        good_standing_filter("user__"),
        content_object_id__in=[pk for pk, count in pending.items() if count],
        permission__codename="hold_project",
    ).values_list("user_id", "content_object_id"):
        holders[project_id].add(user_id)
    return holders, pending


def alerts_for_day(day: date, *, lead: int | None = None) -> int:
    """Record and send the alerts due on ``day``; returns the number of notifications made."""
    lead = lead_days() if lead is None else lead
    due = projects_due_on(day, lead=lead)
    if not due:
        return 0
    projects = {project.pk: project for project, _ in due}
    ProjectAlert.objects.bulk_create(
        [ProjectAlert(project=project, kind=kind, due_on=day) for project, kind in due],
        ignore_conflicts=True,
    )
    # Locked until this day's transaction commits: a concurrent run waits, then finds them sent.
    wanted = {(project.pk, kind) for project, kind in due}
    unsent = [
        alert
        for alert in ProjectAlert.objects.select_for_update()
        .filter(project_id__in=list(projects), sent_at__isnull=True)
        .order_by("pk")
        if (alert.project_id, alert.kind) in wanted
    ]
    if not unsent:
        return 0
    followers = _followers(projects)
    holders, pending = _after_reminders(
        [alert.project_id for alert in unsent if alert.kind == Kind.AFTER]
    )
    content_type = ContentType.objects.get_for_model(ResearchProject)
    stamp = timezone.now()
    rows = []
    with translation.override(settings.LANGUAGE_CODE):
        for alert in unsent:
            project = projects[alert.project_id]
            if alert.kind == Kind.AFTER:
                recipients = holders.get(project.pk, set())
                subject = _subject(project, alert.kind, pending.get(project.pk, 0))
            else:
                recipients = followers.get(project.pk, set())
                subject = _subject(project, alert.kind)
            alert.sent_at, alert.recipients = stamp, len(recipients)
            link = reverse("ipup:project-detail", args=[project.pk])
            rows += [
                Notification(
                    recipient_id=member_id,
                    kind=Notification.Kind.PROJECT_ALERT,
                    target_type=content_type,
                    target_id=project.pk,
                    subject=subject[:300],
                    link=link,
                    key=f"alert:{project.pk}:{alert.kind}",
                    created_at=stamp,
                )
                for member_id in sorted(recipients)
            ]
    Notification.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    ProjectAlert.objects.bulk_update(unsent, ["sent_at", "recipients"])
    immediate = list(
        Notification.objects.filter(
            kind=Notification.Kind.PROJECT_ALERT,
            created_at=stamp,  # this batch's rows only, not those a retried run left
            recipient__email_frequency=EmailFrequency.IMMEDIATE,
        ).values_list("pk", flat=True)
    )
    if immediate:
        from community.tasks import notification_email_task

        def enqueue():
            for pk in immediate:
                notification_email_task.delay(pk)

        transaction.on_commit(enqueue)
    return len(rows)


def project_alerts_run(*, today: date, lead: int | None = None) -> list[date]:
    """Cover every day from the one after the last run up to ``today``, in order (each day in
    its own transaction, then recorded as run). Returns the days covered."""
    last = AlertRun.objects.order_by("-day").values_list("day", flat=True).first()
    first = today if last is None else last + timedelta(days=1)
    first = max(first, today - timedelta(days=CATCH_UP_DAYS))
    days = []
    day = first
    while day <= today:
        with transaction.atomic():
            alerts_for_day(day, lead=lead)
            AlertRun.objects.get_or_create(day=day)
        days.append(day)
        day += timedelta(days=1)
    return days
