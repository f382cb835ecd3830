"""The Knowledge Factory in the admin. Items are listed, opened and edited under the same rule as
the pages (``Item.objects.visible_to``) and written through knowledge_factory.services.items:
an edit is recorded in the item's history and audited; the status moves only through the
workflow (the "publish" action here, or the item's page). Follows, personal feeds and
newsletters are records to look up."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from .models import CatalogueVersion, Follow, Item, ItemEvent, Newsletter, ReaderFeed
from .services.items import EDITABLE, item_publish, item_update
from .services.tags import _visible_tags


def _visible_tag_ids(user):
    # A tag's name is content: one used only on items the user may not read stays unknown
    # (the rule of the tag hygiene pages, knowledge_factory.services.tags).
    return _visible_tags(user).values("pk")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ItemEventInline(admin.TabularInline):
    model = ItemEvent
    extra = 0
    # The names of the fields an edit changed, as on the item's page: not their values, which
    # may be from when the item had a narrower access level than it has now.
    fields = ["created_at", "actor", "action", "note", "changed_fields"]
    readonly_fields = fields
    can_delete = False

    @admin.display(description=_("changed"))
    def changed_fields(self, event):
        return ", ".join(
            str(Item._meta.get_field(name).verbose_name) for name in sorted(event.changes)
        )

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ["type", "title", "status", "tier", "author", "published_at"]
    list_filter = ["status", "type", "tier", "domains"]
    list_select_related = ["author"]
    search_fields = ["title", "summary"]
    date_hierarchy = "submitted_at"
    raw_id_fields = ["project"]
    # The related need and study are shown by number with a link to the site, which checks who
    # may read them: a need's title (what an admin widget would print) may be LEA-only. They
    # are changed on the item's page.
    fields = [
        "type", "title", "summary", "body", "file", "source_url", "published_on", "domains",
        "tags", "tier", "project", "related_need", "status", "review_note", "author",
        "reviewed_by", "related_study", "submitted_at", "published_at", "updated_at",
    ]  # fmt: skip
    readonly_fields = [
        "related_need", "status", "review_note", "author", "reviewed_by", "related_study",
        "submitted_at", "published_at", "updated_at",
    ]  # fmt: skip
    filter_horizontal = ["domains"]
    inlines = [ItemEventInline]
    actions = ["publish"]

    @admin.display(description=_("related need"))
    def related_need(self, item):
        if not item.need_id:
            return "—"
        url = reverse("ipup:need-detail", args=[item.need_id])
        return format_html('<a href="{}">#{}</a>', url, item.need_id)

    @admin.display(description=_("state-of-the-art study"))
    def related_study(self, item):
        return f"#{item.sota_recommendation_id}" if item.sota_recommendation_id else "—"

    # The admin lists and opens the items its user may read, as the pages do.
    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_add_permission(self, request):
        return False  # items are submitted on the site (knowledge_factory:submit)

    def has_delete_permission(self, request, obj=None):
        return False  # a reviewer rejects or unpublishes, with a reason the author reads

    def save_model(self, request, obj, form, change):
        fields = {
            name: value
            for name, value in form.cleaned_data.items()
            if name in EDITABLE and name != "file"
        }
        upload = form.cleaned_data.get("file")
        if isinstance(upload, UploadedFile):
            fields["file"] = upload
        elif upload is False:
            fields["clear_file"] = True
        try:
            item_update(actor=request.user, item=obj, **fields)
        except ValidationError as error:
            # The form validated the model's own rules; these are the service's (access level,
            # file type): shown as a message, nothing saved.
            messages.error(request, " ".join(error.messages))

    def save_related(self, request, form, formsets, change):
        """Domains and tags were saved by the service, with the history of their change (the
        history inline is read-only: nothing of it is saved)."""
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.action(description=_("Publish"))
    def publish(self, request, queryset):
        for item in queryset:
            try:
                item_publish(actor=request.user, item=item)
            except (ValidationError, PermissionDenied) as error:
                text = (
                    " ".join(error.messages)
                    if isinstance(error, ValidationError)
                    else gettext("Not allowed.")
                )
                messages.error(request, f"{item}: {text}")
            else:
                messages.success(request, f"{item}: {gettext('published')}")


@admin.register(ItemEvent)
class ItemEventAdmin(ReadOnlyAdmin):
    """The items' history across items (who published what, when), for the items the user may
    read; what an edit changed is named, not quoted (as in the item's inline)."""

    list_display = ["created_at", "item", "actor", "action"]
    list_filter = ["action"]
    list_select_related = ["item", "actor"]
    date_hierarchy = "created_at"
    fields = ["item", "created_at", "actor", "action", "note", "changed_fields"]
    readonly_fields = fields
    changed_fields = ItemEventInline.changed_fields

    def get_queryset(self, request):
        readable = Item.objects.visible_to(request.user).values("pk")
        return super().get_queryset(request).filter(item__in=readable)


@admin.register(Follow)
class FollowAdmin(ReadOnlyAdmin):
    list_display = ["member", "tag", "domain", "created_at"]
    list_select_related = ["member", "tag", "domain"]
    list_filter = ["domain"]
    search_fields = ["member__handle", "tag__name"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(Q(tag__isnull=True) | Q(tag__in=_visible_tag_ids(request.user)))
        )


@admin.register(CatalogueVersion)
class CatalogueVersionAdmin(ReadOnlyAdmin):
    list_display = ["token"]


@admin.register(ReaderFeed)
class ReaderFeedAdmin(ReadOnlyAdmin):
    # The token is the feed's password: never shown.
    list_display = ["member", "created_at"]
    list_select_related = ["member"]
    fields = ["member", "created_at"]
    readonly_fields = fields
    search_fields = ["member__handle"]


@admin.register(Newsletter)
class NewsletterAdmin(ReadOnlyAdmin):
    list_display = ["title", "period_start", "period_end", "status", "published_at"]
    list_filter = ["status"]
    search_fields = ["title"]


# taggit's own admin lists every tag with the objects it is on (their titles), and renames,
# merges and re-links them with no visibility check, audit or re-indexing. Here tags are only
# looked up, and only those the user may see; they are tidied on the tag hygiene pages
# (knowledge_factory:tag-list).
if admin.site.is_registered(Tag):
    admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(ReadOnlyAdmin):
    list_display = ["name", "slug"]
    ordering = ["name", "slug"]
    search_fields = ["name"]
    fields = ["name", "slug"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=_visible_tag_ids(request.user))
