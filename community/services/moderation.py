"""Moderation (SPEC §2.5): flags, hide/unhide, lock, pin, move, merge, warn, suspend, remove.

Every action checks the actor's right in the room concerned (room moderators and community
managers, through ``community.visibility``), writes its audit entry in the same transaction,
and tells the member concerned.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..audit import audit_log
from ..models import Flag, Notification, Post, Room, Sanction, Thread, User
from ..roles import is_administrator, is_community_manager
from ..visibility import audience_widens, can_moderate_room, room_filter, visibility_changed
from .forum import room_counters_refresh, thread_counters_refresh
from .network import national_contact_leave

MAX_SUSPENSION = timedelta(days=365)


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason: it is recorded in the audit log.")})
    return reason


def _require_moderator(actor: User, room: Room) -> None:
    if not can_moderate_room(actor, room):
        raise PermissionDenied


def notify_author(*, post: Post, actor: User, note: str) -> None:
    """Tell a post's author what a moderator did to it (in-app, and by e-mail per their
    preference). Sent only to an author who can still see the post's room."""
    if post.author_id is None or post.author_id == actor.pk:
        return
    notification, _created = Notification.objects.update_or_create(
        recipient_id=post.author_id,
        kind=Notification.Kind.MODERATION,
        post=post,
        defaults={
            "actor": actor,
            "note": note[:500],
            "created_at": timezone.now(),
            "read_at": None,
            "emailed_at": None,
            "skipped_at": None,
        },
    )
    from ..tasks import notification_email_task

    transaction.on_commit(lambda: notification_email_task.delay(notification.pk))


# --- Flags --------------------------------------------------------------------------------------


@transaction.atomic
def flag_create(*, actor: User, post: Post, reason: str) -> Flag:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say what is wrong with this post.")})
    if post.author_id == actor.pk:
        raise ValidationError(_("You cannot flag your own post."))
    try:
        with transaction.atomic():
            flag = Flag.objects.create(post=post, reporter=actor, reason=reason[:2000])
    except IntegrityError:
        raise ValidationError(_("You have already flagged this post.")) from None
    return flag


@transaction.atomic
def flag_dismiss(*, actor: User, flag: Flag, reason: str = "") -> Flag:
    flag = Flag.objects.select_for_update().select_related("post__thread__room").get(pk=flag.pk)
    _require_moderator(actor, flag.post.thread.room)
    _close_flags(actor=actor, post=flag.post, status=Flag.Status.DISMISSED, only=flag)
    audit_log(actor=actor, action="flag.dismiss", target=flag.post, reason=reason, flag=flag.pk)
    return flag


def _close_flags(*, actor, post, status, only=None) -> None:
    flags = Flag.objects.filter(post=post, status=Flag.Status.OPEN)
    if only is not None:
        flags = flags.filter(pk=only.pk)
    flags.update(status=status, resolved_by=actor, resolved_at=timezone.now())


# --- Posts --------------------------------------------------------------------------------------


@transaction.atomic
def post_hide(*, actor: User, post: Post, reason: str) -> Post:
    reason = _require_reason(reason)
    post = Post.objects.select_for_update().select_related("thread__room").get(pk=post.pk)
    _require_moderator(actor, post.thread.room)
    if post.is_hidden:
        return post
    post.is_hidden, post.hidden_reason = True, reason
    post.save(update_fields=["is_hidden", "hidden_reason"])
    thread_counters_refresh(post.thread)
    room_counters_refresh([post.thread.room_id])
    _close_flags(actor=actor, post=post, status=Flag.Status.ACTIONED)
    audit_log(actor=actor, action="post.hide", target=post, reason=reason, room=post.thread.room_id)
    notify_author(post=post, actor=actor, note=_("hidden: %(reason)s") % {"reason": reason})
    return post


@transaction.atomic
def post_unhide(*, actor: User, post: Post, reason: str = "") -> Post:
    post = Post.objects.select_for_update().select_related("thread__room").get(pk=post.pk)
    _require_moderator(actor, post.thread.room)
    if not post.is_hidden:
        return post
    post.is_hidden, post.hidden_reason = False, ""
    post.save(update_fields=["is_hidden", "hidden_reason"])
    thread_counters_refresh(post.thread)
    room_counters_refresh([post.thread.room_id])
    audit_log(actor=actor, action="post.unhide", target=post, reason=reason)
    return post


