"""Admin for national contacts, introductions and the editable messages."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..models import MemberIntroduction, MessageTemplate, NationalContact
from ..services.network import national_contact_assign, national_contact_leave


@admin.register(NationalContact)
class NationalContactAdmin(admin.ModelAdmin):
    """Names go through the handover services, so groups, audit and alerts follow."""

    list_display = ["country", "role", "member", "since"]
    list_filter = ["role", "country"]
    list_select_related = ["member"]
    search_fields = ["member__email", "member__last_name", "country"]
    raw_id_fields = ["member"]
    readonly_fields = ["since"]

    def save_model(self, request, obj, form, change):
        try:
            national_contact_assign(
                actor=request.user, country=obj.country.code, role=obj.role, member=obj.member
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))

    def delete_model(self, request, obj):
        try:
            national_contact_leave(actor=request.user, member=obj.member)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))

    def has_delete_permission(self, request, obj=None):
        # One at a time, through the handover (a bulk delete would skip it).
        return obj is not None and super().has_delete_permission(request, obj)


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ["key", "subject", "updated_at", "updated_by"]
    readonly_fields = ["updated_at", "updated_by", "placeholders"]
    fields = ["key", "subject", "body", "placeholders", "updated_at", "updated_by"]

    @admin.display(description=_("placeholders"))
    def placeholders(self, obj):
        names = MessageTemplate.PLACEHOLDERS.get(obj.key, []) if obj.pk else []
        return ", ".join(f"${name}" for name in names)

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(MemberIntroduction)
class MemberIntroductionAdmin(admin.ModelAdmin):
    list_display = ["member_a", "member_b", "introduced_by", "created_at"]
    list_select_related = ["member_a", "member_b", "introduced_by"]
    search_fields = ["member_a__email", "member_b__email", "note"]
    date_hierarchy = "created_at"
    readonly_fields = ["introduced_by", "member_a", "member_b", "note", "created_at"]

    def has_add_permission(self, request):
        # Introductions are made from the community pages, which send the e-mails.
        return False
