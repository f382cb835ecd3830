"""The periodic newsletter (SPEC §5): the period's public and members' items, with an
introduction the knowledge manager writes, printed to PDF and published as an item.

What a newsletter prints is ``community.visibility.knowledge_newsletter_filter`` (published public
and members' items, never LEA-only ones: a newsletter is read by every member and forwarded),
narrowed to the items published in its period. Earlier newsletters are not printed in later
ones. A draft is re-rendered on every download, so it always shows the items as they are now;
publishing freezes the PDF as the file of a members' item of type "newsletter", which followers
and search then find like any other item.
"""

import calendar
import datetime
import re

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from community.audit import audit_log
from community.models import Notification, User
from community.roles import Role
from community.visibility import can_review_knowledge, knowledge_newsletter_filter
from ileanet.markdown import render_markdown
from ileanet.pdf import render_pdf
from ipup.pdfs import page_numbers_css

from ..indexing import item_index
from ..models import AccessLevel, Item, ItemEvent, ItemType, Newsletter

PDF_TEMPLATE = "knowledge_factory/pdf/newsletter.html"
SUMMARY_MAX = 2000
DUPLICATE_PERIOD = gettext_lazy("There is already a newsletter for this period: edit that one.")


def _require_knowledge_manager(actor: User) -> None:
    if not can_review_knowledge(actor):
        raise PermissionDenied(_("Only knowledge managers make newsletters."))


def _require_draft(newsletter: Newsletter) -> None:
    if newsletter.status != Newsletter.Status.DRAFT:
        raise ValidationError(_("This newsletter is published and can no longer be changed."))


def _is_whole_month(start: datetime.date, end: datetime.date) -> bool:
    last_day = calendar.monthrange(start.year, start.month)[1]
    return start.day == 1 and end == start.replace(day=last_day)


def newsletter_period_label(start: datetime.date, end: datetime.date) -> str:
    """ "March 2026" for a whole month, else "3 March 2026 to 16 April 2026"."""
    if _is_whole_month(start, end):
        return date_format(start, "YEAR_MONTH_FORMAT")
    return _("%(start)s to %(end)s") % {
        "start": date_format(start, "DATE_FORMAT"),
        "end": date_format(end, "DATE_FORMAT"),
    }


def newsletter_default_title(start: datetime.date, end: datetime.date) -> str:
    # Printed in the site's language whoever creates it: the PDF is one file for every reader.
    with translation.override(settings.LANGUAGE_CODE):
        return _("ILEAnet Knowledge Factory newsletter — %(period)s") % {
            "period": newsletter_period_label(start, end)
        }


