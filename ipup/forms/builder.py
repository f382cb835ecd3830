"""The survey builder's forms (validation only; ipup.services.builder writes).

A question form shows the fields its type needs and nothing else; a posted field its type does
not use is refused rather than silently dropped, and so is a structural field posted for a
published survey (its structure is locked: wording fixes only). The options and scale rules are
shared with the administration (ipup.admin)."""

from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.models import AffiliationType, Domain, RoleLevel

from ..models import Need, Question, Section, Survey
from ..ranking import role_weight
from ..services.builder import QUESTION_WORDING, STRUCTURE_LOCKED, SURVEY_WORDING

SCALE_FIELDS = ["scale_min", "scale_max", "scale_min_label", "scale_max_label"]
FIELDS_FOR_KIND = {
    Question.Kind.RATING: SCALE_FIELDS,
    Question.Kind.SINGLE: ["choices"],
    Question.Kind.MULTIPLE: ["choices"],
    Question.Kind.RANKING: ["choices"],
    Question.Kind.TEXT: [],
    Question.Kind.NEED_IMPORTANCE: [*SCALE_FIELDS, "needs"],
}
COMMON_FIELDS = ["section", "text", "help_text", "required"]
# A scale longer than 0 to 10 is not a scale respondents can use.
SCALE_MAX_STEPS = 10
# A role level may count up to ten times a field officer's answer: more would let one
# respondent outweigh a whole survey.
ROLE_WEIGHT_MAX = 10
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def options_validate(options: list[str]) -> list[str]:
    """The options of a choice or ranking question, blanks dropped: at least two, all
    different."""
    options = [option.strip() for option in options if option.strip()]
    if len(options) < 2:
        raise forms.ValidationError(_("Give at least two options."), code="too_few")
    if len(set(options)) != len(options):
        raise forms.ValidationError(_("Each option must be different."), code="duplicate")
    return options


def scale_validate(form, cleaned) -> None:
    low, high = cleaned.get("scale_min"), cleaned.get("scale_max")
    if low is None or high is None:
        return
    if high <= low:
        form.add_error("scale_max", _("The scale must end above where it starts."))
    elif high - low > SCALE_MAX_STEPS:
        form.add_error(
            "scale_max",
            _("A scale has at most %(n)s steps (e.g. 0 to 10).") % {"n": SCALE_MAX_STEPS},
        )


def needs_with_unseen(question, chosen, offered) -> list:
    """``chosen`` plus the needs already in ``question`` that the form did not offer (those its
    author may not see): they stay in the question rather than being dropped unseen."""
    if not question.pk:
        return list(chosen)
    return [*chosen, *question.needs.exclude(pk__in=offered.values("pk"))]


class RefusedFieldsMixin:
    """Refuse a posted field the form does not offer (``refused``: name → message)."""

    refused: dict

    def refuse_posted(self) -> None:
        for name, message in self.refused.items():
            values = (
                self.data.getlist(name) if hasattr(self.data, "getlist") else [self.data.get(name)]
            )
            if any(value not in (None, "") for value in values):
                self.add_error(None, message)
                return


