"""Knowledge Factory items and their workflow (SPEC §5): any member submits, a knowledge
manager edits metadata and tags, asks for changes, rejects with a reason or publishes; the author
is told, and every step is kept in the item's history and the audit log.

Who may do what is asked of community.visibility (``can_edit_knowledge_item``,
``can_review_knowledge``, ``can_read_tier``): a member gives an item only an access level they
read themselves, and a reviewer acts only on items of the tiers they read — an LEA-only
submission waits for a knowledge manager who reads LEA content.

    submitted ──publish──▶ published ──unpublish──▶ changes
        │ ▲                                             │
        │ └──────────────resubmit (author)──────────────┘
        ├──request changes──▶ changes
        ├──reject──▶ rejected
        └──withdraw (author)──▶ withdrawn
"""

import re
from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from community.audit import audit_log
from community.models import Domain, Notification, User
from community.roles import Role
from community.services.forum import attachments_check
from community.services.notifications import notification_send
from community.tiers import Tier
from community.visibility import (
    can_edit_knowledge_item,
    can_read_tier,
    can_review_knowledge,
    good_standing_filter,
    knowledge_item_audience_filter,
    need_filter,
    project_filter,
)
from ileanet.markdown import render_markdown

from ..indexing import item_index
from ..models import AccessLevel, Item, ItemEvent, ItemType

MAX_TAGS = 10
MAX_TAG_LENGTH = 50
MAX_NOTE = 4000
# Text fields checked for control characters: PostgreSQL refuses NUL in text, XML 1.0 (the
# Atom feed) the others, and the search marks its highlights with two of them.
TEXT_FIELDS = ("title", "summary", "body", "source_url")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]")
# What item_update may change; the status moves only through the workflow functions.
EDITABLE = frozenset(
    {
        "type", "title", "summary", "body", "file", "clear_file", "source_url",
        "published_on", "domains", "tags", "tier", "project", "need",
    }
)  # fmt: skip
WAITING = (Item.Status.SUBMITTED,)


# --- Validation shared with the forms and the API --------------------------------------------


def tags_clean(tags: Iterable[str] | str) -> list[str]:
    """Tags normalised (trimmed, lower-case, without duplicates, in the order given): at most
    ``MAX_TAGS``, each at most ``MAX_TAG_LENGTH`` characters. A string is split on commas."""
    if isinstance(tags, str):
        tags = tags.split(",")
    cleaned: list[str] = []
    for raw in tags:
        if not isinstance(raw, str):
            raise ValidationError({"tags": [_("Give the tags as words separated by commas.")]})
        tag = " ".join(raw.split()).lower()
        if CONTROL_CHARACTERS.search(tag):
            raise ValidationError(
                {"tags": [_("The tags contain a character that is not allowed.")]}
            )
        if not tag or tag in cleaned:
            continue
        if len(tag) > MAX_TAG_LENGTH:
            raise ValidationError(
                {
                    "tags": [
                        _("A tag may have at most %(n)d characters (“%(tag)s…”).")
                        % {"n": MAX_TAG_LENGTH, "tag": tag[:MAX_TAG_LENGTH]}
                    ]
                }
            )
        cleaned.append(tag)
        if len(cleaned) > MAX_TAGS:
            raise ValidationError({"tags": [_("At most %(n)d tags.") % {"n": MAX_TAGS}]})
    return cleaned


def _check_text(values: dict, errors: dict) -> None:
    for name in TEXT_FIELDS:
        value = values.get(name)
        if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
            errors.setdefault(name, []).append(
                _("This text contains a character that is not allowed.")
            )


def _check_source_url(url: str, errors: dict) -> str:
    url = (url or "").strip()
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            errors.setdefault("source_url", []).append(
                _("Enter a web address starting with https:// or http://.")
            )
    return url


def _checked_file(upload):
    try:
        return attachments_check([upload])[0]
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from None


def _in_good_standing(user) -> bool:
    return bool(
        user is not None and user.is_authenticated and user.is_active and not user.is_suspended
    )


def can_review_item(user, item: Item) -> bool:
    """A reviewer decides on an item only when they read its tier."""
    return can_review_knowledge(user) and can_read_tier(user, item.tier)


