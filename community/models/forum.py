"""Discussion rooms, threads, posts and everything that hangs off a post (SPEC §2.3 to §2.5).

Who may see any of these is decided in ``community.visibility`` and nowhere else.
"""

import secrets

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase

from community.tiers import Tier

from .members import Domain


class RoomQuerySet(models.QuerySet):
    def visible_to(self, user):
        from community.visibility import room_filter

        return self.filter(room_filter(user))


class Room(models.Model):
    class EmailContent(models.TextChoices):
        # "auto" follows the audience, so a room moved to a narrower tier stops carrying text.
        AUTO = "auto", _("As the audience suggests (no text for LEA-only and private rooms)")
        EXCERPT = "excerpt", _("An excerpt of each post")
        NONE = "none", _("No post text: only that there are new posts, and a link")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    tier = models.CharField(_("audience"), max_length=16, choices=Tier.choices)
    is_private = models.BooleanField(
        _("private"), default=False, help_text=_("Only its listed members (within the audience).")
    )
    domain = models.ForeignKey(
        Domain, verbose_name=_("domain"), on_delete=models.SET_NULL, null=True, blank=True
    )
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    is_archived = models.BooleanField(_("archived"), default=False)
    # Whether notification e-mails and digests quote the room's posts (as Zulip lets an
    # organisation keep message content out of e-mail): mailboxes are not the platform.
    email_content = models.CharField(
        _("post text in e-mails"),
        max_length=8,
        choices=EmailContent.choices,
        default=EmailContent.AUTO,
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Denormalised for the room list (kept by the post/thread services, under a row lock).
    thread_count = models.PositiveIntegerField(default=0, editable=False)
    post_count = models.PositiveIntegerField(default=0, editable=False)
    last_post_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = RoomQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        permissions = [
            ("access_room", _("Is a member of the private room")),
            ("moderate_room", _("Moderates the room")),
        ]

    def __str__(self):
        return self.name

    @property
    def emails_carry_text(self) -> bool:
        if self.email_content == self.EmailContent.AUTO:
            return self.tier != Tier.LEA and not self.is_private
        return self.email_content == self.EmailContent.EXCERPT


class RoomUserObjectPermission(UserObjectPermissionBase):
    """Guardian grants on rooms with a real foreign key, so the visibility rule joins it."""

    content_object = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="grants")

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("room grant")
        verbose_name_plural = _("room grants")


class ThreadQuerySet(models.QuerySet):
    def visible_to(self, user):
        from community.visibility import thread_filter

        return self.filter(thread_filter(user))


