"""Showcase events and targeted webinars (SPEC §3.8): their creation on the network calendar,
the agenda of approved project presentations, registration with capacity and waiting list,
attendance and the day-before reminder.

Who runs events is the calendar's rule (community.services.calendar.can_manage_events: community
managers and IPUP coordinators). Who may register is who may see the calendar event
(``Event.objects.visible_to``). Places are counted under a lock on the showcase row, so two
registrations for the last place cannot both take it.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from community.audit import audit_log
from community.models import Event, Notification, User
from community.services.calendar import can_manage_events, event_create, event_update
from community.services.notifications import notification_send
from community.visibility import can_read_tier

from ..models import (
    AgendaItem,
    AudienceCategory,
    DocumentKind,
    EventRegistration,
    ProjectDocument,
    ResearchProject,
    ShowcaseEvent,
)
from ..models.events import DEFAULT_FOLLOW_UP_THRESHOLD, categories_open_to
from .documents import is_presentable

Status = EventRegistration.Status
# The day-before reminder goes to events starting within this window (the task runs hourly).
REMINDER_AHEAD = timedelta(hours=24)


def showcase_link(showcase: ShowcaseEvent) -> str:
    return reverse("ipup:showcase-detail", args=[showcase.pk])


def _require_manager(actor) -> None:
    if not can_manage_events(actor):
        raise PermissionDenied(_("Only community managers and IPUP coordinators run events."))


def missing_documents(project: ResearchProject) -> list[str]:
    """The names of the project's documents that have no approved version yet."""
    approved = set(
        ProjectDocument.objects.filter(project=project, approved_version__isnull=False).values_list(
            "kind", flat=True
        )
    )
    return [str(kind.label) for kind in DocumentKind if kind.value not in approved]


def _check_presentable(project: ResearchProject) -> None:
    if is_presentable(project):
        return
    raise ValidationError(
        _("%(project)s cannot be put on an agenda: %(missing)s not approved.")
        % {
            "project": project.acronym or project.title,
            "missing": ", ".join(missing_documents(project)),
        }
    )


def _check_settings(*, starts_at, ends_at, capacity, categories, registration_closes_at,
                    follow_up_threshold) -> None:  # fmt: skip
    errors = {}
    if starts_at and ends_at and ends_at < starts_at:
        errors["ends_at"] = _("The event must end after it starts.")
    if registration_closes_at and starts_at and registration_closes_at > starts_at:
        errors["registration_closes_at"] = _("Registration must close before the event starts.")
    if capacity is not None and capacity < 1:
        errors["capacity"] = _("An event needs at least one place (or leave it empty: no limit).")
    if not categories:
        errors["categories"] = _("Choose at least one audience category.")
    elif set(categories) - set(AudienceCategory.values):
        errors["categories"] = _("Unknown audience category.")
    if follow_up_threshold is not None and not 0 <= follow_up_threshold <= 100:
        errors["follow_up_threshold"] = _("The threshold is a score between 0 and 100.")
    if errors:
        raise ValidationError(errors)


def _promote_waiting(showcase: ShowcaseEvent, *, actor) -> list[EventRegistration]:
    """Fill free places from the waiting list, first come first served (showcase row locked
    by the caller), and tell each promoted member."""
    waiting = showcase.registrations.filter(status=Status.WAITING).select_related("member")
    if showcase.capacity is not None:
        taken = showcase.registrations.filter(status=Status.REGISTERED).count()
        waiting = waiting[: max(showcase.capacity - taken, 0)]
    promoted = list(waiting)
    event = showcase.event
    for registration in promoted:
        registration.status = Status.REGISTERED
        registration.save(update_fields=["status"])
        audit_log(
            actor=actor, action="showcase.promote", target=showcase,
            member=registration.member_id,
        )  # fmt: skip
        notification_send(
            recipient=registration.member,
            kind=Notification.Kind.EVENT,
            target=event,
            subject=_("A place is free for you at %(event)s: you are registered.")
            % {"event": event.title},
            link=showcase_link(showcase),
            key=f"event:{event.pk}:promoted:{registration.member_id}",
        )
    return promoted