def can_submit_knowledge(user) -> bool:
    return _in_good_standing(user)


def tiers_for_author(user) -> list[tuple[str, str]]:
    """The access levels ``user`` may give an item (those they read themselves)."""
    return [(value, label) for value, label in AccessLevel.choices if can_read_tier(user, value)]


def sota_recommendation_check(actor: User, recommendation) -> None:
    """A completed study's final report is added by who manages needs, once, on a need they
    may read."""
    from ipup.models import Need, SotaRecommendation
    from ipup.permissions import can_manage_needs

    if not can_manage_needs(actor):
        raise PermissionDenied
    if not Need.objects.filter(need_filter(actor), pk=recommendation.need_id).exists():
        raise PermissionDenied
    if recommendation.status != SotaRecommendation.Status.COMPLETED:
        raise ValidationError(
            {"sota_recommendation": [_("Only a completed study's final report can be added.")]}
        )
    if Item.objects.filter(sota_recommendation=recommendation).exists():
        raise ValidationError(
            {"sota_recommendation": [_("This study's final report is already in the Knowledge Factory.")]}
        )  # fmt: skip


def _check_relations(actor: User, values: dict, errors: dict) -> None:
    """The related project and need must be ones the actor may read; the access level one they
    read themselves."""
    from ipup.models import Need, ResearchProject

    tier = values.get("tier")
    if tier is not None and (tier not in AccessLevel.values or not can_read_tier(actor, tier)):
        errors.setdefault("tier", []).append(
            _("Choose an access level you belong to: you could not read the item otherwise.")
        )
    project = values.get("project")
    if project is not None and not (
        ResearchProject.objects.filter(project_filter(actor), pk=project.pk).exists()
    ):
        errors.setdefault("project", []).append(_("Choose a project from the project database."))
    need = values.get("need")
    if need is not None and not Need.objects.filter(need_filter(actor), pk=need.pk).exists():
        errors.setdefault("need", []).append(_("Choose a need you may read."))
    if values.get("type") is not None and values["type"] not in ItemType.values:
        errors.setdefault("type", []).append(_("Choose one of the types."))


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _full_clean(item: Item, errors: dict) -> None:
    try:
        item.full_clean(exclude=["file", "author", "reviewed_by", "sota_recommendation"])
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    _raise(errors)


def _event(item: Item, actor: User, action: str, *, note: str = "", changes=None) -> ItemEvent:
    return ItemEvent.objects.create(
        item=item, actor=actor, action=action, note=note, changes=changes or {}
    )


def _note(note: str, field: str) -> str:
    note = (note or "").strip()
    if not note:
        raise ValidationError({field: [_("Say why: the author reads it.")]})
    if len(note) > MAX_NOTE:
        raise ValidationError({field: [_("At most %(n)d characters.") % {"n": MAX_NOTE}]})
    if "\x00" in note:
        raise ValidationError({field: [_("This text contains a character that is not allowed.")]})
    return note


def _locked(item: Item) -> Item:
    return Item.objects.select_for_update().get(pk=item.pk)


# --- Notifications -----------------------------------------------------------------------------


def _subject(item: Item, what: str) -> str:
    """What a notification (and its e-mail) says. An LEA-only item's title never leaves the
    platform: a mailbox is not the platform, and e-mails are forwarded."""
    if item.tier == Tier.LEA:
        return _("An LEA-only Knowledge Factory item: %(what)s") % {"what": what}
    return _("Knowledge Factory: %(what)s — “%(title)s”") % {"what": what, "title": item.title}


def _tell_author(item: Item, event: ItemEvent, actor: User, what: str, note: str = "") -> None:
    if item.author_id is None or item.author_id == actor.pk:
        return
    author = User.objects.filter(good_standing_filter(), pk=item.author_id).first()
    if author is None:
        return
    notification_send(
        recipient=author,
        kind=Notification.Kind.KNOWLEDGE,
        target=item,
        actor=actor,
        subject=_subject(item, what),
        link=item.get_absolute_url(),
        key=f"kf:{item.pk}:{event.action}:{event.pk}",
        # The reason may quote the item: for LEA-only items it is read on the platform.
        note="" if item.tier == Tier.LEA else note,
    )


