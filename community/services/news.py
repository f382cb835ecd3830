"""Community news (SPEC §2.7): posted by community managers, shown on the home page,
optionally e-mailed to every reader or a segment of them (batched, at most once each)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ileanet.markdown import render_markdown

from ..audit import audit_log
from ..emails import email_send
from ..models import DeliveryStatus, EmailFrequency, NewsDelivery, NewsPost, User
from ..outbox import deliveries_send
from ..roles import Role, is_community_manager
from ..tiers import Tier, affiliations_for_tier
from ..visibility import national_contact_country


def _require_manager(actor) -> None:
    if not is_community_manager(actor):
        raise PermissionDenied


def _apply(news: NewsPost, fields: dict) -> None:
    domains = fields.pop("segment_domains", None)
    for name, value in fields.items():
        setattr(news, name, value)
    news.body_html = render_markdown(news.body)
    if news.email_to == NewsPost.EmailTo.SEGMENT and not (
        news.segment_affiliations or news.segment_countries or news.segment_role_levels or domains
    ):
        raise ValidationError(_("Choose at least one group of members to e-mail, or e-mail all."))
    news.full_clean()
    news.save()
    if domains is not None:
        news.segment_domains.set(domains)


@transaction.atomic
def news_publish(*, actor, **fields) -> NewsPost:
    _require_manager(actor)
    news = NewsPost(author=actor, published_at=timezone.now())
    _apply(news, fields)
    audit_log(actor=actor, action="news.publish", target=news, email_to=news.email_to)
    if news.email_to != NewsPost.EmailTo.NOBODY:
        from ..tasks import news_email_task

        transaction.on_commit(lambda: news_email_task.delay(news.pk))
    return news


@transaction.atomic
def country_news_publish(*, actor, **fields) -> NewsPost:
    """A national contact's news to the members of their country: published like any news
    (shown to its tier's readers) and e-mailed to those of them who work in that country."""
    country = national_contact_country(actor)
    if not country:
        raise PermissionDenied
    # Public news speaks for the whole network: the managers' to publish.
    if fields.get("tier") == Tier.PUBLIC:
        raise ValidationError({"tier": _("Choose an audience among the members.")})
    news = NewsPost(author=actor, published_at=timezone.now())
    _apply(news, {**fields, "email_to": NewsPost.EmailTo.SEGMENT, "segment_countries": [country]})
    audit_log(actor=actor, action="news.publish", target=news, email_to=news.email_to,
              country=country)  # fmt: skip
    from ..tasks import news_email_task

    transaction.on_commit(lambda: news_email_task.delay(news.pk))
    return news


@transaction.atomic
def news_update(*, actor, news: NewsPost, **fields) -> NewsPost:
    """Edit the text or audience; an item already e-mailed is not e-mailed again."""
    _require_manager(actor)
    fields.pop("email_to", None)
    _apply(news, fields)
    audit_log(actor=actor, action="news.update", target=news)
    return news


def news_recipients(news: NewsPost):
    """Who a news e-mail goes to: members in good standing who can read it (the tier rule read
    the other way, as community.visibility.audience_filter), narrowed by the segment, minus
    those who turned e-mails off."""
    members = User.objects.filter(
        Q(suspended_until__isnull=True) | Q(suspended_until__lte=timezone.now()),
        is_active=True,
        deleted_at__isnull=True,
    ).exclude(email_frequency=EmailFrequency.OFF)
    managers = Q(is_superuser=True) | Q(
        role_names__overlap=[Role.COMMUNITY_MANAGER.value, Role.ADMINISTRATOR.value]
    )
    if news.tier != Tier.PUBLIC:
        readers = Q(
            affiliation_verified_at__isnull=False,
            affiliation_type__in=affiliations_for_tier(news.tier),
        )
        members = members.filter(readers | managers)
    if news.email_to == NewsPost.EmailTo.SEGMENT:
        if news.segment_affiliations:
            members = members.filter(affiliation_type__in=news.segment_affiliations)
        if news.segment_countries:
            members = members.filter(country__in=[c.code for c in news.segment_countries])
        if news.segment_role_levels:
            members = members.filter(role_level__in=news.segment_role_levels)
        if news.segment_domains.exists():
            members = members.filter(domains__in=news.segment_domains.all())
    return members.distinct()


def _news_send(delivery: NewsDelivery, connection) -> bool:
    news = delivery.news
    if not NewsPost.objects.visible_to(delivery.recipient).filter(pk=news.pk).exists():
        return False
    email_send(
        to=delivery.recipient.email,
        template="community/email/news",
        context={
            "news": news,
            "member": delivery.recipient,
            "link": reverse("community:news-detail", args=[news.pk]),
        },
        connection=connection,
        unsubscribe=delivery.recipient,
    )
    return True


def news_email(*, news_id: int) -> dict:
    """Create a delivery row per recipient (a retry adds none twice) and send the pending
    ones, each at most once (community.outbox)."""
    news = NewsPost.objects.filter(pk=news_id).first()
    if news is None or news.email_to == NewsPost.EmailTo.NOBODY:
        return {"sent": 0, "failed": 0, "skipped": 0}
    NewsPost.objects.filter(pk=news.pk, emailing_started_at__isnull=True).update(
        emailing_started_at=timezone.now()
    )
    recipient_ids = news_recipients(news).values_list("pk", flat=True)
    NewsDelivery.objects.bulk_create(
        [NewsDelivery(news=news, recipient_id=pk) for pk in recipient_ids.iterator()],
        ignore_conflicts=True,
        batch_size=1000,
    )
    pending = NewsDelivery.objects.filter(news=news).select_related("news", "recipient")
    counts = deliveries_send(pending, _news_send)
    NewsPost.objects.filter(pk=news.pk).update(emailing_finished_at=timezone.now())
    return counts


def news_delivery_summary(news: NewsPost) -> dict:
    from django.db.models import Count

    rows = dict(
        news.deliveries.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return {status: rows.get(status, 0) for status in DeliveryStatus.values}
