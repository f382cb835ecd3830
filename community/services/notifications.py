"""Who is told about a new post, and what a member's notifications and digests contain.

Every list here is filtered by the visibility rule at the moment it is read or sent, not when
the notification was created: a post hidden or moved, or a member who lost access, means the
notification silently disappears from the list, the e-mail and the digest.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from ..audit import audit_log
from ..models import EmailFrequency, Notification, Post, Room, Subscription, User
from ..visibility import member_filter, notification_filter, room_audience_filter
from .forum import mentioned_handles


def notification_list_for(user):
    """The member's notifications whose post or target they can still open."""
    return (
        Notification.objects.filter(notification_filter(user), recipient=user)
        .select_related("post__thread__room", "actor")
        .order_by("-created_at", "-id")
    )


def notification_is_visible(notification: Notification) -> bool:
    return notification_list_for(notification.recipient).filter(pk=notification.pk).exists()


def notification_send(
    *,
    recipient: User,
    kind: str,
    target: models.Model,
    subject: str,
    link: str,
    key: str,
    actor: User | None = None,
    note: str = "",
) -> Notification | None:
    """Notify ``recipient`` about ``target`` (not a forum post): once per ``key``, only while
    they may see the target (community.visibility.NOTIFICATION_TARGETS), and e-mailed at once
    after the transaction commits when they asked for immediate e-mails — otherwise it waits
    for their digest. ``subject`` is what the list and the e-mail say: write it so that it
    tells nothing the target's readers may not read; ``link`` is a path on this site.

    Returns the notification, or None when the recipient may not see the target or was
    already told (a retried task)."""
    notification, created = Notification.objects.get_or_create(
        recipient=recipient,
        key=key,
        defaults={
            "kind": kind,
            "target_type": ContentType.objects.get_for_model(target),
            "target_id": target.pk,
            "subject": subject[:300],
            "link": link[:500],
            "actor": actor,
            "note": note[:500],
        },
    )
    if not created:
        return None
    if not notification_is_visible(notification):
        notification.delete()
        return None
    if recipient.email_frequency == EmailFrequency.IMMEDIATE:
        from ..tasks import notification_email_task

        transaction.on_commit(lambda: notification_email_task.delay(notification.pk))
    return notification


def notification_send_many(
    *,
    recipients,
    kind: str,
    target: models.Model,
    subject: str,
    link: str,
    key: str,
    actor: User | None = None,
) -> int:
    """``notification_send`` for many members at once (the followers of a Knowledge Factory
    item): ``recipients`` is a queryset of members ALREADY narrowed by the target's audience
    rule read the other way (``community.visibility.*_audience_filter``). A constant number of
    queries whatever their number; once per member and ``key`` (a retried task inserts nothing);
    the immediate e-mails and the digests check the target's rule again when they send.
    Returns how many members were notified now."""
    target_type = ContentType.objects.get_for_model(target)
    already = Notification.objects.filter(key=key, recipient=models.OuterRef("pk"))
    new = list(
        recipients.filter(is_active=True)
        .exclude(models.Exists(already))
        .values_list("pk", "email_frequency")
    )
    if not new:
        return 0
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk,
                kind=kind,
                target_type=target_type,
                target_id=target.pk,
                subject=subject[:300],
                link=link[:500],
                key=key,
                actor=actor,
            )
            for pk, _frequency in new
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    immediate = [pk for pk, frequency in new if frequency == EmailFrequency.IMMEDIATE]
    if immediate:
        from ..tasks import notification_email_task

        ids = list(
            Notification.objects.filter(
                key=key, recipient_id__in=immediate, emailed_at__isnull=True
            ).values_list("pk", flat=True)
        )
        transaction.on_commit(lambda: [notification_email_task.delay(pk) for pk in ids])
    return len(new)


# The badge counts up to this many, then says "99+".
UNREAD_BADGE_CAP = 99


def notification_unread_count(user) -> int:
    """How many unread notifications ``user`` may still open, counted among their newest
    unread ones (at most ``UNREAD_BADGE_CAP`` + 1 are looked at). Bounded on purpose: the
    badge is on every page, and checking the visibility rule for a handful of rows lets
    PostgreSQL probe each target by primary key instead of listing every visible one (100,000
    Knowledge Factory items)."""
    newest = (
        Notification.objects.filter(recipient=user, read_at__isnull=True)
        .order_by("-created_at", "-id")
        .values("pk")[: UNREAD_BADGE_CAP + 1]
    )
    return Notification.objects.filter(notification_filter(user), pk__in=newest).count()


def notification_badge(user) -> str:
    """What the header's badge says: nothing, the count, or "99+"."""
    count = notification_unread_count(user)
    if count > UNREAD_BADGE_CAP:
        return f"{UNREAD_BADGE_CAP}+"
    return str(count) if count else ""


def notification_pending_for(user):
    """Not yet e-mailed, still visible: what the next digest holds."""
    return notification_list_for(user).filter(emailed_at__isnull=True, skipped_at__isnull=True)