def reviewers_for(item: Item):
    """Knowledge managers in good standing who read the item's tier; when none does (an
    LEA-only submission and no LEA knowledge manager), the community managers."""
    audience = knowledge_item_audience_filter(item)
    reviewers = list(
        User.objects.filter(audience, role_names__contains=[Role.KNOWLEDGE_MANAGER.value])
    )
    if not reviewers:
        reviewers = list(
            User.objects.filter(audience).filter(
                role_names__overlap=[Role.COMMUNITY_MANAGER.value, Role.ADMINISTRATOR.value]
            )
        )
    return reviewers


def _tell_reviewers(item: Item, event: ItemEvent, actor: User, what: str) -> None:
    for reviewer in reviewers_for(item):
        if reviewer.pk == actor.pk:
            continue
        notification_send(
            recipient=reviewer,
            kind=Notification.Kind.KNOWLEDGE,
            target=item,
            actor=actor,
            subject=_subject(item, what),
            link=reverse("knowledge_factory:item", args=[item.pk]),
            key=f"kf:{item.pk}:{event.action}:{event.pk}",
        )


# --- Writes ------------------------------------------------------------------------------------


@transaction.atomic
def item_submit(
    *,
    actor: User,
    type: str,
    title: str,
    summary: str,
    body: str = "",
    file=None,
    source_url: str = "",
    published_on: date | None = None,
    domains: Iterable[Domain] = (),
    tags: Iterable[str] | str = (),
    tier: str = AccessLevel.MEMBERS,
    project=None,
    need=None,
    sota_recommendation=None,
) -> Item:
    """A member's submission, waiting for a knowledge manager. Every error is keyed by field
    and nothing is saved when one is found."""
    if not can_submit_knowledge(actor):
        raise PermissionDenied
    values = {
        "type": type, "title": (title or "").strip(), "summary": (summary or "").strip(),
        "body": body or "", "source_url": source_url, "tier": tier, "project": project,
        "need": need,
    }  # fmt: skip
    errors: dict = {}
    _check_text(values, errors)
    values["source_url"] = _check_source_url(source_url, errors)
    _check_relations(actor, values, errors)
    try:
        tags = tags_clean(tags)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    checked = None
    if file:
        try:
            checked = _checked_file(file)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if sota_recommendation is not None:
        try:
            sota_recommendation_check(actor, sota_recommendation)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        values["need"] = values["need"] or sota_recommendation.need
    now = timezone.now()
    item = Item(
        **values,
        published_on=published_on,
        author=actor,
        sota_recommendation=sota_recommendation,
        status=Item.Status.SUBMITTED,
        submitted_at=now,
        created_at=now,
        updated_at=now,
    )
    item.body_html = render_markdown(item.body)
    _full_clean(item, errors)
    if checked is not None:
        item.file.save(checked.filename, checked.upload, save=False)
    item.save()
    item.domains.set(list(domains or ()))
    item.tags.set(tags)
    event = _event(item, actor, ItemEvent.Action.SUBMITTED)
    audit_log(actor=actor, action="knowledge.item_submit", target=item, tier=item.tier)
    item_index([item.pk])
    _tell_reviewers(
        item, event, actor, pgettext("knowledge notification", "a new submission to review")
    )
    return item


def _snapshot(item: Item) -> dict:
    return {
        "type": item.type,
        "title": item.title,
        "summary": item.summary,
        "body": item.body,
        "file": item.file.name.rsplit("/", 1)[-1] if item.file else "",
        "source_url": item.source_url,
        "published_on": item.published_on.isoformat() if item.published_on else None,
        "domains": sorted(item.domains.values_list("slug", flat=True)),
        "tags": sorted(item.tags.names()),
        "tier": item.tier,
        # Ids only: a related need's title may be one the author cannot read.
        "project": item.project_id,
        "need": item.need_id,
    }


def _shortened(value):
    if isinstance(value, str) and len(value) > 300:
        return value[:300] + "…"
    return value


