"""Who is told about a new post, and what a member's notifications and digests contain.

Every list here is filtered by the visibility rule at the moment it is read or sent, not when
the notification was created: a post hidden or moved, or a member who lost access, means the
notification silently disappears from the list, the e-mail and the digest.
"""

from django.db.models import Q
from django.utils import timezone

from ..models import Notification, Post, Subscription, User
from ..visibility import post_filter, room_audience_filter
from .forum import mentioned_handles


def notification_list_for(user):
    """The member's notifications whose post they can still open."""
    return (
        Notification.objects.filter(post_filter(user, prefix="post__"), recipient=user)
        .select_related("post__thread__room", "actor")
        .order_by("-created_at", "-id")
    )


def notification_unread_count(user) -> int:
    return notification_list_for(user).filter(read_at__isnull=True).count()


def notification_pending_for(user):
    """Not yet e-mailed, still visible: what the next digest holds."""
    return notification_list_for(user).filter(emailed_at__isnull=True, skipped_at__isnull=True)


def post_recipients(post: Post, *, new_thread: bool) -> dict[int, str]:
    """Member id -> notification kind for a new post, before the visibility check.

    Mentions always notify; replies go to the thread's watchers (its author watches by default)
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
        for uid in User.objects.filter(handle__in=handles).values_list("pk", flat=True):
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