class Thread(models.Model):
    room = models.ForeignKey(
        Room, verbose_name=_("room"), on_delete=models.CASCADE, related_name="threads"
    )
    title = models.CharField(_("title"), max_length=200)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="threads"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    is_pinned = models.BooleanField(_("pinned"), default=False)
    is_locked = models.BooleanField(_("locked"), default=False)
    # A merged thread keeps its row (old links redirect) but has no posts left.
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Denormalised, kept by the services: visible (not hidden) posts only.
    post_count = models.PositiveIntegerField(default=0, editable=False)
    last_post_at = models.DateTimeField(default=timezone.now, editable=False)
    # The title alone, for the global search (ileanet.search): a title match is found through
    # its own GIN index however many post bodies share the word. Computed by PostgreSQL on
    # every write (a generated column), so a rename, a merge or an admin edit cannot leave it
    # stale.
    title_vector = models.GeneratedField(
        expression=SearchVector("title", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = ThreadQuerySet.as_manager()

    class Meta:
        ordering = ["-is_pinned", "-last_post_at"]
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        indexes = [
            models.Index(
                fields=["room", "-is_pinned", "-last_post_at"], name="thread_room_listing"
            ),
            GinIndex(fields=["title_vector"], name="thread_title_search"),
        ]

    def __str__(self):
        return self.title


class PostQuerySet(models.QuerySet):
    def visible_to(self, user):
        from community.visibility import post_filter

        return self.filter(post_filter(user))


class Post(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="posts"
    )
    body = models.TextField(_("message"), max_length=50_000)
    body_html = models.TextField(editable=False)
    created_at = models.DateTimeField(_("posted"), default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    is_hidden = models.BooleanField(_("hidden by a moderator"), default=False)
    hidden_reason = models.TextField(_("why it is hidden"), blank=True)
    useful_count = models.PositiveIntegerField(default=0, editable=False)
    # The thread's title (weight A, first post only) and the body (weight B); kept by the
    # services through community.search.post_index.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        indexes = [
            models.Index(fields=["thread", "created_at", "id"], name="post_thread_order"),
            GinIndex(fields=["search_vector"], name="post_search"),
        ]

    def __str__(self):
        return f"#{self.pk} in {self.thread_id}"


class PostRevision(models.Model):
    """The text a post had before an edit (edit history)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    edited_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        ordering = ["-edited_at"]
        verbose_name = _("post revision")
        verbose_name_plural = _("post revisions")

    def __str__(self):
        return f"{self.post_id} @ {self.edited_at:%Y-%m-%d %H:%M}"


def attachment_path(instance, filename):
    # Random names: the stored path reveals nothing and cannot be guessed.
    return f"attachments/{timezone.now():%Y/%m}/{secrets.token_hex(16)}"


class AttachmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        from community.visibility import attachment_filter

        return self.filter(attachment_filter(user))


class Attachment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.filename


class UsefulMark(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="useful_marks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("useful mark")
        verbose_name_plural = _("useful marks")
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="useful_once")]

    def __str__(self):
        return f"{self.user_id} → {self.post_id}"


class ReadState(models.Model):
    """How far a member has read a thread (for unread counts and "first unread")."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="read_states")
    last_read_at = models.DateTimeField()

    class Meta:
        verbose_name = _("read state")
        verbose_name_plural = _("read states")
        constraints = [models.UniqueConstraint(fields=["user", "thread"], name="read_state_once")]

    def __str__(self):
        return f"{self.user_id} read {self.thread_id}"


class Subscription(models.Model):
    """Watch or mute a room or a thread."""

    class Mode(models.TextChoices):
        WATCH = "watch", _("Watch")
        MUTE = "mute", _("Mute")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions"
    )
    room = models.ForeignKey(
        Room, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    mode = models.CharField(max_length=8, choices=Mode.choices)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.CheckConstraint(
                condition=Q(room__isnull=True) ^ Q(thread__isnull=True),
                name="subscription_room_xor_thread",
            ),
            models.UniqueConstraint(
                fields=["user", "room"],
                condition=Q(room__isnull=False),
                name="subscription_room_once",
            ),
            models.UniqueConstraint(
                fields=["user", "thread"],
                condition=Q(thread__isnull=False),
                name="subscription_thread_once",
            ),
        ]

    def __str__(self):
        return f"{self.user_id} {self.mode} {self.room_id or self.thread_id}"


class Flag(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ACTIONED = "actioned", _("actioned")
        DISMISSED = "dismissed", _("dismissed")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="flags")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.TextField(_("reason"), max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [
            models.UniqueConstraint(
                fields=["post", "reporter"],
                condition=Q(status="open"),
                name="flag_open_once_per_reporter",
            )
        ]

    def __str__(self):
        return f"{self.get_status_display()}: {self.reason[:60]}"


class Sanction(models.Model):
    """A warning, a timed suspension or a removal (SPEC §2.5)."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("warning")
        SUSPENSION = "suspension", _("suspension")
        REMOVAL = "removal", _("removal from the platform")

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sanctions"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    reason = models.TextField(_("reason"))
    until = models.DateTimeField(_("until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    emailed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="suspension") | Q(until__isnull=False),
                name="suspension_has_end",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.member_id}"
