"""Challenges and needs (SPEC §3.2): collected, analysed, prioritised, screened, matched."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from community.audit import audit_log
from community.tiers import Tier
from community.visibility import access_thread

from ..models import Need
from ..permissions import can_manage_needs


def _require_manager(actor) -> None:
    if not can_manage_needs(actor):
        raise PermissionDenied


def _save(need: Need, fields: dict) -> Need:
    domains = fields.pop("domains", None)
    for name, value in fields.items():
        setattr(need, name, value)
    if need.research_answerable:
        need.out_of_scope_reason = ""
    elif not need.out_of_scope_reason:
        raise ValidationError(
            {"out_of_scope_reason": _("Say what answers this need instead of research.")}
        )
    need.full_clean(exclude=["domains"])
    need.save()
    if domains is not None:
        if not domains:
            raise ValidationError({"domains": _("Choose at least one domain.")})
        need.domains.set(domains)
    return need


@transaction.atomic
def need_create(*, actor, **fields) -> Need:
    _require_manager(actor)
    need = _save(Need(created_by=actor), fields)
    audit_log(actor=actor, action="need.create", target=need)
    return need


@transaction.atomic
def need_update(*, actor, need: Need, **fields) -> Need:
    _require_manager(actor)
    fields.pop("status", None)  # the workflow moves it (need_status_change)
    need = _save(need, fields)
    audit_log(actor=actor, action="need.update", target=need)
    return need


@transaction.atomic
def need_status_change(*, actor, need: Need, status: str, reason: str = "") -> Need:
    _require_manager(actor)
    need = Need.objects.select_for_update().get(pk=need.pk)
    if status not in Need.Status.values or not need.can_move_to(status):
        raise ValidationError(
            _("A need cannot go from “%(current)s” to “%(next)s”.")
            % {"current": need.get_status_display(), "next": status}
        )
    previous = need.status
    need.status = status
    need.save(update_fields=["status", "updated_at"])
    audit_log(
        actor=actor, action="need.status", target=need, reason=reason, previous=previous, new=status
    )
    return need


@transaction.atomic
def need_from_thread(*, actor, thread_id: int, **fields) -> Need:
    """A need raised in a discussion keeps its thread and the thread room's audience: a need
    from an LEA-only room stays LEA-only. A private room has no tier of its own that could
    say who else may read it, so its needs are kept to LEA members at most."""
    _require_manager(actor)
    thread = access_thread(actor, thread_id)
    tier = thread.room.tier
    if thread.room.is_private and tier in (Tier.MEMBERS, Tier.PUBLIC):
        tier = Tier.LEA
    fields |= {"source": Need.Source.COMMUNITY, "source_thread": thread, "tier": tier}
    need = _save(Need(created_by=actor), fields)
    audit_log(actor=actor, action="need.create", target=need, thread=thread.pk)
    return need
