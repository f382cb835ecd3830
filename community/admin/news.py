"""Admin for community news and the calendar. Saves go through the services, so the HTML is
rendered, the audit log written and a news item's e-mails sent once."""

from django.contrib import admin

from ..models import Event, NewsDelivery, NewsPost
from ..services.calendar import event_create, event_update
from ..services.news import news_publish, news_update


def _fields(form) -> dict:
    return {name: form.cleaned_data[name] for name in form.cleaned_data if name in form.fields}


@admin.register(NewsPost)
class NewsPostAdmin(admin.ModelAdmin):
    list_display = ["title", "tier", "email_to", "published_at", "author", "emailing_finished_at"]
    list_filter = ["tier", "email_to"]
    search_fields = ["title", "body"]
    date_hierarchy = "published_at"
    filter_horizontal = ["segment_domains"]
    readonly_fields = ["author", "published_at", "emailing_started_at", "emailing_finished_at"]

    def save_model(self, request, obj, form, change):
        fields = _fields(form)
        if change:
            saved = news_update(actor=request.user, news=obj, **fields)
        else:
            saved = news_publish(actor=request.user, **fields)
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        pass  # the services set the domains


@admin.register(NewsDelivery)
class NewsDeliveryAdmin(admin.ModelAdmin):
    list_display = ["news", "recipient", "status", "sent_at"]
    list_filter = ["status"]
    list_select_related = ["news", "recipient"]
    search_fields = ["recipient__email", "news__title"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "tier", "starts_at", "ends_at", "cancelled_at"]
    list_filter = ["kind", "tier"]
    search_fields = ["title", "description", "location"]
    date_hierarchy = "starts_at"
    readonly_fields = ["organiser", "sequence", "created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        fields = _fields(form)
        if change:
            saved = event_update(actor=request.user, event=obj, **fields)
        else:
            saved = event_create(actor=request.user, **fields)
        obj.pk = saved.pk