def _locked(showcase: ShowcaseEvent) -> ShowcaseEvent:
    return ShowcaseEvent.objects.select_for_update().select_related("event").get(pk=showcase.pk)


def _check_audience(actor: User, tier: str | None) -> None:
    if tier and not can_read_tier(actor, tier):
        raise ValidationError(
            {"tier": _("Choose an audience you are part of: you could not see this event.")}
        )


@transaction.atomic
def showcase_create(*, actor: User, format: str, project: ResearchProject | None = None,
                    capacity: int | None, categories: list[str],
                    registration_closes_at=None,
                    follow_up_threshold: int = DEFAULT_FOLLOW_UP_THRESHOLD,
                    follow_up_of: ShowcaseEvent | None = None,
                    **event_fields) -> ShowcaseEvent:  # fmt: skip
    """A showcase event (several projects) or a targeted webinar (one project, put on its
    agenda) on the network calendar."""
    _require_manager(actor)
    if format not in ShowcaseEvent.Format.values:
        raise ValidationError({"format": _("Unknown format.")})
    _check_audience(actor, event_fields.get("tier"))
    # A follow-up of an event the organiser may not see is refused like a missing one.
    if follow_up_of is not None and not (
        Event.objects.visible_to(actor).filter(pk=follow_up_of.event_id).exists()
    ):
        raise ValidationError(_("The event this one follows up was not found."))
    _check_settings(
        starts_at=event_fields.get("starts_at"), ends_at=event_fields.get("ends_at"),
        capacity=capacity, categories=categories, registration_closes_at=registration_closes_at,
        follow_up_threshold=follow_up_threshold,
    )  # fmt: skip
    webinar = format == ShowcaseEvent.Format.WEBINAR
    if webinar:
        if project is None:
            raise ValidationError({"project": _("A webinar presents one project: choose it.")})
        _check_presentable(project)
    else:
        project = None
    kind = Event.Kind.WEBINAR if webinar else Event.Kind.SHOWCASE
    event = event_create(actor=actor, kind=kind, **event_fields)
    showcase = ShowcaseEvent(
        event=event, format=format, project=project, capacity=capacity,
        categories=list(categories), registration_closes_at=registration_closes_at,
        follow_up_threshold=follow_up_threshold, follow_up_of=follow_up_of,
    )  # fmt: skip
    showcase.full_clean(exclude=["event"])
    showcase.save()
    if webinar:
        AgendaItem.objects.create(
            showcase=showcase, project=project, position=1, starts_at=event.starts_at,
            added_by=actor,
        )  # fmt: skip
    audit_log(
        actor=actor, action="showcase.create", target=showcase, format=format,
        project=project.pk if project else None,
    )  # fmt: skip
    return showcase


@transaction.atomic
def showcase_update(*, actor: User, showcase: ShowcaseEvent, capacity: int | None,
                    categories: list[str], registration_closes_at=None,
                    follow_up_threshold: int = DEFAULT_FOLLOW_UP_THRESHOLD,
                    **event_fields) -> ShowcaseEvent:  # fmt: skip
    """Change the event and its registration settings (not its format or webinar project).
    More places promote members from the waiting list."""
    _require_manager(actor)
    showcase = _locked(showcase)
    _check_audience(actor, event_fields.get("tier", showcase.event.tier))
    _check_settings(
        starts_at=event_fields.get("starts_at", showcase.event.starts_at),
        ends_at=event_fields.get("ends_at", showcase.event.ends_at),
        capacity=capacity, categories=categories, registration_closes_at=registration_closes_at,
        follow_up_threshold=follow_up_threshold,
    )  # fmt: skip
    event_fields.pop("kind", None)
    showcase.event = event_update(actor=actor, event=showcase.event, **event_fields)
    showcase.capacity = capacity
    showcase.categories = list(categories)
    showcase.registration_closes_at = registration_closes_at
    showcase.follow_up_threshold = follow_up_threshold
    showcase.full_clean(exclude=["event"])
    showcase.save(
        update_fields=["capacity", "categories", "registration_closes_at", "follow_up_threshold"]
    )
    audit_log(actor=actor, action="showcase.update", target=showcase)
    _promote_waiting(showcase, actor=actor)
    return showcase


