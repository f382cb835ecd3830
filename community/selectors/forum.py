"""Reads of the discussion rooms, scoped to a reader and already joined: each page costs a
fixed number of queries whatever the number of rooms, threads or posts."""

from datetime import timedelta

from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from ..models import Attachment, Post, ReadState, Room, Subscription, Thread, UsefulMark, User
from ..services.forum import MENTION_RE
from ..visibility import member_filter, room_audience_filter, rooms_visible_to

THREADS_PER_PAGE = 30
POSTS_PER_PAGE = 20
# Threads untouched for longer than this count as read (bounds the unread computation).
UNREAD_HORIZON = timedelta(days=90)
# What a thread page shows of a post, its author and attachments. Loading only these is most of
# the page's speed: a post row also holds its Markdown source and search vector, an author row
# a password hash, a bio and a dozen settings, and building them all costs more than the SQL.
POST_PAGE_FIELDS = (
    "thread_id", "author_id", "body_html", "created_at", "edited_at", "is_hidden",
    "hidden_reason", "useful_count", "author__first_name", "author__last_name",
    "author__handle", "author__organisation_visibility", "author__organisation__name",
    # What the directory's rule reads to show an author's organisation (can_see_member_field).
    "author__is_active", "author__deleted_at", "author__country",
    "author__affiliation_verified_at", "author__profile_visibility",
)  # fmt: skip


def _unread_threads(user):
    """Threads with activity after the reader's last visit (none for anonymous readers)."""
    horizon = max(timezone.now() - UNREAD_HORIZON, user.date_joined)
    read = ReadState.objects.filter(
        user=user, thread=OuterRef("pk"), last_read_at__gte=OuterRef("last_post_at")
    )
    return Thread.objects.filter(merged_into__isnull=True, last_post_at__gt=horizon).exclude(
        Exists(read)
    )


def room_list_for(user) -> list[Room]:
    rooms = rooms_visible_to(user, "domain")
    if not user.is_authenticated or not rooms:
        return rooms
    unread = dict(
        _unread_threads(user)
        .filter(room__in=[r.pk for r in rooms])
        .values_list("room_id")
        .annotate(n=Count("pk"))
    )
    modes = dict(
        Subscription.objects.filter(user=user, room__in=[r.pk for r in rooms]).values_list(
            "room_id", "mode"
        )
    )
    for room in rooms:
        room.unread_count = unread.get(room.pk, 0)
        room.subscription = modes.get(room.pk)
    return rooms


def thread_page_for(user, room: Room, page_number) -> object:
    threads = Thread.objects.filter(room=room, merged_into__isnull=True).select_related("author")
    if user.is_authenticated:
        threads = threads.annotate(
            is_unread=Exists(_unread_threads(user).filter(pk=OuterRef("pk")))
        )
    return Paginator(
        threads.order_by("-is_pinned", "-last_post_at", "-pk"), THREADS_PER_PAGE
    ).get_page(page_number)


def post_page_for(user, thread: Thread, page_number, *, sees_hidden: bool = False):
    """A page of the thread's posts. Unless the reader sees hidden posts (moderators), the
    thread's own count of visible posts sizes the pages, which saves a COUNT per view."""
    posts = (
        Post.objects.visible_to(user)
        .filter(thread=thread)
        .select_related("author__organisation")
        .only(*POST_PAGE_FIELDS)
        .prefetch_related(
            Prefetch("attachments", Attachment.objects.only("post_id", "filename", "size"))
        )
        .order_by("created_at", "pk")
    )
    if user.is_authenticated:
        posts = posts.annotate(
            marked_useful=Exists(UsefulMark.objects.filter(post=OuterRef("pk"), user=user))
        )
    paginator = Paginator(posts, POSTS_PER_PAGE)
    if not sees_hidden:
        paginator.count = thread.post_count
    return paginator.get_page(page_number)


def first_unread_page(user, thread: Thread) -> tuple[int, int | None]:
    """The page and id of the reader's first unread post in ``thread`` (last page if none)."""
    state = ReadState.objects.filter(user=user, thread=thread).first()
    posts = Post.objects.visible_to(user).filter(thread=thread)
    unread = posts.filter(created_at__gt=state.last_read_at) if state else posts
    first = unread.order_by("created_at", "pk").values_list("pk", "created_at").first()
    if first is None:
        total = posts.count()
        return max(1, -(-total // POSTS_PER_PAGE)), None
    before = posts.filter(Q(created_at__lt=first[1]) | Q(created_at=first[1], pk__lt=first[0]))
    return before.count() // POSTS_PER_PAGE + 1, first[0]


def post_page_number(user, post: Post) -> int:
    before = Post.objects.visible_to(user).filter(
        Q(created_at__lt=post.created_at) | Q(created_at=post.created_at, pk__lt=post.pk),
        thread_id=post.thread_id,
    )
    return before.count() // POSTS_PER_PAGE + 1


def subscription_mode(user, *, room=None, thread=None) -> str | None:
    if not user.is_authenticated:
        return None
    target = {"room": room} if room is not None else {"thread": thread}
    return Subscription.objects.filter(user=user, **target).values_list("mode", flat=True).first()


# A prefix this short would walk the membership a letter at a time.
MENTION_MIN_CHARS = 2
MENTION_MAX_RESULTS = 8


def mention_candidates(user, room: Room, prefix: str):
    """Members ``user`` may mention in ``room``: those who can see the room (the visibility rule)
    *and* whom ``user`` may see in the member directory (the same rule as /members/), so the
    autocomplete never names someone its asker could not look up. Matched on what the directory
    shows, the handle and the name; never on the e-mail address."""
    prefix = (prefix or "").strip().lstrip("@")[:60]
    if len(prefix) < MENTION_MIN_CHARS:
        return User.objects.none()
    return (
        User.objects.filter(room_audience_filter(room) & member_filter(user))
        .filter(
            Q(handle__istartswith=prefix)
            | Q(first_name__istartswith=prefix)
            | Q(last_name__istartswith=prefix)
        )
        .exclude(pk=user.pk)
        .only("handle", "first_name", "last_name")
        .order_by("handle")[:MENTION_MAX_RESULTS]
    )


def mention_urls_for(viewer, posts) -> dict[str, str]:
    """The page of each member mentioned in ``posts`` whom ``viewer`` may see (one query, none
    without mentions), by lower-case handle: a mention of anyone else stays plain text, so a
    post does not reveal who is in the directory to a reader who may not browse it."""
    handles = {
        handle.rstrip(".").lower()
        for post in posts
        for handle in MENTION_RE.findall(post.body_html)
    }
    if not handles:
        return {}
    visible = User.objects.filter(member_filter(viewer), handle__in=handles).values_list(
        "handle", flat=True
    )
    return {handle: reverse("community:member-detail", args=[handle]) for handle in visible}
