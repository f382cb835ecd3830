"""Writes on the IPIP checklist (SPEC §4): versions of the template, a project's adoption of a
version, and the state of each of its items.

A published version is frozen: coordinators change the checklist by drafting the next version
(a copy keeping every item's key), editing the draft and publishing it. A project keeps the
version it adopted until one of its holders or a coordinator adopts a newer one.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from community.audit import audit_log
from community.models import User
from community.services.forum import attachments_check
from ipup.models import ResearchProject
from ipup.permissions import can_manage_projects, holds_project

from ..models import (
    ChecklistItem,
    ChecklistStage,
    ChecklistTemplate,
    ItemState,
    ProjectChecklist,
)

CARRIED_FIELDS = ("status", "owner", "reason", "evidence_note", "evidence_link", "evidence_file")


def can_write_checklist(user, project) -> bool:
    """The project's holders and the coordinators fill in a project's checklist."""
    return can_manage_projects(user) or holds_project(user, project)


def _require_coordinator(actor: User) -> None:
    if not can_manage_projects(actor):
        raise PermissionDenied(_("Only IPUP coordinators may change the checklist template."))


def _require_draft(template: ChecklistTemplate) -> None:
    if template.published_at is not None:
        raise ValidationError(
            _("Version %(n)d is published and can no longer be changed: draft a new version.")
            % {"n": template.version}
        )


def latest_published() -> ChecklistTemplate | None:
    return ChecklistTemplate.objects.filter(published_at__isnull=False).order_by("-version").first()


@transaction.atomic
def template_draft_create(
    *, actor: User, from_version: ChecklistTemplate | None = None
) -> ChecklistTemplate:
    """The next version as a draft: a copy of ``from_version`` (default: the latest published)
    with the same stages and item keys."""
    _require_coordinator(actor)
    if ChecklistTemplate.objects.select_for_update().filter(published_at__isnull=True).exists():
        raise ValidationError(_("A draft version already exists: edit or publish it first."))
    source = from_version or latest_published()
    number = (ChecklistTemplate.objects.aggregate(n=Max("version"))["n"] or 0) + 1
    draft = ChecklistTemplate.objects.create(
        version=number,
        title=source.title if source else _("IPIP checklist"),
        created_by=actor,
    )
    if source is not None:
        for stage in source.stages.prefetch_related("items"):
            copy = ChecklistStage.objects.create(
                template=draft, key=stage.key, position=stage.position
            )
            ChecklistItem.objects.bulk_create(
                ChecklistItem(
                    stage=copy,
                    key=item.key,
                    topic=item.topic,
                    text=item.text,
                    help_text=item.help_text,
                    position=item.position,
                )
                for item in stage.items.all()
            )
    audit_log(
        actor=actor,
        action="ipip.template_draft_create",
        target=draft,
        source=source.version if source else None,
    )
    return draft


def _new_key(template: ChecklistTemplate, text: str) -> str:
    """A key no version has used: a new practice must not inherit an old one's state."""
    base = slugify(text)[:60] or "item"
    used = set(ChecklistItem.objects.filter(key__startswith=base).values_list("key", flat=True))
    key, n = base, 2
    while key in used:
        key, n = f"{base}-{n}", n + 1
    return key


@transaction.atomic
def template_item_save(
    *,
    actor: User,
    template: ChecklistTemplate,
    stage_key: str,
    text: str,
    topic: str = "",
    help_text: str = "",
    item: ChecklistItem | None = None,
) -> ChecklistItem:
    """Add an item to a draft (with a new key) or edit one (its key is kept, so projects'
    states carry over: an edit must keep the same practice)."""
    _require_coordinator(actor)
    template = ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
    _require_draft(template)
    if stage_key not in ChecklistStage.Key.values:
        raise ValidationError({"stage": _("Choose one of the stages.")})
    stage, _created = ChecklistStage.objects.get_or_create(
        template=template,
        key=stage_key,
        defaults={"position": ChecklistStage.Key.values.index(stage_key)},
    )
    if item is None:
        item = ChecklistItem(
            stage=stage,
            key=_new_key(template, text),
            position=(stage.items.aggregate(p=Max("position"))["p"] or 0) + 1,
        )
        action = "ipip.template_item_add"
    else:
        if item.stage.template_id != template.pk:
            raise ValidationError(_("This item is not in this version."))
        if item.stage_id != stage.pk:
            item.position = (stage.items.aggregate(p=Max("position"))["p"] or 0) + 1
        item.stage = stage
        action = "ipip.template_item_edit"
    item.text, item.topic, item.help_text = text, topic, help_text
    item.full_clean()
    item.save()
    audit_log(actor=actor, action=action, target=template, key=item.key)
    return item


@transaction.atomic
def template_item_delete(*, actor: User, item: ChecklistItem) -> None:
    _require_coordinator(actor)
    template = ChecklistTemplate.objects.select_for_update().get(pk=item.stage.template_id)
    _require_draft(template)
    key = item.key
    item.delete()
    audit_log(actor=actor, action="ipip.template_item_delete", target=template, key=key)