def post_recipients(post: Post, *, new_thread: bool) -> dict[int, str]:
    """Member id -> notification kind for a new post, before the visibility check.

    Mentions of members the author may see in the directory always notify; replies go to the thread's watchers (its author watches by default)
    and new threads to the room's watchers, minus those who muted the thread or the room.
    """
    thread, room = post.thread, post.thread.room
    recipients: dict[int, str] = {}
    watchers = Subscription.objects.filter(mode=Subscription.Mode.WATCH)
    muted = set(
        Subscription.objects.filter(
            Q(room=room) | Q(thread=thread), mode=Subscription.Mode.MUTE
        ).values_list("user_id", flat=True)
    )
    if new_thread:
        for uid in watchers.filter(room=room).values_list("user_id", flat=True):
            recipients[uid] = Notification.Kind.NEW_THREAD
    else:
        ids = set(watchers.filter(thread=thread).values_list("user_id", flat=True))
        if thread.author_id:
            ids.add(thread.author_id)
        for uid in ids:
            recipients[uid] = Notification.Kind.REPLY
    recipients = {uid: kind for uid, kind in recipients.items() if uid not in muted}
    handles = mentioned_handles(post.body)
    if handles:
        # Only members the author may look up in the directory: typing a hidden member's handle
        # must not reach them (nor, through their answer, tell the author the handle is real).
        mentioned = User.objects.filter(member_filter(post.author), handle__in=handles)
        for uid in mentioned.values_list("pk", flat=True):
            recipients[uid] = Notification.Kind.MENTION
    recipients.pop(post.author_id, None)
    return recipients


def notifications_create_for_post(post: Post, *, new_thread: bool) -> list[Notification]:
    created = []
    recipients = post_recipients(post, new_thread=new_thread)
    members = User.objects.filter(room_audience_filter(post.thread.room), pk__in=recipients)
    for member in members:
        notification, was_created = Notification.objects.get_or_create(
            recipient=member,
            kind=recipients[member.pk],
            post=post,
            defaults={"actor_id": post.author_id},
        )
        if was_created:
            created.append(notification)
    return created


def notification_mark_read(*, user: User, notification_id: int | None = None, post=None) -> int:
    """Mark the member's own notifications read: one (by id, about ``post``) or all."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id, post=post)
    return unread.update(read_at=timezone.now())


# --- What e-mails say ----------------------------------------------------------------------------
#
# A mailbox is not the platform: it is forwarded, synchronised to phones, read by assistants. A
# room whose e-mails carry no text (Room.emails_carry_text: by default LEA-only and private rooms)
# is announced without its posts' text, thread title, author or moderator's note: only that
# there is something new, and a link.


def email_room_label(room: Room):
    """How an e-mail names a room it does not quote: a private room's name may say as much as a
    thread title. Lazy, so it is translated in the recipient's language when rendered."""
    return gettext_lazy("a private room") if room.is_private else room.name


def notification_email_context(notification: Notification) -> dict:
    """The context of the immediate notification e-mail (community/email/notification_*)."""
    if notification.post_id is None:
        return {"notification": notification, "post": None}
    room = notification.post.thread.room
    return {
        "notification": notification,
        "post": notification.post,
        "carries_text": room.emails_carry_text,
        "room_label": email_room_label(room),
    }


def digest_context(member: User, notifications: list[Notification]) -> dict:
    """The context of a digest (community/email/digest_*): notifications from rooms whose
    e-mails carry text one by one with an excerpt; the others only counted, per room (all
    private rooms counted together, unnamed)."""
    quoted, counted, others = [], {}, []
    for notification in notifications:
        if notification.post_id is None:
            others.append(notification)
            continue
        room = notification.post.thread.room
        if room.emails_carry_text:
            quoted.append(notification)
            continue
        key = "private" if room.is_private else room.pk
        group = counted.setdefault(key, {"label": email_room_label(room), "count": 0})
        group["count"] += 1
    return {
        "member": member,
        "notifications": notifications,
        "quoted": quoted,
        "counted": list(counted.values()),
        "others": others,
    }


@transaction.atomic
def email_notifications_stop(*, member: User) -> bool:
    """Turn off the member's notification e-mails (digests and news too), as the unsubscribe
    link of an e-mail asks. The member is the actor: the signed link speaks for them. Returns
    whether anything changed (a second click, or a mail scanner's, records nothing)."""
    member = User.objects.select_for_update().get(pk=member.pk)
    if member.email_frequency == EmailFrequency.OFF:
        return False
    before = member.email_frequency
    member.email_frequency = EmailFrequency.OFF
    member.preferences_saved_at = member.preferences_saved_at or timezone.now()
    member.save(update_fields=["email_frequency", "preferences_saved_at"])
    audit_log(actor=member, action="member.email_unsubscribe", target=member,
              email_frequency=[before, EmailFrequency.OFF])  # fmt: skip
    return True
