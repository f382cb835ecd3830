import csv

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from . import services
from .audit import csv_safe
from .models import (
    AuditLogEntry,
    Charter,
    CharterAcceptance,
    Domain,
    Invitation,
    MembershipApplication,
    Organisation,
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
        (_("Privacy"), {"fields": ["profile_visibility", "show_email", "show_organisation"]}),
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