@transaction.atomic
def template_item_move(*, actor: User, item: ChecklistItem, up: bool) -> None:
    """Swap the item with its neighbour in its stage."""
    _require_coordinator(actor)
    template = ChecklistTemplate.objects.select_for_update().get(pk=item.stage.template_id)
    _require_draft(template)
    items = list(item.stage.items.order_by("position", "id"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(items):
        return
    items[index], items[other] = items[other], items[index]
    for position, each in enumerate(items, start=1):
        each.position = position
    ChecklistItem.objects.bulk_update(items, ["position"])
    audit_log(actor=actor, action="ipip.template_item_move", target=template, key=item.key)


@transaction.atomic
def template_publish(*, actor: User, template: ChecklistTemplate, note: str = "") -> None:
    _require_coordinator(actor)
    template = ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
    _require_draft(template)
    if not ChecklistItem.objects.filter(stage__template=template).exists():
        raise ValidationError(_("A version without any item cannot be published."))
    template.published_at = timezone.now()
    template.note = note
    template.full_clean()
    template.save(update_fields=["published_at", "note"])
    audit_log(actor=actor, action="ipip.template_publish", target=template)


@transaction.atomic
def checklist_adopt(
    *, actor: User, project: ResearchProject, template: ChecklistTemplate | None = None
) -> ProjectChecklist:
    """Adopt ``template`` (default: the latest published version) for ``project``. Items whose
    key the new version keeps carry their state over; the states of dropped items go."""
    if not can_write_checklist(actor, project):
        raise PermissionDenied(_("Only the project's holders and coordinators may do this."))
    template = template or latest_published()
    if template is None or template.published_at is None:
        raise ValidationError(_("Only a published version of the checklist can be adopted."))
    checklist = ProjectChecklist.objects.select_for_update().filter(project=project).first()
    previous = {}
    if checklist is not None:
        if checklist.template.version >= template.version:
            raise ValidationError(
                _("The project already follows version %(n)d of the checklist.")
                % {"n": checklist.template.version}
            )
        previous = {s.item.key: s for s in checklist.states.select_related("item")}
        checklist.states.all().delete()
        checklist.template = template
        checklist.adopted_at = timezone.now()
        checklist.adopted_by = actor
        checklist.save(update_fields=["template", "adopted_at", "adopted_by"])
    else:
        checklist = ProjectChecklist.objects.create(
            project=project, template=template, adopted_by=actor
        )
    states = []
    for item in ChecklistItem.objects.filter(stage__template=template):
        state = ItemState(checklist=checklist, item=item)
        old = previous.get(item.key)
        if old is not None:
            for field in CARRIED_FIELDS:
                setattr(state, field, getattr(old, field))
            state.date, state.updated_at, state.updated_by_id = (
                old.date,
                old.updated_at,
                old.updated_by_id,
            )
        states.append(state)
    ItemState.objects.bulk_create(states)
    audit_log(
        actor=actor,
        action="ipip.checklist_adopt",
        target=project,
        version=template.version,
        carried=sum(1 for s in states if s.item.key in previous),
    )
    return checklist


def _checked_file(upload):
    try:
        return attachments_check([upload])[0]
    except ValidationError as error:
        raise ValidationError({"evidence_file": error.messages}) from None


@transaction.atomic
def item_state_update(
    *,
    actor: User,
    state: ItemState,
    status: str,
    owner: str = "",
    reason: str = "",
    evidence_note: str = "",
    evidence_link: str = "",
    evidence_file=None,
    clear_file: bool = False,
    date=None,
) -> ItemState:
    """Record where the project stands on one practice. ``evidence_file`` None keeps the file
    already attached (``clear_file`` removes it)."""
    project = state.checklist.project
    if not can_write_checklist(actor, project):
        raise PermissionDenied(_("Only the project's holders and coordinators may do this."))
    errors = {}
    if status not in ItemState.Status.values:
        errors["status"] = [_("Choose one of the statuses.")]
    reason = (reason or "").strip()
    if status == ItemState.Status.NOT_APPLICABLE and not reason:
        errors["reason"] = [_("Say why this practice does not apply to the project.")]
    evidence_link = (evidence_link or "").strip()
    if evidence_link:
        try:
            URLValidator(schemes=["http", "https"])(evidence_link)
        except ValidationError:
            errors["evidence_link"] = [_("Enter a web address starting with https://.")]
    checked = None
    if evidence_file is not None:
        try:
            checked = _checked_file(evidence_file)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    state = ItemState.objects.select_for_update().get(pk=state.pk)
    state.status = status
    state.owner = (owner or "").strip()
    state.reason = reason if status == ItemState.Status.NOT_APPLICABLE else ""
    state.evidence_note = (evidence_note or "").strip()
    state.evidence_link = evidence_link
    state.date = date
    state.updated_at = timezone.now()
    state.updated_by = actor
    if checked is not None:
        state.evidence_file.save(checked.filename, checked.upload, save=False)
    elif clear_file:
        state.evidence_file = ""
    state.full_clean(exclude=["evidence_file"])
    state.save()
    audit_log(
        actor=actor,
        action="ipip.item_state_update",
        target=project,
        item=state.item.key,
        status=status,
    )
    return state