# --- Agenda ----------------------------------------------------------------------------------


@transaction.atomic
def agenda_add(*, actor: User, showcase: ShowcaseEvent, project: ResearchProject,
               starts_at=None, presenter: str = "") -> AgendaItem:  # fmt: skip
    """Put ``project`` on the agenda: only a project whose three documents are approved; a
    webinar presents only its own project."""
    _require_manager(actor)
    showcase = _locked(showcase)
    if showcase.format == ShowcaseEvent.Format.WEBINAR and project.pk != showcase.project_id:
        raise ValidationError(_("A webinar presents its one project only."))
    if showcase.agenda.filter(project=project).exists():
        raise ValidationError(_("This project is already on the agenda."))
    _check_presentable(project)
    event = showcase.event
    if starts_at and not event.starts_at <= starts_at <= event.ends_at:
        raise ValidationError({"starts_at": _("A presentation takes place during the event.")})
    last = showcase.agenda.aggregate(last=Max("position"))["last"] or 0
    item = AgendaItem(
        showcase=showcase, project=project, position=last + 1, starts_at=starts_at,
        presenter=presenter, added_by=actor,
    )  # fmt: skip
    item.full_clean()
    item.save()
    audit_log(actor=actor, action="showcase.agenda_add", target=showcase, project=project.pk)
    return item


@transaction.atomic
def agenda_remove(*, actor: User, item: AgendaItem) -> None:
    _require_manager(actor)
    showcase = _locked(item.showcase)
    if showcase.format == ShowcaseEvent.Format.WEBINAR and item.project_id == showcase.project_id:
        raise ValidationError(_("A webinar keeps its project on the agenda."))
    project_id = item.project_id
    item.delete()
    audit_log(actor=actor, action="showcase.agenda_remove", target=showcase, project=project_id)


