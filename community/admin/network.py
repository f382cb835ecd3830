"""Admin for national contacts, introductions and the editable messages."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import MemberIntroduction, MessageTemplate


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
