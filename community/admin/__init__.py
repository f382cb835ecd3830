import csv

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermission, UserObjectPermission

from .. import services
from ..audit import audit_log, csv_safe
from ..models import (
    ApiToken,
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
    VerificationDecision,
)
from ..roles import Role, is_administrator
from ..services import forum as forum_services
from ..services.api_tokens import api_token_revoke
from ..services.members import ADMIN_SITE_REASON, member_fields_locked, member_update


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "slug", "position"]
    list_filter = ["kind"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """Adding and editing go through the audited services, like the site's organisations page
    (/manage/organisations/), where duplicates are merged with everything pointing at them."""

    list_display = ["name", "country", "type", "created_at"]
    list_filter = ["type", "country"]
    search_fields = ["name"]
    fields = list(services.organisations.EDITABLE_FIELDS)

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in self.fields}
        if change:
            services.organisation_update(actor=request.user, organisation=obj, **values)
        else:
            obj.pk = services.organisation_create(actor=request.user, **values).pk


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

    # Who may change what is decided by services.members.member_fields_locked: the fields it
    # locks for the request's user are shown read-only (a read-only field is not in the form,
    # so a forged POST cannot set it), and every change is saved through member_update, which
    # refuses them again and hands affiliation, access and roles to their audited services.

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or is_administrator(request.user):
            return fieldsets
        # Not even the link to the password form (user_change_password refuses it too).
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "password"]})
            for name, options in fieldsets
        ]

    def has_change_permission(self, request, obj=None):
        # An administrator's account is read-only below administrator (member_update agrees).
        if obj is not None and is_administrator(obj) and not is_administrator(request.user):
            return False
        return super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly += sorted(member_fields_locked(request.user, obj) - set(readonly))
        return readonly

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["queryset"] = Group.objects.filter(name__in=Role.values).order_by("name")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:  # a new account (administrators only: the add permission)
            super().save_model(request, obj, form, change)
            return
        # Domains are saved with the other many-to-many fields, by save_related.
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name != "domains"}
        member_update(actor=request.user, member=obj, **changes)

    def save_related(self, request, form, formsets, change):
        if change:  # member_update has applied them (role_grant / role_revoke, access update)
            form.cleaned_data.pop("groups", None)
            form.cleaned_data.pop("user_permissions", None)
        super().save_related(request, form, formsets, change)

    def user_change_password(self, request, id, form_url=""):
        # Setting someone's password is taking over their account.
        if not is_administrator(request.user):
            raise PermissionDenied
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:  # the password was set
            member = self.get_object(request, unquote(id))
            audit_log(actor=request.user, action="member.password_set", target=member)
        return response

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


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Read-only but for revoking (a suspected leak): a token is created by its member only, on
    their own page, from a session that passed their second factor."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__email", "name", "prefix"]
    list_select_related = ["user"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True).select_related("user"):
            api_token_revoke(actor=request.user, token=token)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read-only but for revoking: an invitation may vouch for an affiliation in its sender's
    name, so it is made on the invitation page (services.invitation_create: checked, audited,
    e-mailed), never written here."""

    list_display = ["email", "invited_by", "state", "affiliation_type", "created_at", "expires_at"]
    list_filter = ["affiliation_type", "affiliation_vetted"]
    search_fields = ["email", "invited_by__email"]
    list_select_related = ["invited_by"]
    readonly_fields = ["sent_at", "accepted_at", "accepted_by", "revoked_at", "created_at"]
    autocomplete_fields = ["invited_by", "organisation"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

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
        "organisation",
        "organisation_name",
        "country",
        "affiliation_type",
        "status",
        "created_at",
    ]
    list_filter = ["status", "affiliation_type", "country"]
    list_select_related = ["organisation"]
    search_fields = ["email", "first_name", "last_name", "organisation__name", "organisation_name"]
    autocomplete_fields = ["organisation"]
    readonly_fields = ["status", "decided_at", "decided_by", "invitation", "created_at"]
    actions = ["approve"]

    @admin.action(description=_("Approve the selected applications (invitations are e-mailed)"))
    def approve(self, request, queryset):
        """Only applications whose organisation is in the list: for the others the manager
        chooses or adds it on the approval page (never from the applicant's free text)."""
        pending = queryset.filter(status=MembershipApplication.Status.PENDING)
        approved = 0
        for application in pending.filter(organisation__isnull=False):
            try:
                services.application_approve(
                    actor=request.user,
                    application=application,
                    organisation=application.organisation,
                )
            except (PermissionDenied, ValidationError) as error:
                self.message_user(request, str(error), level=messages.ERROR)
                return
            approved += 1
        unlisted = pending.filter(organisation__isnull=True).count()
        if unlisted:
            self.message_user(
                request,
                _(
                    "%(count)d application(s) name an organisation that is not listed: choose "
                    "or add it on the Applications page to approve them."
                )
                % {"count": unlisted},
                level=messages.WARNING,
            )
        if approved:
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


# Rooms and their grants are changed through the room services (services.forum room_*), so the
# admin checks and audits exactly what the room pages do. A grant is given or taken away,
# never edited in place.


def _is_moderator_grant(grant: RoomUserObjectPermission) -> bool:
    return grant.permission.codename == "moderate_room"


class RoomGrantFields:
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "permission":
            kwargs["queryset"] = Permission.objects.filter(
                content_type__app_label="community", codename__in=["access_room", "moderate_room"]
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return False


class RoomGrantInline(RoomGrantFields, admin.TabularInline):
    model = RoomUserObjectPermission
    extra = 0
    raw_id_fields = ["user"]
    fields = ["user", "permission"]


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "tier", "is_private", "is_archived", "thread_count", "post_count",
                    "last_post_at"]  # fmt: skip
    list_filter = ["tier", "is_private", "is_archived", "email_content", "domain"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["thread_count", "post_count", "last_post_at", "created_by", "created_at"]
    inlines = [RoomGrantInline]

    def save_model(self, request, obj, form, change):
        if change:
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            if changes:
                stored = Room.objects.get(pk=obj.pk)  # room_update audits from the stored values
                forum_services.room_update(actor=request.user, room=stored, **changes)
            return
        room = forum_services.room_create(actor=request.user, **form.cleaned_data)
        obj.pk, obj.created_by, obj.created_at = room.pk, room.created_by, room.created_at
        obj._state.adding = False

    def save_formset(self, request, form, formset, change):
        room = form.instance
        for grant in formset.save(commit=False):  # new grants only: existing ones are read-only
            forum_services.room_grant(
                actor=request.user,
                room=room,
                member=grant.user,
                moderator=_is_moderator_grant(grant),
            )
        for grant in formset.deleted_objects:
            forum_services.room_revoke(
                actor=request.user,
                room=room,
                member=grant.user,
                moderator=_is_moderator_grant(grant),
                reason=ADMIN_SITE_REASON,
            )


@admin.register(RoomUserObjectPermission)
class RoomGrantAdmin(RoomGrantFields, admin.ModelAdmin):
    list_display = ["content_object", "user", "permission"]
    list_filter = ["permission"]
    search_fields = ["user__email", "content_object__name"]
    list_select_related = ["content_object", "user", "permission"]
    raw_id_fields = ["user", "content_object"]

    def save_model(self, request, obj, form, change):
        grant = forum_services.room_grant(
            actor=request.user,
            room=obj.content_object,
            member=obj.user,
            moderator=_is_moderator_grant(obj),
        )
        obj.pk = grant.pk

    def delete_model(self, request, obj):
        forum_services.room_revoke(
            actor=request.user,
            room=obj.content_object,
            member=obj.user,
            moderator=_is_moderator_grant(obj),
            reason=ADMIN_SITE_REASON,
        )

    def delete_queryset(self, request, queryset):
        for grant in queryset.select_related("content_object", "user", "permission"):
            self.delete_model(request, grant)


# Roles are groups kept in step with the code (roles.sync_role_groups, after every migrate): a
# permission set here would be silently reset, and renaming or deleting one would break the
# role. Who holds a role is changed on the member's page (role_grant / role_revoke, audited).
admin.site.unregister(Group)


@admin.register(Group)
class RoleGroupAdmin(DjangoGroupAdmin):
    list_display = ["name", "member_count"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(members=Count("user"))

    @admin.display(description=_("members"), ordering="members")
    def member_count(self, obj):
        return obj.members

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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


@admin.register(VerificationDecision)
class VerificationDecisionAdmin(admin.ModelAdmin):
    list_display = ["member", "kind", "decided_by", "created_at", "emailed_at"]
    list_filter = ["kind"]
    search_fields = ["member__email", "message"]
    list_select_related = ["member", "decided_by"]
    readonly_fields = ["member", "kind", "message", "decided_by", "created_at", "emailed_at"]

    def has_add_permission(self, request):
        return False  # decided on the verification page (audited, e-mailed)

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "post", "subject", "created_at", "read_at",
                    "emailed_at", "skipped_at"]  # fmt: skip
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