@transaction.atomic
def agenda_move(*, actor: User, item: AgendaItem, up: bool) -> None:
    """Swap the presentation with the one before (``up``) or after it."""
    _require_manager(actor)
    showcase = _locked(item.showcase)
    items = list(showcase.agenda.order_by("position", "id"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(items):
        return
    items[index], items[other] = items[other], items[index]
    for position, each in enumerate(items, start=1):
        if each.position != position:
            each.position = position
            each.save(update_fields=["position"])
    audit_log(actor=actor, action="showcase.agenda_move", target=showcase, project=item.project_id)


# --- Registration ----------------------------------------------------------------------------


def registration_closed_reason(showcase: ShowcaseEvent, *, now=None) -> str:
    """Why nobody can register now, or "" while registration is open."""
    now = now or timezone.now()
    event = showcase.event
    if event.cancelled_at:
        return _("This event is cancelled.")
    if now >= event.starts_at:
        return _("This event has started: registration is closed.")
    if showcase.registration_closes_at and now >= showcase.registration_closes_at:
        return _("Registration closed on %(date)s.") % {
            "date": date_format(
                timezone.localtime(showcase.registration_closes_at), "DATETIME_FORMAT"
            )
        }
    return ""


@transaction.atomic
def registration_create(*, member: User, showcase: ShowcaseEvent,
                        category: str) -> EventRegistration:  # fmt: skip
    """Register ``member``; beyond capacity they join the waiting list. Registering again
    returns the registration they have."""
    if not Event.objects.visible_to(member).filter(pk=showcase.event_id).exists():
        raise PermissionDenied
    showcase = _locked(showcase)
    registration = showcase.registrations.filter(member=member).first()
    if registration is not None and registration.status != Status.CANCELLED:
        return registration
    reason = registration_closed_reason(showcase)
    if reason:
        raise ValidationError(reason)
    if category not in showcase.categories:
        raise ValidationError({"category": _("This event is not open to that audience category.")})
    if category not in categories_open_to(member):
        raise ValidationError(
            {"category": _("Your verified affiliation does not belong to that audience category.")}
        )
    full = (
        showcase.capacity is not None
        and showcase.registrations.filter(status=Status.REGISTERED).count() >= showcase.capacity
    )
    status = Status.WAITING if full else Status.REGISTERED
    if registration is None:
        registration = EventRegistration(showcase=showcase, member=member)
    registration.category = category
    registration.status = status
    registration.registered_at = timezone.now()  # back of the queue after a cancellation
    registration.full_clean(exclude=["showcase", "member"])
    registration.save()
    audit_log(actor=member, action="showcase.register", target=showcase, status=status)
    return registration


@transaction.atomic
def registration_cancel(*, actor: User, registration: EventRegistration) -> EventRegistration:
    """The member (or an organiser) cancels; a freed place goes to the first on the waiting
    list."""
    if actor.pk != registration.member_id and not can_manage_events(actor):
        raise PermissionDenied
    showcase = _locked(registration.showcase)
    registration = EventRegistration.objects.select_for_update().get(pk=registration.pk)
    if registration.status == Status.CANCELLED:
        return registration
    if timezone.now() >= showcase.event.starts_at:
        raise ValidationError(_("This event has started: registrations can no longer change."))
    freed = registration.status == Status.REGISTERED
    registration.status = Status.CANCELLED
    registration.save(update_fields=["status"])
    audit_log(
        actor=actor, action="showcase.unregister", target=showcase,
        member=registration.member_id,
    )  # fmt: skip
    if freed:
        _promote_waiting(showcase, actor=actor)
    return registration


def waiting_position(registration: EventRegistration) -> int | None:
    """1 for the first on the waiting list."""
    if registration.status != Status.WAITING:
        return None
    return (
        EventRegistration.objects.filter(
            showcase_id=registration.showcase_id,
            status=Status.WAITING,
            registered_at__lte=registration.registered_at,
        )
        .exclude(registered_at=registration.registered_at, pk__gt=registration.pk)
        .count()
    )


# --- Attendance and reminders ----------------------------------------------------------------


@transaction.atomic
def attendance_mark(*, actor: User, showcase: ShowcaseEvent, registration_ids,
                    attended: bool = True) -> int:  # fmt: skip
    """Record who attended: only registered participants (not the waiting list), only once
    the event has started. Any other id refuses the whole request."""
    _require_manager(actor)
    showcase = _locked(showcase)
    if showcase.event.cancelled_at:
        raise ValidationError(_("This event is cancelled."))
    if timezone.now() < showcase.event.starts_at:
        raise ValidationError(_("Attendance can be marked once the event has started."))
    ids = {int(pk) for pk in registration_ids}
    registrations = showcase.registrations.filter(pk__in=ids, status=Status.REGISTERED)
    if registrations.count() != len(ids):
        raise ValidationError(_("Only registered participants can be marked as attending."))
    changed = registrations.exclude(attended=attended).update(
        attended=attended, attendance_marked_by=actor
    )
    if changed:
        audit_log(
            actor=actor, action="showcase.attendance", target=showcase, attended=attended,
            registrations=sorted(ids),
        )  # fmt: skip
    return changed


def showcase_reminders(*, now=None) -> int:
    """The day before an event, one notification per registered participant; a registration
    reminded once is never reminded again (its ``reminded_at`` and the notification key)."""
    now = now or timezone.now()
    showcases = ShowcaseEvent.objects.filter(
        event__cancelled_at__isnull=True,
        event__starts_at__gt=now,
        event__starts_at__lte=now + REMINDER_AHEAD,
    ).select_related("event")
    sent = 0
    for showcase in showcases:
        event = showcase.event
        with transaction.atomic():
            pending = (
                showcase.registrations.select_for_update(of=("self",))
                .filter(status=Status.REGISTERED, reminded_at__isnull=True)
                .select_related("member")
            )
            for registration in pending:
                if notification_send(
                    recipient=registration.member,
                    kind=Notification.Kind.EVENT,
                    target=event,
                    subject=_("Reminder: %(event)s starts on %(date)s.")
                    % {
                        "event": event.title,
                        "date": date_format(timezone.localtime(event.starts_at), "DATETIME_FORMAT"),
                    },
                    link=showcase_link(showcase),
                    key=f"event:{event.pk}:reminder",
                ):
                    sent += 1
                registration.reminded_at = now
                registration.save(update_fields=["reminded_at"])
            ShowcaseEvent.objects.filter(pk=showcase.pk).update(reminder_sent_at=now)
    return sent
