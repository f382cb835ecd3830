"""The IPIP models in the admin: read-only, because every write goes through the services
(versions are published, adopted and filled in on the IPIP pages, with an audit entry)."""

from django.contrib import admin

from .models import (
    AlertRun,
    ChecklistItem,
    ChecklistStage,
    ChecklistTemplate,
    Follow,
    ItemState,
    ProjectAlert,
    ProjectChecklist,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    fields = ["position", "key", "topic", "text"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(ReadOnlyAdmin):
    list_display = ["version", "title", "published_at", "created_by"]
    list_select_related = ["created_by"]


@admin.register(ChecklistStage)
class ChecklistStageAdmin(ReadOnlyAdmin):
    list_display = ["template", "key", "position"]
    list_filter = ["template", "key"]
    list_select_related = ["template"]
    inlines = [ChecklistItemInline]


@admin.register(ChecklistItem)
class ChecklistItemAdmin(ReadOnlyAdmin):
    list_display = ["text", "key", "stage"]
    list_filter = ["stage__template", "stage__key"]
    list_select_related = ["stage"]
    search_fields = ["text", "key", "topic"]


@admin.register(ProjectChecklist)
class ProjectChecklistAdmin(ReadOnlyAdmin):
    list_display = ["project", "template", "adopted_at", "adopted_by"]
    list_select_related = ["project", "template", "adopted_by"]
    search_fields = ["project__acronym", "project__title"]
    raw_id_fields = ["project"]


@admin.register(ItemState)
class ItemStateAdmin(ReadOnlyAdmin):
    list_display = ["checklist", "item", "status", "owner", "date", "updated_at"]
    list_filter = ["status"]
    list_select_related = ["checklist__project", "checklist__template", "item"]
    raw_id_fields = ["checklist", "item", "updated_by"]


@admin.register(Follow)
class FollowAdmin(ReadOnlyAdmin):
    list_display = ["member", "domain", "project", "created_at"]
    list_select_related = ["member", "domain", "project"]
    raw_id_fields = ["member", "project"]


@admin.register(ProjectAlert)
class ProjectAlertAdmin(ReadOnlyAdmin):
    list_display = ["project", "kind", "due_on", "sent_at", "recipients"]
    list_filter = ["kind"]
    list_select_related = ["project"]
    raw_id_fields = ["project"]


@admin.register(AlertRun)
class AlertRunAdmin(ReadOnlyAdmin):
    list_display = ["day", "finished_at"]