class SurveyForm(RefusedFieldsMixin, forms.ModelForm):
    """A survey's settings. Once published, only its wording (title, introduction)."""

    audience_affiliations = forms.MultipleChoiceField(
        label=_("Affiliations"), choices=AffiliationType.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    audience_role_levels = forms.MultipleChoiceField(
        label=_("Role levels"), choices=RoleLevel.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    audience_domains = forms.ModelMultipleChoiceField(
        label=_("Domains"), queryset=Domain.objects.all(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    class Meta:
        model = Survey
        fields = [
            "title", "kind", "introduction", "opens_at", "closes_at", "is_anonymous",
            "public_link", "audience_affiliations", "audience_countries", "audience_role_levels",
            "audience_domains", "normalise_by_organisation", "reminder_interval_days",
            "max_reminders",
        ]  # fmt: skip
        widgets = {
            "opens_at": DATETIME_WIDGET,
            "closes_at": DATETIME_WIDGET,
            "introduction": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        weights = self.instance.role_weights or {}
        for level in RoleLevel:
            self.fields[f"weight_{level.value}"] = forms.DecimalField(
                label=_("Weight of the “%(level)s” level") % {"level": level.label},
                min_value=0, max_value=ROLE_WEIGHT_MAX, decimal_places=2,
                initial=role_weight(weights, level.value),
            )  # fmt: skip
        for name, most in (("reminder_interval_days", 60), ("max_reminders", 10)):
            self.fields[name].validators.append(MaxValueValidator(most))
            self.fields[name].widget.attrs["max"] = most
        self.refused = {}
        if self.instance.published_at:
            for name in list(self.fields):
                if name not in SURVEY_WORDING:
                    del self.fields[name]
                    self.refused[name] = STRUCTURE_LOCKED

    def clean(self):
        cleaned = super().clean()
        self.refuse_posted()
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("The survey must close after it opens."))
        elif "closes_at" in self.changed_data and closes and closes <= timezone.now():
            self.add_error("closes_at", _("The closing date must be in the future."))
        return cleaned

    def fieldsets(self) -> list[tuple]:
        """``(legend, note, [bound fields])`` for the page, the groups a published survey no
        longer has left out."""
        groups = [
            (_("The survey"), "", [
                "title", "kind", "introduction", "opens_at", "closes_at", "is_anonymous",
                "public_link",
            ]),
            (_("Audience"), _("Each criterion set narrows the audience; with none, every verified member is asked."), [
                "audience_affiliations", "audience_countries", "audience_role_levels",
                "audience_domains",
            ]),
            (_("Weighting"), _("How much one answer counts in the ranking of the needs, by the respondent's role level (0 to 10)."), [
                *(f"weight_{level.value}" for level in RoleLevel), "normalise_by_organisation",
            ]),
            (_("Reminders"), "", ["reminder_interval_days", "max_reminders"]),
        ]  # fmt: skip
        return [
            (legend, note, [self[name] for name in names if name in self.fields])
            for legend, note, names in groups
            if any(name in self.fields for name in names)
        ]

    def service_fields(self) -> dict:
        fields = {
            name: self.cleaned_data[name] for name in self._meta.fields if name in self.fields
        }
        if f"weight_{RoleLevel.FIELD.value}" in self.fields:
            # One number field per role level here (gone once published), one JSON object on
            # the survey.
            fields["role_weights"] = {
                level.value: float(self.cleaned_data[f"weight_{level.value}"])
                for level in RoleLevel
            }
        return fields


class SectionForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = ["title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class QuestionForm(RefusedFieldsMixin, forms.ModelForm):
    """One question of type ``kind``, with only the fields that type needs. For a published
    survey (``locked``), only its wording."""

    choices = forms.CharField(
        label=_("Options"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One option a line, in the order respondents see them."),
    )  # fmt: skip

    class Meta:
        model = Question
        fields = [*COMMON_FIELDS, *SCALE_FIELDS, "choices", "needs"]
        widgets = {"needs": forms.CheckboxSelectMultiple}

    def __init__(self, *args, survey, kind, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = Question.Kind(kind)
        self.fields["section"].queryset = survey.sections.all()
        self.fields["section"].empty_label = None
        self.fields["needs"].queryset = Need.objects.visible_to(actor).order_by("title")
        if self.instance.pk:
            self.initial["choices"] = "\n".join(self.instance.choices)
        wanted = {*COMMON_FIELDS, *FIELDS_FOR_KIND[self.kind]}
        locked = survey.published_at is not None
        self.refused = {}
        for name in list(self.fields):
            if name not in wanted:
                self.refused[name] = _(
                    "“%(field)s” does not apply to a question of type “%(kind)s”."
                ) % {
                    "field": self.fields[name].label,
                    "kind": self.kind.label,
                }
            elif locked and name not in QUESTION_WORDING:
                self.refused[name] = STRUCTURE_LOCKED
            else:
                continue
            del self.fields[name]
        if "choices" in self.fields:
            self.fields["choices"].required = True
        if "needs" in self.fields:
            self.fields["needs"].required = True

    def clean_choices(self):
        return options_validate(self.cleaned_data["choices"].splitlines())

    def clean(self):
        cleaned = super().clean()
        self.refuse_posted()
        scale_validate(self, cleaned)
        if "needs" in cleaned:
            cleaned["needs"] = needs_with_unseen(
                self.instance, cleaned["needs"], self.fields["needs"].queryset
            )
        return cleaned

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}