# --- Threads ------------------------------------------------------------------------------------


@transaction.atomic
def thread_set_state(
    *,
    actor: User,
    thread: Thread,
    locked: bool | None = None,
    pinned: bool | None = None,
    reason: str = "",
) -> Thread:
    thread = Thread.objects.select_for_update().select_related("room").get(pk=thread.pk)
    _require_moderator(actor, thread.room)
    fields = []
    if locked is not None and locked != thread.is_locked:
        thread.is_locked = locked
        fields.append("is_locked")
        audit_log(actor=actor, action="thread.lock" if locked else "thread.unlock",
                  target=thread, reason=reason)  # fmt: skip
    if pinned is not None and pinned != thread.is_pinned:
        thread.is_pinned = pinned
        fields.append("is_pinned")
        audit_log(actor=actor, action="thread.pin" if pinned else "thread.unpin",
                  target=thread, reason=reason)  # fmt: skip
    if fields:
        thread.save(update_fields=fields)
    return thread


def _audience(room: Room) -> dict:
    return {"room": room.pk, "tier": room.tier, "private": room.is_private}


def _check_widening(source: Room, target: Room, *, confirmed: bool) -> bool:
    """Posts going from ``source`` to ``target`` may reach members who could not read them: a
    moderator says so explicitly (the audit entry records it) or nothing happens."""
    widens = source.pk != target.pk and audience_widens(source, target)
    if widens and not confirmed:
        raise ValidationError(
            {
                "confirm_wider": _(
                    "“%(target)s” has a wider audience than “%(source)s”: members who cannot "
                    "read this thread now would read it there. Confirm to go ahead."
                )
                % {"target": target.name, "source": source.name}
            }
        )
    return widens


@transaction.atomic
def thread_move(
    *, actor: User, thread: Thread, room: Room, reason: str, widening_confirmed: bool = False
) -> Thread:
    """Move a thread to another room. Its posts are seen by the new room's audience from the
    next request on: visibility is always computed from the room, never copied. A wider
    audience needs ``widening_confirmed``."""
    reason = _require_reason(reason)
    thread = Thread.objects.select_for_update().select_related("room").get(pk=thread.pk)
    _require_moderator(actor, thread.room)
    _require_moderator(actor, room)
    if room.pk == thread.room_id:
        return thread
    source = thread.room
    widens = _check_widening(source, room, confirmed=widening_confirmed)
    thread.room = room
    thread.save(update_fields=["room"])
    room_counters_refresh([source.pk, room.pk])
    audit_log(actor=actor, action="thread.move", target=thread, reason=reason,
              from_room=source.pk, to_room=room.pk, from_audience=_audience(source),
              to_audience=_audience(room), widened=widens)  # fmt: skip
    return thread


@transaction.atomic
def thread_merge(
    *, actor: User, source: Thread, target: Thread, reason: str, widening_confirmed: bool = False
) -> Thread:
    """Move every post of ``source`` into ``target``; ``source`` stays as a pointer. A target
    room with a wider audience needs ``widening_confirmed``."""
    reason = _require_reason(reason)
    if source.pk == target.pk:
        raise ValidationError(_("A thread cannot be merged into itself."))
    source, target = (
        Thread.objects.select_for_update().select_related("room").get(pk=t.pk)
        for t in (source, target)
    )
    _require_moderator(actor, source.room)
    _require_moderator(actor, target.room)
    if target.merged_into_id:
        raise ValidationError(_("The target thread was itself merged away."))
    widens = _check_widening(source.room, target.room, confirmed=widening_confirmed)
    Post.objects.filter(thread=source).update(thread=target)
    source.merged_into = target
    source.is_locked = True
    source.save(update_fields=["merged_into", "is_locked"])
    thread_counters_refresh(source)
    thread_counters_refresh(target)
    room_counters_refresh([source.room_id, target.room_id])
    audit_log(actor=actor, action="thread.merge", target=source, reason=reason, into=target.pk,
              from_audience=_audience(source.room), to_audience=_audience(target.room),
              widened=widens)  # fmt: skip
    return target


