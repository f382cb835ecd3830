import csv

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermission, UserObjectPermission

from .. import services
from ..audit import csv_safe
from ..models import (
    Attachment,
    AuditLogEntry,
    Charter,
    CharterAcceptance,
    DigestRun,
    Domain,
    Flag,
    Invitation,
    MembershipApplication,
    Notification,
    Organisation,
    Post,
    PostRevision,
    ReadState,
    Room,
    RoomUserObjectPermission,
    Sanction,
    Subscription,
    Thread,
    UsefulMark,
    User,
)


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "slug", "position"]
    list_filter = ["kind"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "type", "created_at"]
    list_filter = ["type", "country"]
    search_fields = ["name"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = [
        "email",
        "first_name",
        "last_name",
        "organisation",
        "country",
        "affiliation_type",
        "affiliation_verified",
        "is_active",
        "date_joined",
    ]
    list_filter = ["affiliation_type", "role_level", "is_active", "is_staff", "groups", "country"]
    search_fields = ["email", "first_name", "last_name", "organisation__name"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]
    readonly_fields = [
        "affiliation_verified_at",
        "affiliation_verified_by",
        "last_login",
        "date_joined",
    ]
    filter_horizontal = ["groups", "user_permissions", "domains"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            _("Profile"),
            {
                "fields": [
                    "first_name",
                    "last_name",
                    "organisation",
                    "country",
                    "role_level",
                    "domains",
                    "languages",
                    "bio",
                ]
            },
        ),
        (
            _("Affiliation"),
            {"fields": ["affiliation_type", "affiliation_verified_at", "affiliation_verified_by"]},
        ),
        (
            _("Privacy"),
            {"fields": ["profile_visibility", "email_visibility", "organisation_visibility"]},
        ),
        (
            _("Access"),
            {
                "fields": [
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                    "invitation_quota",
                ]
            },
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]
    actions = ["verify_affiliation"]

    @admin.display(boolean=True, description=_("verified"))
    def affiliation_verified(self, obj):
        return obj.is_affiliation_verified

    @admin.action(description=_("Verify the affiliation of the selected members"))
    def verify_affiliation(self, request, queryset):
        count = 0
        for member in queryset.filter(affiliation_verified_at__isnull=True):
            services.affiliation_verify(actor=request.user, member=member)
            count += 1
        self.message_user(request, _("%(count)d affiliation(s) verified.") % {"count": count})


@admin.register(Charter)
class CharterAdmin(admin.ModelAdmin):
    list_display = ["version", "title", "published_at", "created_by"]
    readonly_fields = ["version", "created_by"]
    fields = ["version", "title", "body", "summary_of_changes", "published_at", "created_by"]

    def has_change_permission(self, request, obj=None):
        # A published version is a record of what members accepted: publish a new one instead.
        return False if obj is not None else super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        charter = services.charter_publish(
            actor=request.user,
            title=obj.title,
            body=obj.body,
            summary=obj.summary_of_changes,
        )
        obj.pk, obj.version = charter.pk, charter.version


@admin.register(CharterAcceptance)
class CharterAcceptanceAdmin(admin.ModelAdmin):
    list_display = ["user", "charter", "accepted_at"]
    list_filter = ["charter"]
    search_fields = ["user__email"]
    list_select_related = ["user", "charter"]
    readonly_fields = ["user", "charter", "accepted_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "invited_by", "state", "affiliation_type", "created_at", "expires_at"]
    list_filter = ["affiliation_type", "affiliation_vetted"]
    search_fields = ["email", "invited_by__email"]
    list_select_related = ["invited_by"]
    readonly_fields = ["sent_at", "accepted_at", "accepted_by", "revoked_at", "created_at"]
    autocomplete_fields = ["invited_by", "organisation"]
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected invitations"))
    def revoke(self, request, queryset):
        for invitation in queryset.filter(accepted_at__isnull=True, revoked_at__isnull=True):
            services.invitation_revoke(actor=request.user, invitation=invitation)


@admin.register(MembershipApplication)
class MembershipApplicationAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "first_name",
        "last_name",
        "organisation_name",
        "country",
        "affiliation_type",
        "status",
        "created_at",
    ]
    list_filter = ["status", "affiliation_type", "country"]
    search_fields = ["email", "first_name", "last_name", "organisation_name"]
    readonly_fields = ["status", "decided_at", "decided_by", "invitation", "created_at"]
    actions = ["approve"]

    @admin.action(description=_("Approve the selected applications (invitations are e-mailed)"))
    def approve(self, request, queryset):
        for application in queryset.filter(status=MembershipApplication.Status.PENDING):
            try:
                services.application_approve(actor=request.user, application=application)
            except (PermissionDenied, ValidationError) as error:
                self.message_user(request, str(error), level=messages.ERROR)
                return
        self.message_user(request, _("Approved; invitations are on their way."))


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "target_repr", "reason"]
    list_filter = ["action", "target_type"]
    search_fields = ["action", "target_repr", "reason", "actor__email"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"
    actions = ["export_csv"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Export the selected entries as CSV"))
    def export_csv(self, request, queryset):
        if not request.user.is_superuser:
            raise PermissionDenied
        response = HttpResponse(content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
        writer = csv.writer(response)
        writer.writerow(["when", "actor", "action", "target", "reason", "details"])
        for entry in queryset.select_related("actor"):
            row = [entry.created_at.isoformat(), entry.actor, entry.action, entry.target_repr,
                   entry.reason, entry.data]  # fmt: skip
            writer.writerow([csv_safe(value) for value in row])
        return response


# --- Discussion -----------------------------------------------------------------------------------
# Moderation state (hidden, locked, moved…) is changed on the site, through the services that
# audit it; here those fields are read-only.


class RoomGrantInline(admin.TabularInline):
    model = RoomUserObjectPermission
    extra = 0
    raw_id_fields = ["user"]
    fields = ["user", "permission"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "permission":
            kwargs["queryset"] = Permission.objects.filter(
                codename__in=["access_room", "moderate_room"]
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "tier", "is_private", "is_archived", "thread_count", "post_count",
                    "last_post_at"]  # fmt: skip
    list_filter = ["tier", "is_private", "is_archived", "domain"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["thread_count", "post_count", "last_post_at", "created_by", "created_at"]
    inlines = [RoomGrantInline]


@admin.register(RoomUserObjectPermission)
class RoomGrantAdmin(admin.ModelAdmin):
    list_display = ["content_object", "user", "permission"]
    list_filter = ["permission"]
    search_fields = ["user__email", "content_object__name"]
    list_select_related = ["content_object", "user", "permission"]
    raw_id_fields = ["user", "content_object"]


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ["title", "room", "author", "post_count", "is_pinned", "is_locked",
                    "last_post_at"]  # fmt: skip
    list_filter = ["room", "is_pinned", "is_locked"]
    search_fields = ["title"]
    list_select_related = ["room", "author"]
    raw_id_fields = ["author", "merged_into"]
    readonly_fields = ["room", "is_pinned", "is_locked", "merged_into", "post_count",
                       "last_post_at"]  # fmt: skip


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["pk", "thread", "author", "created_at", "edited_at", "is_hidden",
                    "useful_count"]  # fmt: skip
    list_filter = ["is_hidden", "thread__room"]
    search_fields = ["body", "thread__title", "author__email"]
    list_select_related = ["thread", "author"]
    raw_id_fields = ["thread", "author"]
    readonly_fields = ["thread", "author", "body", "is_hidden", "hidden_reason", "edited_at",
                       "useful_count", "created_at"]  # fmt: skip
    exclude = ["body_html", "search_vector"]


@admin.register(PostRevision)
class PostRevisionAdmin(admin.ModelAdmin):
    list_display = ["post", "edited_by", "edited_at", "reason"]
    list_select_related = ["post", "edited_by"]
    raw_id_fields = ["post", "edited_by"]
    search_fields = ["body", "reason"]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["filename", "post", "content_type", "size", "uploaded_by", "created_at"]
    list_filter = ["content_type"]
    search_fields = ["filename"]
    list_select_related = ["post", "uploaded_by"]
    raw_id_fields = ["post", "uploaded_by"]
    readonly_fields = ["file", "size", "content_type"]


@admin.register(UsefulMark)
class UsefulMarkAdmin(admin.ModelAdmin):
    list_display = ["post", "user", "created_at"]
    list_select_related = ["post", "user"]
    raw_id_fields = ["post", "user"]


@admin.register(ReadState)
class ReadStateAdmin(admin.ModelAdmin):
    list_display = ["user", "thread", "last_read_at"]
    list_select_related = ["user", "thread"]
    raw_id_fields = ["user", "thread"]
    search_fields = ["user__email"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "room", "thread", "mode"]
    list_filter = ["mode"]
    list_select_related = ["user", "room", "thread"]
    raw_id_fields = ["user", "room", "thread"]
    search_fields = ["user__email"]


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ["post", "reporter", "status", "created_at", "resolved_by"]
    list_filter = ["status"]
    search_fields = ["reason"]
    list_select_related = ["post", "reporter", "resolved_by"]
    raw_id_fields = ["post", "reporter", "resolved_by"]
    readonly_fields = ["status", "resolved_by", "resolved_at"]


@admin.register(Sanction)
class SanctionAdmin(admin.ModelAdmin):
    list_display = ["member", "kind", "until", "created_by", "created_at"]
    list_filter = ["kind"]
    search_fields = ["member__email", "reason"]
    list_select_related = ["member", "created_by"]
    raw_id_fields = ["member", "created_by"]

    def has_add_permission(self, request):
        return False  # sanctions are given on the member's moderation page (audited)

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "post", "created_at", "read_at", "emailed_at",
                    "skipped_at"]  # fmt: skip
    list_filter = ["kind"]
    search_fields = ["recipient__email"]
    list_select_related = ["recipient", "post"]
    raw_id_fields = ["recipient", "actor", "post"]


@admin.register(DigestRun)
class DigestRunAdmin(admin.ModelAdmin):
    list_display = ["recipient", "period", "period_start", "sent_at", "notification_count"]
    list_filter = ["period"]
    search_fields = ["recipient__email"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient"]


# Guardian's generic grant tables (rooms use their own, RoomUserObjectPermission, above).
for generic_grant in (UserObjectPermission, GroupObjectPermission):
    admin.site.register(
        generic_grant,
        list_display=["content_type", "object_pk", "permission"],
        list_filter=["content_type"],
        raw_id_fields=["permission"],
    )

# Admin pages of the network (SPEC §2.7), one module each.
from . import network, news  # noqa: E402, F401