@transaction.atomic
def item_update(*, actor: User, item: Item, **fields) -> Item:
    """Change any of ``EDITABLE``: the author while the item waits for review or for their
    changes, a reviewer (who reads its tier) at any time. ``file`` replaces the file,
    ``clear_file`` removes it. The history keeps {field: [before, after]} of what changed."""
    unknown = set(fields) - EDITABLE
    if unknown:
        raise TypeError(f"not editable on an item: {', '.join(sorted(unknown))}")
    item = _locked(item)
    if not can_edit_knowledge_item(actor, item):
        raise PermissionDenied
    before = _snapshot(item)
    errors: dict = {}
    values = {k: v for k, v in fields.items() if k not in ("file", "clear_file", "domains", "tags")}
    for name in ("title", "summary"):
        if name in values:
            values[name] = (values[name] or "").strip()
    if "body" in values:
        values["body"] = values["body"] or ""
    _check_text(values, errors)
    if "source_url" in values:
        values["source_url"] = _check_source_url(values["source_url"], errors)
    checks = {k: v for k, v in values.items() if k != "tier" or v != item.tier}
    _check_relations(actor, checks, errors)
    if "need" in values and values["need"] is not None and values["need"].pk == item.need_id:
        errors.pop("need", None)  # kept as it was, even when the editor cannot read it
    tags = None
    if "tags" in fields:
        try:
            tags = tags_clean(fields["tags"])
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    checked = None
    if fields.get("file"):
        try:
            checked = _checked_file(fields["file"])
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    for name, value in values.items():
        setattr(item, name, value)
    item.body_html = render_markdown(item.body)
    item.updated_at = timezone.now()
    _full_clean(item, errors)
    replaced = item.file.name if item.file and (checked or fields.get("clear_file")) else ""
    if checked is not None:
        item.file.save(checked.filename, checked.upload, save=False)
    elif fields.get("clear_file"):
        item.file = ""
    item.save()
    if replaced:
        # A file taken off an item is gone for good (it may have been put there by mistake).
        storage = item.file.storage
        transaction.on_commit(lambda: storage.delete(replaced))
    if "domains" in fields:
        item.domains.set(list(fields["domains"] or ()))
    if tags is not None:
        item.tags.set(tags)
    after = _snapshot(item)
    changes = {
        name: [_shortened(before[name]), _shortened(after[name])]
        for name in before
        if before[name] != after[name]
    }
    if changes:
        _event(item, actor, ItemEvent.Action.EDITED, changes=changes)
        audit_log(actor=actor, action="knowledge.item_update", target=item, fields=sorted(changes))
        item_index([item.pk])
    return item


@transaction.atomic
def item_resubmit(*, actor: User, item: Item) -> Item:
    """The author sends the item back for review after the changes asked for."""
    item = _locked(item)
    if item.author_id != actor.pk or not _in_good_standing(actor):
        raise PermissionDenied
    if item.status != Item.Status.CHANGES_REQUESTED:
        raise ValidationError(_("Only an item whose changes were asked for can be resubmitted."))
    item.status = Item.Status.SUBMITTED
    item.submitted_at = item.updated_at = timezone.now()
    item.save(update_fields=["status", "submitted_at", "updated_at"])
    event = _event(item, actor, ItemEvent.Action.RESUBMITTED)
    audit_log(actor=actor, action="knowledge.item_resubmit", target=item)
    _tell_reviewers(
        item,
        event,
        actor,
        pgettext("knowledge notification", "a submission resubmitted for review"),
    )
    return item


def _require_reviewer(actor: User, item: Item) -> None:
    if not can_review_item(actor, item):
        raise PermissionDenied


@transaction.atomic
def item_request_changes(*, actor: User, item: Item, note: str) -> Item:
    item = _locked(item)
    _require_reviewer(actor, item)
    if item.status not in WAITING:
        raise ValidationError(_("Only an item waiting for review can be sent back."))
    note = _note(note, "note")
    item.status = Item.Status.CHANGES_REQUESTED
    item.review_note, item.reviewed_by, item.updated_at = note, actor, timezone.now()
    item.save(update_fields=["status", "review_note", "reviewed_by", "updated_at"])
    event = _event(item, actor, ItemEvent.Action.CHANGES_REQUESTED, note=note)
    audit_log(actor=actor, action="knowledge.item_request_changes", target=item, reason=note)
    _tell_author(item, event, actor, pgettext("knowledge notification", "changes requested"), note)
    return item


