"""The network calendar (SPEC §2.7): events with an audience tier, kept by community managers
and IPUP coordinators (who run the showcase events and webinars)."""

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ileanet.markdown import render_markdown

from ..audit import audit_log
from ..models import Event, User
from ..roles import Role, is_community_manager, roles_of


def can_manage_events(user) -> bool:
    if not getattr(user, "is_authenticated", False) or user.is_suspended:
        return False
    return is_community_manager(user) or Role.IPUP_COORDINATOR.value in roles_of(user)


def _save(event: Event, fields: dict) -> Event:
    for name, value in fields.items():
        setattr(event, name, value)
    event.description_html = render_markdown(event.description)
    event.full_clean()
    event.save()
    return event


@transaction.atomic
def event_create(*, actor, **fields) -> Event:
    if not can_manage_events(actor):
        raise PermissionDenied
    event = _save(Event(organiser=actor), fields)
    audit_log(actor=actor, action="event.create", target=event)
    return event


@transaction.atomic
def event_update(*, actor, event: Event, **fields) -> Event:
    if not can_manage_events(actor):
        raise PermissionDenied
    event = Event.objects.select_for_update().get(pk=event.pk)
    event.sequence += 1  # calendar apps take an update only when it grows (row locked)
    event = _save(event, fields)
    audit_log(actor=actor, action="event.update", target=event)
    return event


@transaction.atomic
def event_cancel(*, actor, event: Event, reason: str = "") -> Event:
    if not can_manage_events(actor):
        raise PermissionDenied
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.cancelled_at:
        raise ValidationError(_("This event is already cancelled."))
    event.cancelled_at = timezone.now()
    event.sequence += 1
    event.save(update_fields=["cancelled_at", "sequence", "updated_at"])
    audit_log(actor=actor, action="event.cancel", target=event, reason=reason)
    return event


def calendar_token_renew(*, member: User) -> str:
    """A new secret for the member's feed address; the old address stops working."""
    member.calendar_token = secrets.token_urlsafe(32)
    member.save(update_fields=["calendar_token"])
    return member.calendar_token
