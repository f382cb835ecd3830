"""The IPUP admin, beside the pages (the survey builder, the needs catalogue) that coordinators
use: the same rules hold here.

Needs are written through ipup.services.needs (the scope rule, the workflow and the audit entry
hold here as on the pages). Invitations, reminders, responses and answers are records of what
happened: read-only. Respondents of anonymous surveys are never shown, and no list can be
searched by e-mail address, since a search would tell who answered what.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .forms import NeedForm
from .forms.builder import needs_with_unseen, options_validate, scale_validate
from .models import (
    AgendaItem,
    Answer,
    ContactCheck,
    DocumentVersion,
    EventRegistration,
    Need,
    ProjectClaim,
    ProjectContact,
    ProjectDocument,
    ProjectParticipant,
    ProjectPdf,
    ProjectUserObjectPermission,
    Question,
    ResearchProject,
    Response,
    ReviewComment,
    ScreeningCandidate,
    Section,
    ShowcaseEvent,
    SotaRecommendation,
    Survey,
    SurveyInvitation,
    SurveyReminder,
)
from .services.builder import QUESTION_WORDING, SECTION_WORDING, SURVEY_WORDING
from .services.needs import EDITABLE, need_create, need_status_change, need_update
from .services.surveys import survey_close, survey_publish


def _report(request, obj, service, done, **kwargs) -> None:
    try:
        service(actor=request.user, **kwargs)
    except (ValidationError, PermissionDenied) as error:
        text = (
            " ".join(error.messages)
            if isinstance(error, ValidationError)
            else gettext("Not allowed.")
        )
        messages.error(request, f"{obj}: {text}")
    else:
        messages.success(request, f"{obj}: {done}")


# --- Needs --------------------------------------------------------------------------------------


@admin.register(Need)
class NeedAdmin(admin.ModelAdmin):
    form = NeedForm
    list_display = ["title", "status", "source", "research_answerable", "tier", "priority_score"]
    list_filter = ["domains", "status", "source", "research_answerable", "tier"]
    search_fields = ["title", "description", "policy_references"]
    # The status moves through the workflow (the action below, or the need's page); the thread
    # is set by "record as a need" on the thread, which also sets the audience.
    readonly_fields = [
        "status",
        "source_thread",
        "room",
        "priority_score",
        "prioritised_by",
        "created_by",
        "created_at",
        "updated_at",
    ]
    actions = ["mark_analysed"]

    # The admin lists, opens and acts on the needs its user may see, like the catalogue.
    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in EDITABLE if name in form.cleaned_data}
        if change:
            need = need_update(actor=request.user, need=obj, **fields)
        else:
            need = need_create(actor=request.user, **fields)
        # The admin goes on with ``obj`` (domains via save_related, the log entry, redirect).
        obj.pk, obj.created_by_id, obj.status = need.pk, need.created_by_id, need.status

    @admin.action(description=_("Mark as analysed"))
    def mark_analysed(self, request, queryset):
        for need in queryset:
            _report(
                request, need, need_status_change, gettext("analysed"),
                need=need, status=Need.Status.ANALYSED,
            )  # fmt: skip


# --- Surveys ------------------------------------------------------------------------------------


class LockedOncePublished:
    """A published survey's structure is locked here as in the builder (ipup.services.builder):
    nothing added or deleted, only the wording editable."""

    wording: frozenset

    def _published(self, obj) -> bool:
        return obj is not None and obj.published_at is not None

    def has_add_permission(self, request, obj=None):
        return not self._published(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._published(obj) and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if self._published(obj):
            return [
                name
                for name in flatten_fieldsets(self.get_fieldsets(request, obj))
                if name not in self.wording
            ]
        return super().get_readonly_fields(request, obj)


class SectionInline(LockedOncePublished, admin.TabularInline):
    model = Section
    extra = 0
    fields = ["position", "title", "description"]
    wording = SECTION_WORDING


class QuestionAdminForm(forms.ModelForm):
    """A question that can be answered: options for the choice kinds, needs for "rate each
    need"."""

    class Meta:
        model = Question
        fields = [
            "section", "position", "kind", "required", "text", "help_text", "scale_min",
            "scale_max", "scale_min_label", "scale_max_label", "choices", "needs",
        ]  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE, Question.Kind.RANKING):
            try:
                cleaned["choices"] = options_validate(cleaned.get("choices") or [])
            except ValidationError as error:
                self.add_error("choices", error)
        if kind in (Question.Kind.RATING, Question.Kind.NEED_IMPORTANCE):
            scale_validate(self, cleaned)
        if "needs" in cleaned:
            cleaned["needs"] = needs_with_unseen(
                self.instance, cleaned["needs"], self.fields["needs"].queryset
            )
        if kind == Question.Kind.NEED_IMPORTANCE and "needs" in cleaned and not cleaned["needs"]:
            self.add_error("needs", _("Choose the needs to be rated."))
        return cleaned


