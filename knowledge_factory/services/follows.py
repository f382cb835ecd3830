"""Following tags and domains, the personal Atom feed's address, and telling followers of a
newly published item (SPEC §5).

Followers are told through the platform's notifications (``notification_send_many``): at once by
e-mail or in their daily or weekly digest, as each member chose, and only while they may read
the item — the digest and the e-mail check the visibility rule again when they are sent.
"""

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from community.models import Domain, Notification, User
from community.services.notifications import notification_send_many
from community.tiers import Tier
from community.visibility import knowledge_item_audience_filter

from ..models import Follow, Item, ReaderFeed
from ..selectors import item_tag_links, readable_tags_for


def can_follow(user) -> bool:
    """Verified members in good standing follow tags and domains."""
    return bool(
        user.is_authenticated
        and user.is_active
        and not user.is_suspended
        and user.verified_affiliation is not None
    )


def _target(actor: User, *, tag: str, domain: str) -> dict:
    """The followed thing named by ``tag`` (a tag's slug or name, among the tags of items
    ``actor`` may read) or ``domain`` (a slug)."""
    tag, domain = (tag or "").strip()[:100], (domain or "").strip()[:100]
    if bool(tag) == bool(domain):
        raise ValidationError(_("Choose a tag or a domain."))
    if domain:
        found = Domain.objects.filter(slug=domain).first()
        if found is None:
            raise ValidationError({"domain": [_("Choose a domain from the list.")]})
        return {"domain": found}
    found = readable_tags_for(actor).filter(Q(slug=tag) | Q(name__iexact=tag)).first()
    if found is None:
        # The same answer whether the tag does not exist or is only on items the member may
        # not read.
        raise ValidationError({"tag": [_("No item you may read has this tag.")]})
    return {"tag": found}


@transaction.atomic
def follow_add(*, actor: User, tag: str = "", domain: str = "") -> Follow:
    """Follow a tag or a domain; following it again changes nothing."""
    if not can_follow(actor):
        raise PermissionDenied
    follow, _created = Follow.objects.get_or_create(
        member=actor, **_target(actor, tag=tag, domain=domain)
    )
    return follow


@transaction.atomic
def follow_remove(*, actor: User, tag: str = "", domain: str = "") -> bool:
    """Stop following a tag (slug) or a domain (slug); False when it was not followed."""
    tag, domain = (tag or "").strip(), (domain or "").strip()
    if bool(tag) == bool(domain):
        raise ValidationError(_("Choose a tag or a domain."))
    follows = Follow.objects.filter(member=actor)
    follows = follows.filter(tag__slug=tag) if tag else follows.filter(domain__slug=domain)
    deleted, _details = follows.delete()
    return bool(deleted)


@transaction.atomic
def feed_token_renew(*, member: User) -> str:
    """A new secret address for the member's feed; the previous one stops working."""
    token = secrets.token_urlsafe(32)
    ReaderFeed.objects.update_or_create(member=member, defaults={"token": token})
    return token


def followed_items_filter(member: User) -> Q:
    """Items with a tag or a domain ``member`` follows; every item when they follow nothing
    (narrowing what they may read, never widening it)."""
    follows = Follow.objects.filter(member=member)
    if not follows.exists():
        return Q()
    tags = follows.filter(tag__isnull=False).values("tag_id")
    domains = follows.filter(domain__isnull=False).values("domain_id")
    # One IN over a UNION, not two INs OR-ed: PostgreSQL then starts from the links' indexes
    # instead of reading every item to test both.
    tagged = item_tag_links().filter(tag_id__in=tags).values("object_id")
    in_domains = Item.domains.through.objects.filter(domain_id__in=domains).values("item_id")
    return Q(pk__in=tagged.union(in_domains))


def _subject(item: Item) -> str:
    # An LEA-only item's title never leaves the platform (e-mails are forwarded).
    if item.tier == Tier.LEA:
        return _("A new LEA-only item in the Knowledge Factory")
    return _("New in the Knowledge Factory: %(title)s") % {"title": item.title}


def item_followers_notify(*, item_id: int) -> int:
    """Tell every member following one of a published item's tags or domains, who may read
    it, but its author. Once per member (the notification's key): a retry tells nobody twice.
    Returns how many were told now.

    The followers are found in one query, the visibility rule read the other way
    (``knowledge_item_audience_filter``), and told in a constant number of queries; the
    e-mails and digests check the item's rule again when they send."""
    item = Item.objects.filter(pk=item_id, status=Item.Status.PUBLISHED).first()
    if item is None:
        return 0
    follows = Follow.objects.filter(member=OuterRef("pk")).filter(
        Q(tag_id__in=item_tag_links().filter(object_id=item.pk).values("tag_id"))
        | Q(domain_id__in=Item.domains.through.objects.filter(item_id=item.pk).values("domain_id"))
    )
    followers = User.objects.filter(knowledge_item_audience_filter(item), Exists(follows))
    if item.author_id:
        followers = followers.exclude(pk=item.author_id)
    return notification_send_many(
        recipients=followers,
        kind=Notification.Kind.KNOWLEDGE,
        target=item,
        subject=_subject(item),
        link=item.get_absolute_url(),
        key=f"kf:{item.pk}:published",
    )