@transaction.atomic
def item_reject(*, actor: User, item: Item, reason: str) -> Item:
    item = _locked(item)
    _require_reviewer(actor, item)
    if item.status not in (Item.Status.SUBMITTED, Item.Status.CHANGES_REQUESTED):
        raise ValidationError(_("Only an item under review can be rejected."))
    reason = _note(reason, "reason")
    item.status = Item.Status.REJECTED
    item.review_note, item.reviewed_by, item.updated_at = reason, actor, timezone.now()
    item.save(update_fields=["status", "review_note", "reviewed_by", "updated_at"])
    event = _event(item, actor, ItemEvent.Action.REJECTED, note=reason)
    audit_log(actor=actor, action="knowledge.item_reject", target=item, reason=reason)
    _tell_author(item, event, actor, pgettext("knowledge notification", "rejected"), reason)
    return item


@transaction.atomic
def item_publish(*, actor: User, item: Item) -> Item:
    """Publish the item to the readers of its access level; its followers are told once the
    transaction commits."""
    from ..tasks import item_followers_notify_task

    item = _locked(item)
    _require_reviewer(actor, item)
    if item.status not in (Item.Status.SUBMITTED, Item.Status.CHANGES_REQUESTED):
        raise ValidationError(_("Only an item under review can be published."))
    now = timezone.now()
    item.status = Item.Status.PUBLISHED
    item.published_at, item.reviewed_by, item.review_note, item.updated_at = now, actor, "", now
    item.full_clean(exclude=["file", "author", "reviewed_by", "sota_recommendation"])
    item.save(update_fields=["status", "published_at", "reviewed_by", "review_note", "updated_at"])
    event = _event(item, actor, ItemEvent.Action.PUBLISHED)
    audit_log(actor=actor, action="knowledge.item_publish", target=item, tier=item.tier)
    item_index([item.pk])
    _tell_author(item, event, actor, pgettext("knowledge notification", "published"))
    pk = item.pk
    transaction.on_commit(lambda: item_followers_notify_task.delay(pk))
    return item


@transaction.atomic
def item_unpublish(*, actor: User, item: Item, reason: str) -> Item:
    """Take a published item back: it returns to its author with the reason, as changes
    asked for, and may be resubmitted."""
    item = _locked(item)
    _require_reviewer(actor, item)
    if item.status != Item.Status.PUBLISHED:
        raise ValidationError(_("This item is not published."))
    reason = _note(reason, "reason")
    item.status = Item.Status.CHANGES_REQUESTED
    item.published_at = None
    item.review_note, item.reviewed_by, item.updated_at = reason, actor, timezone.now()
    item.save(update_fields=["status", "published_at", "review_note", "reviewed_by", "updated_at"])
    event = _event(item, actor, ItemEvent.Action.UNPUBLISHED, note=reason)
    audit_log(actor=actor, action="knowledge.item_unpublish", target=item, reason=reason)
    _tell_author(item, event, actor, pgettext("knowledge notification", "unpublished"), reason)
    return item


@transaction.atomic
def item_withdraw(*, actor: User, item: Item, note: str = "") -> Item:
    """The author takes back their submission before it is published."""
    item = _locked(item)
    if item.author_id != actor.pk or not _in_good_standing(actor):
        raise PermissionDenied
    if item.status not in (Item.Status.SUBMITTED, Item.Status.CHANGES_REQUESTED):
        raise ValidationError(_("Only an item under review can be withdrawn."))
    note = (note or "").strip()[:MAX_NOTE].replace("\x00", "")
    item.status = Item.Status.WITHDRAWN
    item.updated_at = timezone.now()
    item.save(update_fields=["status", "updated_at"])
    _event(item, actor, ItemEvent.Action.WITHDRAWN, note=note)
    audit_log(actor=actor, action="knowledge.item_withdraw", target=item)
    return item