def _visible_needs(db_field, request, kwargs) -> None:
    if db_field.name == "needs":
        kwargs["queryset"] = Need.objects.visible_to(request.user)


class QuestionInline(LockedOncePublished, admin.StackedInline):
    """Questions of the survey. Each belongs to one of its sections; left empty, the first one
    (sections added in the same save can be chosen once the page is saved)."""

    model = Question
    form = QuestionAdminForm
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
    wording = QUESTION_WORDING

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        _visible_needs(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "section":
            survey_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Section.objects.filter(survey_id=survey_id or 0)
            kwargs["required"] = False
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = [
        "title", "kind", "state_label", "opens_at", "closes_at", "published_at", "is_anonymous",
    ]  # fmt: skip
    list_filter = ["kind", "is_anonymous"]
    search_fields = ["title"]
    date_hierarchy = "opens_at"
    filter_horizontal = ["audience_domains"]
    # (ids, not autocomplete: IPUP coordinators may not browse the member list in the admin)
    raw_id_fields = ["audience_members"]
    readonly_fields = ["published_at", "sending_started_at", "sending_finished_at", "created_by"]
    inlines = [SectionInline, QuestionInline]
    actions = ["publish", "close"]
    fieldsets = [
        (None, {"fields": ["title", "kind", "introduction", "is_anonymous", "public_link"]}),
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

    @admin.display(description=_("state"))
    def state_label(self, obj):
        return obj.state_label

    def get_readonly_fields(self, request, obj=None):
        # Invitees answer on the promise the survey made when it was published: a named survey
        # made anonymous afterwards would still hold their names, and the reverse break it;
        # neither may its audience, dates or weighting move under them (ipup.services.builder).
        if obj is not None and obj.published_at:
            editable = SURVEY_WORDING | {"closed_early_at"}
            fields = flatten_fieldsets(self.get_fieldsets(request, obj))
            return [name for name in fields if name not in editable]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Question:
            return super().save_formset(request, form, formset, change)
        # Question.survey repeats its section's survey (answers are checked against the survey
        # in one query): it is set here from the section, never typed.
        survey = form.instance
        for question in formset.save(commit=False):
            if question.section_id is None:
                question.section = survey.sections.first() or Section.objects.create(
                    survey=survey, title=gettext("Questions")
                )
            question.survey = question.section.survey
            question.save()
        formset.save_m2m()
        for question in formset.deleted_objects:
            question.delete()
        return None

    @admin.action(description=_("Publish and send the invitations"))
    def publish(self, request, queryset):
        for survey in queryset:
            _report(request, survey, survey_publish, gettext("published"), survey=survey)

    @admin.action(description=_("Close now"))
    def close(self, request, queryset):
        for survey in queryset:
            _report(request, survey, survey_close, gettext("closed"), survey=survey)


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["title", "survey", "position"]
    list_filter = ["survey"]
    list_select_related = ["survey"]
    search_fields = ["title", "survey__title"]
    autocomplete_fields = ["survey"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionAdminForm
    list_display = ["text", "kind", "survey", "section", "required", "position"]
    list_filter = ["kind", "survey"]
    list_select_related = ["survey", "section"]
    search_fields = ["text", "survey__title"]
    autocomplete_fields = ["section"]
    filter_horizontal = ["needs"]
    readonly_fields = ["survey"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        _visible_needs(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        obj.survey = obj.section.survey
        super().save_model(request, obj, form, change)


# --- What happened: read-only -------------------------------------------------------------------


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _unless_anonymous(survey, value):
    """``value``, or a dash for an anonymous survey: whether (and after how many reminders) one
    invitee answered would, in a small group, say which answers are theirs."""
    return "—" if survey.is_anonymous else value


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(ReadOnlyAdmin):
    """Who was invited and whether the e-mail went out. The link's token is derived from
    ``token_key`` and never shown: whoever holds it answers in the invitee's name. For an
    anonymous survey neither whether the invitee answered nor their reminders are shown (the
    response rates give the counts, for groups large enough)."""

    list_display = ["survey", "email", "status", "sent_at", "answered", "reminders"]
    list_filter = ["status", "survey"]
    list_select_related = ["survey"]
    search_fields = ["email", "survey__title"]
    fields = [
        "survey", "member", "email", "status", "sent_at", "error", "answered", "reminders",
        "created_at",
    ]  # fmt: skip
    readonly_fields = ["answered", "reminders"]

    @admin.display(description=_("answered"))
    def answered(self, obj):
        return _unless_anonymous(obj.survey, gettext("yes") if obj.has_answered else gettext("no"))

    @admin.display(description=_("reminders sent"))
    def reminders(self, obj):
        return _unless_anonymous(obj.survey, obj.reminders_sent)


@admin.register(SurveyReminder)
class SurveyReminderAdmin(ReadOnlyAdmin):
    # Who was reminded in which round says who had not answered yet: not for anonymous surveys.
    list_display = ["survey", "invitee", "round", "status", "sent_at"]
    list_filter = ["status", "round"]
    list_select_related = ["invitation__survey"]
    fields = ["survey", "invitee", "round", "status", "sent_at", "error", "created_at"]
    readonly_fields = ["survey", "invitee"]

    @admin.display(description=_("survey"))
    def survey(self, obj):
        return obj.invitation.survey

    @admin.display(description=_("invitee"))
    def invitee(self, obj):
        return _unless_anonymous(obj.invitation.survey, obj.invitation.email)


def _answers_visible_to(answers, user):
    """Answers about a need only where ``user`` may see the need (its title is on the row)."""
    return answers.filter(Q(need__isnull=True) | Q(need__in=Need.objects.visible_to(user)))


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    fields = ["question", "need", "value"]
    readonly_fields = fields
    can_delete = False

    def get_queryset(self, request):
        return _answers_visible_to(super().get_queryset(request), request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    """A response of a named survey shows who answered and their segment (what the weighting
    uses). An anonymous one shows neither: it has no invitation (detached when submitted), and
    its segment is kept for the weighting only — with one Belgian invitee, "Belgium" on a row
    would name the respondent."""

    list_display = [
        "survey", "respondent", "status", "role_level_shown", "affiliation_shown",
        "country_shown", "submitted_at",
    ]  # fmt: skip
    # No filter by segment: filtering an anonymous survey's responses by country would count
    # them per country.
    list_filter = ["status", "survey"]
    list_select_related = ["survey", "invitation"]
    inlines = [AnswerInline]

    @admin.display(description=_("respondent"))
    def respondent(self, obj):
        if obj.survey.is_anonymous or obj.invitation is None:
            return gettext("anonymous")
        return obj.invitation.email

    @staticmethod
    def _segment(obj, value):
        return "—" if obj.survey.is_anonymous else value

    @admin.display(description=_("role level"))
    def role_level_shown(self, obj):
        return self._segment(obj, obj.get_role_level_display())

    @admin.display(description=_("affiliation"))
    def affiliation_shown(self, obj):
        return self._segment(obj, obj.get_affiliation_type_display())

    @admin.display(description=_("country"))
    def country_shown(self, obj):
        return self._segment(obj, obj.country.name if obj.country else "")

    def get_fields(self, request, obj=None):
        fields = ["survey", "status"]
        if obj is not None and not obj.survey.is_anonymous:
            fields += ["role_level", "affiliation_type", "country", "respondent", "organisation"]
        return [*fields, "started_at", "updated_at", "submitted_at"]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)


@admin.register(Answer)
class AnswerAdmin(ReadOnlyAdmin):
    list_display = ["pk", "survey", "response_number", "question", "need", "value"]
    list_filter = ["question__survey"]
    list_select_related = ["question__survey", "need"]
    fields = ["survey", "response_number", "question", "need", "value"]
    readonly_fields = ["survey", "response_number"]

    def get_queryset(self, request):
        return _answers_visible_to(super().get_queryset(request), request.user)

    @admin.display(description=_("survey"))
    def survey(self, obj):
        return obj.question.survey

    # The response's number, not its name (which names the invitation).
    @admin.display(description=_("response"))
    def response_number(self, obj):
        return obj.response_id


# --- Research projects: read here, written on the pages -----------------------------------------
# Imports, holders' edits, grants and claims go through ipup.services.projects (permission
# check and audit entry); the admin lists and searches them without a second way to write.


class ParticipantInline(admin.TabularInline):
    model = ProjectParticipant
    fields = ["organisation", "role", "eu_contribution"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ResearchProject)
class ResearchProjectAdmin(ReadOnlyAdmin):
    list_display = ["acronym", "title", "programme", "start_date", "end_date", "source"]
    list_filter = ["source", "programme", "domains", "trl"]
    search_fields = ["acronym", "title", "source_id"]
    exclude = ["domains"]
    inlines = [ParticipantInline]
    show_full_result_count = False


@admin.register(ProjectClaim)
class ProjectClaimAdmin(ReadOnlyAdmin):
    list_display = ["project", "member", "status", "created_at", "decided_by", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["project", "member", "decided_by"]
    search_fields = ["project__acronym", "project__title"]


@admin.register(ProjectUserObjectPermission)
class ProjectGrantAdmin(ReadOnlyAdmin):
    """Who holds which project (granted by a coordinator or through an approved claim)."""

    list_display = ["content_object", "user", "permission"]
    list_select_related = ["content_object", "user", "permission"]
    search_fields = ["content_object__acronym", "content_object__title"]


@admin.register(ContactCheck)
class ContactCheckAdmin(ReadOnlyAdmin):
    """Which point of contact was asked in which round, and whether they answered. The token's
    hash is not shown: it is of no use to anyone but the link."""

    list_display = ["contact", "round", "status", "sent_at", "expires_at", "answered_at"]
    list_filter = ["status", "round"]
    list_select_related = ["contact"]
    search_fields = ["contact__name", "contact__email", "contact__project__acronym"]
    fields = ["contact", "round", "status", "sent_at", "error", "expires_at", "answered_at"]


@admin.register(ProjectParticipant)
class ProjectParticipantAdmin(ReadOnlyAdmin):
    list_display = ["project", "organisation", "role", "eu_contribution"]
    list_filter = ["role"]
    list_select_related = ["project", "organisation"]
    search_fields = ["project__acronym", "organisation__name"]


@admin.register(ProjectContact)
class ProjectContactAdmin(ReadOnlyAdmin):
    """Points of contact are corrected by their holders and by the contacts themselves
    (ipup.services.contacts); here they are looked up."""

    list_display = ["name", "project", "function", "verified_at"]
    list_select_related = ["project"]
    search_fields = ["name", "email", "project__acronym"]


class NeedScopedAdmin(ReadOnlyAdmin):
    """Rows about a need, listed only where the reader may see the need (its title is on it)."""

    list_select_related = ["need"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(need__in=Need.objects.visible_to(request.user))


@admin.register(ScreeningCandidate)
class ScreeningCandidateAdmin(NeedScopedAdmin):
    list_display = ["need", "project", "judgement", "score", "judged_by", "judged_at"]
    list_filter = ["judgement"]
    list_select_related = ["need", "project", "judged_by"]
    search_fields = ["project__acronym", "need__title"]


@admin.register(SotaRecommendation)
class SotaRecommendationAdmin(NeedScopedAdmin):
    list_display = ["topic", "need", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["topic", "need__title"]


# --- Project documents and showcase events (SPEC §3.7, §3.8) -----------------------------------
#
# Written through their pages (ipup.services.documents, ipup.services.events: the workflow, the
# capacity and the audit entries hold there); here they are read, under the same rules.


class DocumentScopedAdmin(ReadOnlyAdmin):
    document_path = "document"

    def get_queryset(self, request):
        documents = ProjectDocument.objects.visible_to(request.user, drafts=True)
        lookup = f"{self.document_path}__in" if self.document_path else "pk__in"
        return super().get_queryset(request).filter(**{lookup: documents.values("pk")})


@admin.register(ProjectDocument)
class ProjectDocumentAdmin(DocumentScopedAdmin):
    document_path = ""
    list_display = ["project", "kind", "state", "draft_updated_at"]
    list_filter = ["kind", "state"]
    list_select_related = ["project"]
    search_fields = ["project__acronym", "project__title"]
    exclude = ["draft"]


@admin.register(DocumentVersion)
class DocumentVersionAdmin(DocumentScopedAdmin):
    list_display = ["document", "number", "submitted_at", "decision", "decided_by", "decided_at"]
    list_filter = ["decision"]
    list_select_related = ["document__project", "decided_by"]
    search_fields = ["document__project__acronym"]


@admin.register(ReviewComment)
class ReviewCommentAdmin(DocumentScopedAdmin):
    document_path = "version__document"
    list_display = ["version", "part", "author", "created_at"]
    list_select_related = ["version__document__project", "author"]


@admin.register(ProjectPdf)
class ProjectPdfAdmin(ReadOnlyAdmin):
    list_display = ["project", "kind", "source_key", "rendered_at"]
    list_filter = ["kind"]
    list_select_related = ["project"]
    exclude = ["content"]


class EventScopedAdmin(ReadOnlyAdmin):
    event_path = "event"

    def get_queryset(self, request):
        from community.models import Event

        events = Event.objects.visible_to(request.user).values("pk")
        return super().get_queryset(request).filter(**{f"{self.event_path}__in": events})


@admin.register(ShowcaseEvent)
class ShowcaseEventAdmin(EventScopedAdmin):
    list_display = ["event", "format", "project", "capacity", "registration_closes_at"]
    list_filter = ["format"]
    list_select_related = ["event", "project"]


@admin.register(AgendaItem)
class AgendaItemAdmin(EventScopedAdmin):
    event_path = "showcase__event"
    list_display = ["showcase", "project", "position", "starts_at"]
    list_select_related = ["showcase__event", "project"]


@admin.register(EventRegistration)
class EventRegistrationAdmin(EventScopedAdmin):
    event_path = "showcase__event"
    list_display = ["showcase", "member", "category", "status", "attended", "registered_at"]
    list_filter = ["status", "category", "attended"]
    list_select_related = ["showcase__event", "member"]
