"""Admin for national contacts, introductions and the editable messages."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import MemberIntroduction, MessageTemplate, NationalContact
from ..services.network import national_contact_assign, national_contact_check


class NationalContactAdminForm(forms.ModelForm):
    class Meta:
        model = NationalContact
        fields = ["country", "role", "member"]

    def clean(self):
        cleaned = super().clean()
        if all(cleaned.get(f) for f in ("country", "role", "member")):
            national_contact_check(
                country=cleaned["country"], role=cleaned["role"], member=cleaned["member"]
            )
        return cleaned

    def _get_validation_exclusions(self):
        # Naming someone to a held slot replaces its holder, and moves a member who held
        # another: national_contact_assign does both, so the model's one-per-slot and
        # one-slot-each constraints are not errors here (the form fields are still checked).
        return {*super()._get_validation_exclusions(), "country", "role", "member"}


@admin.register(NationalContact)
class NationalContactAdmin(admin.ModelAdmin):
    """Names go through national_contact_assign, so groups, audit and alerts follow. Rows are
    not edited or deleted here: a handover (choosing a successor or promoting the deputy) is
    done on the national contacts page, which keeps a country from losing its contact."""

    form = NationalContactAdminForm
    list_display = ["country", "role", "member", "since"]
    list_filter = ["role", "country"]
    list_select_related = ["member"]
    search_fields = ["member__email", "member__first_name", "member__last_name", "country"]
    raw_id_fields = ["member"]

    def get_readonly_fields(self, request, obj=None):
        return ["country", "role", "member", "since"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        contact = national_contact_assign(
            actor=request.user, country=obj.country.code, role=obj.role, member=obj.member
        )
        obj.pk, obj.since = contact.pk, contact.since


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
