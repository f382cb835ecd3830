from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import (
    Answer,
    Need,
    Question,
    Response,
    Section,
    Survey,
    SurveyInvitation,
    SurveyReminder,
)
from .services.surveys import survey_close, survey_publish


@admin.register(Need)
class NeedAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "source", "research_answerable", "tier", "priority_score"]
    list_filter = ["status", "source", "research_answerable", "tier", "domains"]
    search_fields = ["title", "description", "policy_references"]
    filter_horizontal = ["domains"]
    raw_id_fields = ["source_thread", "created_by"]
    readonly_fields = ["priority_score", "prioritised_by", "created_at", "updated_at"]


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0
    fields = ["position", "title", "description"]


class QuestionInline(admin.StackedInline):
    """Questions of the survey; each belongs to one of its sections (saved sections first)."""

    model = Question
    extra = 0
    fields = [
        ("section", "position", "kind", "required"),
        "text",
        "help_text",
        ("scale_min", "scale_max", "scale_min_label", "scale_max_label"),
        "choices",
        "needs",
    ]
    filter_horizontal = ["needs"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "section":
            survey_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Section.objects.filter(survey_id=survey_id or 0)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "opens_at", "closes_at", "published_at", "is_anonymous"]
    list_filter = ["kind", "is_anonymous"]
    search_fields = ["title"]
    date_hierarchy = "opens_at"
    filter_horizontal = ["audience_domains"]
    raw_id_fields = ["audience_members"]
    readonly_fields = ["published_at", "sending_started_at", "sending_finished_at", "created_by"]
    inlines = [SectionInline, QuestionInline]
    actions = ["publish", "close"]
    fieldsets = [
        (None, {"fields": ["title", "kind", "introduction", "is_anonymous"]}),
        (_("Dates"), {"fields": ["opens_at", "closes_at", "closed_early_at", "published_at"]}),
        (
            _("Audience"),
            {
                "fields": [
                    "audience_affiliations",
                    "audience_countries",
                    "audience_role_levels",
                    "audience_domains",
                    "audience_members",
                ]
            },
        ),
        (_("Weighting"), {"fields": ["role_weights", "normalise_by_organisation"]}),
        (_("Reminders"), {"fields": ["reminder_interval_days", "max_reminders"]}),
        (_("Sending"), {"fields": ["sending_started_at", "sending_finished_at", "created_by"]}),
    ]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        # A question belongs to the survey of its section (kept equal here, not typed twice).
        for instance in formset.save(commit=False):
            if isinstance(instance, Question):
                instance.survey = form.instance
                if instance.section_id is None:
                    instance.section = form.instance.sections.first()
                if instance.section is None:
                    continue
            instance.save()
        formset.save_m2m()
        for obj in formset.deleted_objects:
            obj.delete()

    def _run(self, request, queryset, service, done):
        for survey in queryset:
            try:
                service(actor=request.user, survey=survey)
            except ValidationError as error:
                messages.error(request, f"{survey}: {' '.join(error.messages)}")
            else:
                messages.success(request, f"{survey}: {done}")

    @admin.action(description=_("Publish and send the invitations"))
    def publish(self, request, queryset):
        self._run(request, queryset, survey_publish, _("published"))

    @admin.action(description=_("Close now"))
    def close(self, request, queryset):
        self._run(request, queryset, survey_close, _("closed"))


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(ReadOnlyAdmin):
    list_display = ["survey", "email", "status", "sent_at", "responded_at", "reminders_sent"]
    list_filter = ["status", "survey"]
    list_select_related = ["survey"]
    search_fields = ["email"]
    exclude = ["token_key"]


@admin.register(SurveyReminder)
class SurveyReminderAdmin(ReadOnlyAdmin):
    list_display = ["invitation", "round", "status", "sent_at"]
    list_filter = ["status", "round"]
    list_select_related = ["invitation__survey"]


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    fields = ["question", "need", "value"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    """Responses show the respondent's segment, never who they are: anonymous surveys are
    anonymous here too, and named ones show the name on the invitation."""

    list_display = ["survey", "status", "role_level", "affiliation_type", "country", "submitted_at"]
    list_filter = ["status", "survey", "role_level", "affiliation_type"]
    list_select_related = ["survey"]
    exclude = ["invitation"]
    inlines = [AnswerInline]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["title", "survey", "position"]
    list_filter = ["survey"]
    list_select_related = ["survey"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "kind", "survey", "section", "required", "position"]
    list_filter = ["kind", "survey"]
    list_select_related = ["survey", "section"]
    search_fields = ["text"]
    filter_horizontal = ["needs"]
    readonly_fields = ["survey"]

    def save_model(self, request, obj, form, change):
        obj.survey = obj.section.survey
        super().save_model(request, obj, form, change)


@admin.register(Answer)
class AnswerAdmin(ReadOnlyAdmin):
    list_display = ["response", "question", "need", "value"]
    list_filter = ["question__survey"]
    list_select_related = ["question", "need"]
