"""Writes of the discussion rooms: rooms, threads, posts, attachments, marks, reading, watching.

Denormalised counters (room and thread post counts, last activity) are updated here, under a
row lock, in the same transaction as the change they count.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from ileanet import ratelimit
from ileanet.markdown import render_markdown

from ..audit import audit_log
from ..models import (
    Attachment,
    Post,
    PostRevision,
    ReadState,
    Room,
    RoomUserObjectPermission,
    Subscription,
    Thread,
    UsefulMark,
    User,
)
from ..roles import is_community_manager
from ..search import post_index
from ..visibility import (
    can_edit_post,
    can_moderate_room,
    can_post_in_room,
    can_reply_in_thread,
)

MENTION_RE = re.compile(r"(?<![\w@])@([a-z0-9][a-z0-9._-]{0,59})", re.IGNORECASE)

# Attachments: what may be uploaded, and how big (SPEC §2.4, §6.4).
ATTACHMENT_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
}
# What the first bytes of each type must look like (a renamed executable is refused).
_MAGIC = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".pptx": (b"PK\x03\x04",),
    ".odt": (b"PK\x03\x04",),
}
MAX_ATTACHMENT_BYTES = getattr(settings, "MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)
MAX_ATTACHMENTS_PER_POST = 5


@dataclass(frozen=True)
class CheckedUpload:
    upload: object
    filename: str
    content_type: str


def attachments_check(files) -> list[CheckedUpload]:
    """Validate uploads before anything is written: a refused file stores nothing at all."""
    files = list(files or [])
    if len(files) > MAX_ATTACHMENTS_PER_POST:
        raise ValidationError(
            {"attachments": _("At most %(n)d files per post.") % {"n": MAX_ATTACHMENTS_PER_POST}}
        )
    checked = []
    for upload in files:
        name = (upload.name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
        extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
        if extension not in ATTACHMENT_TYPES:
            raise ValidationError(
                {"attachments": _("%(name)s: this type of file is not allowed.") % {"name": name}}
            )
        if upload.size > MAX_ATTACHMENT_BYTES:
            raise ValidationError(
                {
                    "attachments": _("%(name)s is larger than %(mb)d MB.")
                    % {"name": name, "mb": MAX_ATTACHMENT_BYTES // (1024 * 1024)}
                }
            )
        head = upload.read(16)
        upload.seek(0)
        magic = _MAGIC.get(extension)
        if magic and not head.startswith(magic):
            raise ValidationError(
                {"attachments": _("%(name)s is not the file type its name says.") % {"name": name}}
            )
        checked.append(CheckedUpload(upload, name, ATTACHMENT_TYPES[extension]))
    return checked


def _attach(*, post: Post, actor: User, uploads: list[CheckedUpload]) -> None:
    for item in uploads:
        attachment = Attachment(
            post=post,
            filename=item.filename,
            content_type=item.content_type,
            size=item.upload.size,
            uploaded_by=actor,
        )
        attachment.file.save(item.filename, item.upload, save=False)
        attachment.save()


def _check_rate(actor: User) -> None:
    if not ratelimit.allow("post", actor.pk, default="20/60"):
        raise ValidationError(
            _("You are posting very fast. Wait a minute, then try again."), code="rate_limited"
        )


def _new_post(*, thread: Thread, actor: User, body: str, uploads) -> Post:
    post = Post(thread=thread, author=actor, body=body, body_html=render_markdown(body))
    post.full_clean(exclude=["thread", "author", "body_html"])
    post.save()
    _attach(post=post, actor=actor, uploads=uploads)
    return post


def mentioned_handles(body: str) -> set[str]:
    return {m.lower() for m in MENTION_RE.findall(body or "")}


# --- Rooms ------------------------------------------------------------------------------------


@transaction.atomic
def room_create(*, actor: User, **fields) -> Room:
    if not is_community_manager(actor):
        raise PermissionDenied
    room = Room(created_by=actor, **fields)
    room.full_clean()
    room.save()
    audit_log(actor=actor, action="room.create", target=room, tier=room.tier)
    return room


@transaction.atomic
def room_update(*, actor: User, room: Room, **fields) -> Room:
    if not is_community_manager(actor):
        raise PermissionDenied
    before = {name: getattr(room, name) for name in fields}
    for name, value in fields.items():
        setattr(room, name, value)
    room.full_clean()
    room.save()
    changes = {k: [str(v), str(fields[k])] for k, v in before.items() if v != fields[k]}
    audit_log(actor=actor, action="room.update", target=room, **changes)
    return room


@transaction.atomic
def room_grant(
    *, actor: User, room: Room, member: User, moderator: bool = False
) -> RoomUserObjectPermission:
    """Add a member to a private room, or make them a moderator of the room."""
    if not is_community_manager(actor):
        raise PermissionDenied
    codename = "community.moderate_room" if moderator else "community.access_room"
    grant = assign_perm(codename, member, room)
    audit_log(
        actor=actor,
        action="room.moderator_add" if moderator else "room.member_add",
        target=room,
        member=member.pk,
    )
    return grant


@transaction.atomic
def room_revoke(
    *, actor: User, room: Room, member: User, moderator: bool = False, reason: str = ""
) -> None:
    """Remove a member from a private room (or a moderator from the room). Room moderators may
    remove members; only community managers change moderators."""
    allowed = is_community_manager(actor) or (not moderator and can_moderate_room(actor, room))
    if not allowed:
        raise PermissionDenied
    remove_perm("community.moderate_room" if moderator else "community.access_room", member, room)
    audit_log(
        actor=actor,
        action="room.moderator_remove" if moderator else "room.member_remove",
        target=room,
        reason=reason,
        member=member.pk,
    )


def room_counters_refresh(room_ids) -> None:
    """Recount rooms from their threads (after moves and merges)."""
    for room in Room.objects.select_for_update().filter(pk__in=set(room_ids)):
        stats = Thread.objects.filter(room=room, merged_into__isnull=True).aggregate(
            threads=Count("pk"), posts=Count("posts", filter=Q(posts__is_hidden=False))
        )
        room.thread_count = stats["threads"]
        room.post_count = stats["posts"]
        room.last_post_at = Post.objects.filter(thread__room=room, is_hidden=False).aggregate(
            at=Max("created_at")
        )["at"]
        room.save(update_fields=["thread_count", "post_count", "last_post_at"])


def thread_counters_refresh(thread: Thread) -> None:
    stats = Post.objects.filter(thread=thread, is_hidden=False).aggregate(
        n=Count("pk"), last=Max("created_at")
    )
    thread.post_count = stats["n"]
    thread.last_post_at = stats["last"] or thread.created_at
    thread.save(update_fields=["post_count", "last_post_at"])


# --- Threads and posts ------------------------------------------------------------------------


@transaction.atomic
def thread_create(*, actor: User, room: Room, title: str, body: str, files=()) -> Thread:
    if not can_post_in_room(actor, room):
        raise PermissionDenied
    _check_rate(actor)
    uploads = attachments_check(files)
    room = Room.objects.select_for_update().get(pk=room.pk)
    thread = Thread(room=room, author=actor, title=title.strip())
    thread.full_clean(exclude=["room", "author"])
    thread.save()
    post = _new_post(thread=thread, actor=actor, body=body, uploads=uploads)
    thread.post_count, thread.last_post_at = 1, post.created_at
    thread.save(update_fields=["post_count", "last_post_at"])
    Room.objects.filter(pk=room.pk).update(
        thread_count=F("thread_count") + 1,
        post_count=F("post_count") + 1,
        last_post_at=post.created_at,
    )
    post_index(post)
    thread_read(user=actor, thread=thread)
    _after_post(post, new_thread=True)
    return thread


@transaction.atomic
def post_create(*, actor: User, thread: Thread, body: str, files=()) -> Post:
    thread = Thread.objects.select_for_update().select_related("room").get(pk=thread.pk)
    if not can_reply_in_thread(actor, thread):
        raise PermissionDenied
    _check_rate(actor)
    uploads = attachments_check(files)
    post = _new_post(thread=thread, actor=actor, body=body, uploads=uploads)
    Thread.objects.filter(pk=thread.pk).update(
        post_count=F("post_count") + 1, last_post_at=post.created_at
    )
    Room.objects.filter(pk=thread.room_id).update(
        post_count=F("post_count") + 1, last_post_at=post.created_at
    )
    post_index(post)
    thread_read(user=actor, thread=thread)
    _after_post(post, new_thread=False)
    return post


def _after_post(post: Post, *, new_thread: bool) -> None:
    from ..tasks import notifications_fanout_task

    transaction.on_commit(lambda: notifications_fanout_task.delay(post.pk, new_thread))


@transaction.atomic
def post_edit(*, actor: User, post: Post, body: str, title: str | None = None, reason: str = ""):
    """Edit a post (its author, or a moderator who must give a reason). The previous text is
    kept as a revision; a moderator's edit is audited and its author notified.

    A moderator edits someone else's post to take something out of it (a name, an operational
    detail): that edit is a redaction, so the earlier versions lose their text (the revisions
    keep who edited, when and why) and the search index is rebuilt from the new text. E-mails
    are rendered from the post when they are sent, so none sent later quotes the old text."""
    post = Post.objects.select_for_update().select_related("thread__room").get(pk=post.pk)
    if not can_edit_post(actor, post):
        raise PermissionDenied
    by_moderator = post.author_id != actor.pk
    if by_moderator and not reason.strip():
        raise ValidationError({"reason": _("Say why you edit someone else's post.")})
    if by_moderator:
        post.revisions.update(body="")
    PostRevision.objects.create(
        post=post, body="" if by_moderator else post.body, edited_by=actor, reason=reason.strip()
    )
    post.body = body
    post.body_html = render_markdown(body)
    post.edited_at = timezone.now()
    post.full_clean(exclude=["thread", "author", "body_html"])
    post.save(update_fields=["body", "body_html", "edited_at"])
    thread = post.thread
    is_first = not Post.objects.filter(thread=thread, created_at__lt=post.created_at).exists()
    if title is not None and is_first and title.strip() and title.strip() != thread.title:
        thread.title = title.strip()
        thread.full_clean(exclude=["room", "author"])
        thread.save(update_fields=["title"])
    post_index(post)
    if by_moderator:
        audit_log(actor=actor, action="post.edit", target=post, reason=reason)
        from .moderation import notify_author

        notify_author(post=post, actor=actor, note=_("edited: %(reason)s") % {"reason": reason})
    return post


@transaction.atomic
def post_mark_useful(*, actor: User, post: Post) -> bool:
    """Toggle the actor's "useful" mark; returns whether the post is now marked."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.author_id == actor.pk:
        raise ValidationError(_("You cannot mark your own post as useful."))
    deleted, _detail = UsefulMark.objects.filter(post=post, user=actor).delete()
    if deleted:
        Post.objects.filter(pk=post.pk).update(useful_count=F("useful_count") - 1)
        return False
    UsefulMark.objects.create(post=post, user=actor)
    Post.objects.filter(pk=post.pk).update(useful_count=F("useful_count") + 1)
    return True


def thread_read(*, user: User, thread: Thread, up_to=None) -> None:
    """Remember that ``user`` has read ``thread`` up to ``up_to`` (default: its last post).
    Never moves backwards. One statement: it runs on every thread page view."""
    up_to = up_to or thread.last_post_at or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {ReadState._meta.db_table} (user_id, thread_id, last_read_at)
            VALUES (%s, %s, %s)
            ON CONFLICT (user_id, thread_id) DO UPDATE
            SET last_read_at = GREATEST(EXCLUDED.last_read_at,
                                        {ReadState._meta.db_table}.last_read_at)
            """,  # noqa: S608 - the table name is the model's, never user input
            [user.pk, thread.pk, up_to],
        )


def subscription_set(*, user: User, mode: str | None, room: Room = None, thread: Thread = None):
    """Watch, mute, or (mode None) return to the default for a room or a thread."""
    target = {"room": room} if room is not None else {"thread": thread}
    if mode is None:
        Subscription.objects.filter(user=user, **target).delete()
        return None
    if mode not in Subscription.Mode.values:
        raise ValidationError(_("Unknown subscription mode."))
    subscription, _created = Subscription.objects.update_or_create(
        user=user, **target, defaults={"mode": mode}
    )
    return subscription