def previous_month(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the month before ``today``'s."""
    end = today.replace(day=1) - datetime.timedelta(days=1)
    return end.replace(day=1), end


def _check_period(start: datetime.date, end: datetime.date) -> None:
    if end < start:
        raise ValidationError({"period_end": _("The period must end on or after its first day.")})
    if Newsletter.objects.filter(period_start=start, period_end=end).exists():
        raise ValidationError({"period_start": DUPLICATE_PERIOD})


def _newsletter_insert(
    *, actor: User | None, start: datetime.date, end: datetime.date, title: str
) -> Newsletter | None:
    """The new draft, or None when one for this period was made meanwhile (the unique
    constraint decides; a savepoint keeps the caller's transaction usable)."""
    newsletter = Newsletter(title=title[:200], period_start=start, period_end=end, created_by=actor)
    newsletter.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            newsletter.save()
    except IntegrityError:
        return None
    audit_log(
        actor=actor,
        action="knowledge.newsletter_create",
        target=newsletter,
        period_start=start.isoformat(),
        period_end=end.isoformat(),
        title=newsletter.title,
    )
    return newsletter


@transaction.atomic
def newsletter_create(
    *,
    actor: User,
    period_start: datetime.date,
    period_end: datetime.date,
    title: str | None = None,
) -> Newsletter:
    """A draft newsletter for the period (one per period), titled by default after it."""
    _require_knowledge_manager(actor)
    _check_period(period_start, period_end)
    title = (title or "").strip() or newsletter_default_title(period_start, period_end)
    newsletter = _newsletter_insert(actor=actor, start=period_start, end=period_end, title=title)
    if newsletter is None:  # made meanwhile, by someone else or the scheduled job
        raise ValidationError({"period_start": DUPLICATE_PERIOD})
    return newsletter


@transaction.atomic
def newsletter_update(
    *, actor: User, newsletter: Newsletter, title: str, introduction: str
) -> Newsletter:
    _require_knowledge_manager(actor)
    newsletter = Newsletter.objects.select_for_update().get(pk=newsletter.pk)
    _require_draft(newsletter)
    before = {"title": newsletter.title, "introduction": newsletter.introduction}
    newsletter.title = title.strip()
    newsletter.introduction = introduction.strip()
    newsletter.full_clean(validate_constraints=False)
    changed = [name for name, value in before.items() if getattr(newsletter, name) != value]
    if not changed:
        return newsletter
    newsletter.save(update_fields=changed)
    audit_log(
        actor=actor,
        action="knowledge.newsletter_update",
        target=newsletter,
        changed=changed,
        title=[before["title"], newsletter.title] if "title" in changed else None,
    )
    return newsletter


def _period_bounds(newsletter: Newsletter) -> tuple[datetime.datetime, datetime.datetime]:
    """The period as aware datetimes [first day 00:00, day after the last 00:00) in the site's
    time zone: "published in March" means March as the network's members live it."""
    zone = timezone.get_default_timezone()
    start = datetime.datetime.combine(newsletter.period_start, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(
        newsletter.period_end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    return start, end


def newsletter_items(newsletter: Newsletter) -> list[dict]:
    """What the newsletter prints, grouped by type in the types' order:
    ``[{"type": "report", "label": "Report", "items": [...]}, ...]`` (three queries)."""
    start, end = _period_bounds(newsletter)
    items = (
        Item.objects.filter(knowledge_newsletter_filter())
        .filter(published_at__gte=start, published_at__lt=end)
        .exclude(type=ItemType.NEWSLETTER)
        .defer("body", "body_html", "search_vector", "title_vector")
        .prefetch_related("domains", "tags")
        .order_by("published_at", "id")
    )
    by_type: dict[str, list[Item]] = {}
    for item in items:
        by_type.setdefault(item.type, []).append(item)
    return [
        {"type": value, "label": label, "items": by_type[value]}
        for value, label in ItemType.choices
        if value in by_type
    ]


def newsletter_pdf(newsletter: Newsletter) -> bytes:
    """The newsletter rendered now (a draft as it would be published)."""
    with translation.override(settings.LANGUAGE_CODE):
        groups = newsletter_items(newsletter)
        site = settings.SITE_URL.rstrip("/")
        for group in groups:
            for item in group["items"]:
                item.site_url = site + item.get_absolute_url()
        context = {
            "newsletter": newsletter,
            "period": newsletter_period_label(newsletter.period_start, newsletter.period_end),
            "introduction": render_markdown(newsletter.introduction),
            "groups": groups,
            "count": sum(len(group["items"]) for group in groups),
            "site_url": site,
            "page_numbers": page_numbers_css(),
            "generated_at": timezone.now(),
        }
        return render_pdf(PDF_TEMPLATE, context)


def newsletter_filename(newsletter: Newsletter) -> str:
    """An ASCII file name safe in a Content-Disposition header."""
    start, end = newsletter.period_start, newsletter.period_end
    if _is_whole_month(start, end):
        return f"ileanet-newsletter-{start:%Y-%m}.pdf"
    return f"ileanet-newsletter-{start:%Y-%m-%d}-{end:%Y-%m-%d}.pdf"


_HEADING = re.compile(r"^\s{0,3}(#{1,6}\s|={3,}|-{3,})")


def _first_paragraph(text: str) -> str:
    for paragraph in re.split(r"\n\s*\n", text or ""):
        lines = [line for line in paragraph.strip().splitlines() if not _HEADING.match(line)]
        words = " ".join(" ".join(lines).split())
        if words:
            return words
    return ""


def _summary(newsletter: Newsletter, count: int) -> str:
    first = _first_paragraph(newsletter.introduction)
    if first:
        return first if len(first) <= SUMMARY_MAX else first[: SUMMARY_MAX - 1] + "…"
    with translation.override(settings.LANGUAGE_CODE):
        return ngettext(
            "The Knowledge Factory's newsletter for %(period)s: %(count)d new item.",
            "The Knowledge Factory's newsletter for %(period)s: %(count)d new items.",
            count,
        ) % {
            "period": newsletter_period_label(newsletter.period_start, newsletter.period_end),
            "count": count,
        }


NEWSLETTER_TAG = "newsletter"


@transaction.atomic
def newsletter_publish(*, actor: User, newsletter: Newsletter) -> Item:
    """Freeze the PDF and publish it as a members' item of type "newsletter" (followers are
    told and search finds it as any other item)."""
    from ..tasks import item_followers_notify_task

    _require_knowledge_manager(actor)
    newsletter = Newsletter.objects.select_for_update().get(pk=newsletter.pk)
    _require_draft(newsletter)
    count = sum(len(group["items"]) for group in newsletter_items(newsletter))
    content = newsletter_pdf(newsletter)
    now = timezone.now()
    item = Item(
        type=ItemType.NEWSLETTER,
        title=newsletter.title,
        summary=_summary(newsletter, count),
        body=newsletter.introduction,
        body_html=render_markdown(newsletter.introduction),
        tier=AccessLevel.MEMBERS,
        status=Item.Status.PUBLISHED,
        author=actor,
        reviewed_by=actor,
        submitted_at=now,
        published_at=now,
        published_on=now.date(),
        created_at=now,
        updated_at=now,
    )
    item.file.save(newsletter_filename(newsletter), ContentFile(content), save=False)
    item.full_clean()
    item.save()
    # Tagged "newsletter", so that members who follow the tag are told of each issue.
    item.tags.add(NEWSLETTER_TAG)
    ItemEvent.objects.create(item=item, actor=actor, action=ItemEvent.Action.PUBLISHED)
    newsletter.status = Newsletter.Status.PUBLISHED
    newsletter.item = item
    newsletter.published_at = now
    newsletter.save(update_fields=["status", "item", "published_at"])
    item_index([item.pk])
    audit_log(
        actor=actor,
        action="knowledge.newsletter_publish",
        target=newsletter,
        item=item.pk,
        items_printed=count,
        pdf_bytes=len(content),
    )
    transaction.on_commit(lambda: item_followers_notify_task.delay(item.pk))
    return item


def _knowledge_managers():
    group = Group.objects.filter(name=Role.KNOWLEDGE_MANAGER.value)
    return User.objects.filter(groups__in=group, is_active=True).distinct().order_by("pk")


@transaction.atomic
def newsletter_monthly_draft(*, today: datetime.date | None = None) -> Newsletter | None:
    """The scheduled job's body: the draft for the month before ``today`` (default: today in
    the site's time zone) if there is none yet, and a notification to each knowledge manager.
    Idempotent: a second run (a retry, a catch-up) finds the draft and tells nobody again."""
    from community.services.notifications import notification_send

    start, end = previous_month(today or timezone.localdate())
    if Newsletter.objects.filter(period_start=start, period_end=end).exists():
        return None
    newsletter = _newsletter_insert(
        actor=None, start=start, end=end, title=newsletter_default_title(start, end)
    )
    if newsletter is None:
        return None
    link = reverse("knowledge_factory:newsletter-edit", args=[newsletter.pk])
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("The newsletter for %(period)s is ready to write") % {
            "period": newsletter_period_label(start, end)
        }
    for manager in _knowledge_managers():
        notification_send(
            recipient=manager,
            kind=Notification.Kind.KNOWLEDGE,
            target=newsletter,
            subject=subject,
            link=link,
            key=f"kf:newsletter:{newsletter.pk}:draft",
        )
    return newsletter