# --- Members ------------------------------------------------------------------------------------


def _require_manager(actor: User) -> None:
    if not is_community_manager(actor):
        raise PermissionDenied


def _require_may_sanction(actor: User, member: User) -> None:
    """Community managers sanction members; an administrator only another administrator (or a
    manager could lock out, or silence, the people who can take their role away)."""
    _require_manager(actor)
    if is_administrator(member) and not is_administrator(actor):
        raise ValidationError(
            _("Only an administrator may warn, suspend or remove an administrator."),
            code="administrator",
        )


@transaction.atomic
def member_warn(*, actor: User, member: User, reason: str) -> Sanction:
    _require_may_sanction(actor, member)
    reason = _require_reason(reason)
    sanction = Sanction.objects.create(
        member=member, kind=Sanction.Kind.WARNING, reason=reason, created_by=actor
    )
    audit_log(actor=actor, action="member.warn", target=member, reason=reason)
    _email_member(sanction)
    return sanction


@transaction.atomic
def member_suspend(*, actor: User, member: User, days: int, reason: str) -> Sanction:
    """Suspend for ``days``: the member reads nothing and posts nothing until it ends."""
    _require_may_sanction(actor, member)
    reason = _require_reason(reason)
    if member.pk == actor.pk:
        raise ValidationError(_("You cannot suspend yourself."))
    if not 1 <= days <= MAX_SUSPENSION.days:
        raise ValidationError({"days": _("A suspension lasts from 1 to 365 days.")})
    until = timezone.now() + timedelta(days=days)
    member = User.objects.select_for_update().get(pk=member.pk)
    member.suspended_until = until
    member.save(update_fields=["suspended_until"])
    sanction = Sanction.objects.create(
        member=member, kind=Sanction.Kind.SUSPENSION, reason=reason, until=until, created_by=actor
    )
    audit_log(actor=actor, action="member.suspend", target=member, reason=reason,
              until=until.isoformat())  # fmt: skip
    # A suspended member cannot answer for their country: the deputy takes over (or the
    # managers are alerted) now, not when someone notices.
    national_contact_leave(actor=actor, member=member, force=True)
    _email_member(sanction)
    return sanction


@transaction.atomic
def member_unsuspend(*, actor: User, member: User, reason: str = "") -> None:
    _require_may_sanction(actor, member)
    User.objects.filter(pk=member.pk).update(suspended_until=None)
    visibility_changed()
    audit_log(actor=actor, action="member.unsuspend", target=member, reason=reason)


@transaction.atomic
def member_remove(*, actor: User, member: User, reason: str) -> Sanction:
    """Remove a member from the platform: the account is deactivated (posts stay)."""
    _require_may_sanction(actor, member)
    reason = _require_reason(reason)
    if member.pk == actor.pk or member.is_superuser:
        raise ValidationError(_("This account cannot be removed here."))
    User.objects.filter(pk=member.pk).update(is_active=False)
    visibility_changed()
    sanction = Sanction.objects.create(
        member=member, kind=Sanction.Kind.REMOVAL, reason=reason, created_by=actor
    )
    audit_log(actor=actor, action="member.remove", target=member, reason=reason)
    national_contact_leave(actor=actor, member=member, force=True)
    _email_member(sanction)
    return sanction


def _email_member(sanction: Sanction) -> None:
    from ..tasks import sanction_email_task

    transaction.on_commit(lambda: sanction_email_task.delay(sanction.pk))


def moderation_queue_for(user):
    """Open flags in the rooms ``user`` moderates (oldest first)."""
    from ..visibility import moderated_room_filter

    rooms = Room.objects.filter(moderated_room_filter(user) & room_filter(user)).values("pk")
    return (
        Flag.objects.filter(status=Flag.Status.OPEN, post__thread__room__in=rooms)
        .select_related("post__thread__room", "post__author", "reporter")
        .order_by("created_at")
    )
