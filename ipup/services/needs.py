"""Challenges and needs (SPEC §3.2): collected, analysed, prioritised, screened, matched.

Every write goes through here (pages and admin alike) so the scope rule, the workflow and the
audit entry hold whichever way a need is changed. A manager changes only needs they may see
(community.visibility.need_filter), and may not give a need an audience they are not part of:
they would lose it from sight the moment it is saved.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from community.audit import audit_log
from community.models import Domain, Thread
from community.tiers import Tier
from community.visibility import access_thread

from ..models import Need
from ..permissions import can_manage_needs, in_need_audience

# What a manager may set on a need; the status moves only through need_status_change, the
# priority only through a ranking (ipup.services.ranking).
EDITABLE = frozenset(
    {
        "title",
        "description",
        "domains",
        "source",
        "policy_references",
        "research_answerable",
        "out_of_scope_reason",
        "tier",
    }
)


NOT_IN_AUDIENCE = _lazy("You are not in this audience: you could no longer see or manage the need.")


def _require_manager(actor, need: Need | None = None) -> None:
    if not can_manage_needs(actor):
        raise PermissionDenied
    if need is not None and not Need.objects.visible_to(actor).filter(pk=need.pk).exists():
        raise PermissionDenied


def _save(need: Need, fields: dict, domains: Iterable[Domain] | None, *, actor) -> Need:
    unknown = set(fields) - EDITABLE - {"source_thread", "room"}
    if unknown:
        raise TypeError(f"not editable on a need: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(need, name, value)
    # The reason says what answers the need instead of research: it means nothing for a need
    # research can answer, and is required for one it cannot (the catalogue shows it).
    errors = {}
    if need.research_answerable:
        need.out_of_scope_reason = ""
    elif not need.out_of_scope_reason:
        errors["out_of_scope_reason"] = [_("Say what answers this need instead of research.")]
    domains = None if domains is None else list(domains)
    if domains is not None and not domains:
        errors["domains"] = [_("Choose at least one domain.")]
    if not in_need_audience(actor, need):
        errors["tier"] = [NOT_IN_AUDIENCE]
    try:
        # (created_by is the system's to set, and empty on needs from imports and seeds)
        need.full_clean(exclude=["domains", "created_by"])
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    need.save()
    if domains is not None:
        need.domains.set(domains)
    return need


@transaction.atomic
def need_create(
    *,
    actor,
    title: str,
    domains: Iterable[Domain],
    source: str,
    description: str = "",
    policy_references: str = "",
    research_answerable: bool = True,
    out_of_scope_reason: str = "",
    tier: str = Tier.MEMBERS,
) -> Need:
    _require_manager(actor)
    fields = {
        "title": title, "description": description, "source": source,
        "policy_references": policy_references, "research_answerable": research_answerable,
        "out_of_scope_reason": out_of_scope_reason, "tier": tier,
    }  # fmt: skip
    need = _save(Need(created_by=actor), fields, domains, actor=actor)
    audit_log(actor=actor, action="need.create", target=need)
    return need


@transaction.atomic
def need_update(*, actor, need: Need, **fields) -> Need:
    """Change any of ``EDITABLE`` (others raise TypeError: the status has its workflow)."""
    _require_manager(actor, need)
    need = Need.objects.select_for_update().get(pk=need.pk)
    domains = fields.pop("domains", None)
    changed = sorted(name for name, value in fields.items() if getattr(need, name) != value)
    need = _save(need, fields, domains, actor=actor)
    audit_log(
        actor=actor,
        action="need.update",
        target=need,
        changed=changed + (["domains"] if domains is not None else []),
    )
    return need


@transaction.atomic
def need_status_change(*, actor, need: Need, status: str, reason: str = "") -> Need:
    """Move ``need`` one step along the workflow (``Need.TRANSITIONS``); anything else is
    refused with a ValidationError and nothing changes."""
    _require_manager(actor, need)
    need = Need.objects.select_for_update().get(pk=need.pk)
    if status not in Need.Status.values:
        raise ValidationError(_("“%(status)s” is not a status of a need.") % {"status": status})
    if status == need.status or not need.can_move_to(status):
        raise ValidationError(
            _("A need cannot go from “%(current)s” to “%(next)s”.")
            % {"current": need.get_status_display(), "next": Need.Status(status).label}
        )
    previous = need.status
    need.status = status
    need.save(update_fields=["status", "updated_at"])
    audit_log(
        actor=actor,
        action="need.status",
        target=need,
        reason=reason[:500],
        previous=previous,
        new=status,
    )
    return need


@transaction.atomic
def need_from_thread(
    *,
    actor,
    thread: Thread,
    title: str,
    description: str = "",
    domains: Iterable[Domain] | None = None,
    research_answerable: bool = True,
    out_of_scope_reason: str = "",
    policy_references: str = "",
) -> Need:
    """A need raised in a discussion. It keeps the thread and, for good, the thread's room: the
    need is read only by who may read that room (a private room's members and moderators), and
    by tier as the room was (community.visibility.need_filter). The title is the recorder's to
    write, never taken from the thread: a need travels further than its discussion (into
    surveys, rankings and their exports). The domains default to the room's domain."""
    _require_manager(actor)
    # Re-read through the visibility rule: a manager records needs only from what they can see.
    thread = access_thread(actor, thread.pk)
    if domains is None:
        domains = [thread.room.domain] if thread.room.domain_id else []
    fields = {
        "title": title,
        "description": description or "",
        "source": Need.Source.COMMUNITY,
        "source_thread": thread,
        "room": thread.room,
        "tier": thread.room.tier,
        "research_answerable": research_answerable,
        "out_of_scope_reason": out_of_scope_reason,
        "policy_references": policy_references,
    }
    need = _save(Need(created_by=actor), fields, domains, actor=actor)
    audit_log(actor=actor, action="need.create", target=need, thread=thread.pk)
    return need
