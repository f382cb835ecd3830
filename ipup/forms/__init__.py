"""Validation only: the answer form is built from the survey's questions; the needs
catalogue's filters and the need form."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from community.models import Domain

from ..models import Need, Question
from ..permissions import in_need_audience
from ..services.needs import NOT_IN_AUDIENCE

FIELD_NAME = re.compile(r"^q_(\d+)(?:_n_(\d+)|_r_(\d+))?$")
TEXT_MAX = 5000


def field_name(question_id: int, *, need_id: int | None = None, item: int | None = None) -> str:
    if need_id is not None:
        return f"q_{question_id}_n_{need_id}"
    if item is not None:
        return f"q_{question_id}_r_{item}"
    return f"q_{question_id}"


class SurveyAnswerForm(forms.Form):
    """Every question of a survey as fields. Fields are never required by the form itself: a
    draft may be saved half-filled; ``submitting`` checks the required questions. A posted field
    that names no question of this survey (a tampered id) makes the whole form invalid."""

    def __init__(self, *args, questions, submitting=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.submitting = submitting
        for question in questions:
            for name, field in self._fields_for(question):
                self.fields[name] = field

    def _scale(self, question):
        values = range(question.scale_min, question.scale_max + 1)
        return [(v, str(v)) for v in values]

    def _fields_for(self, question):
        kind, label = question.kind, question.text
        help_text = question.help_text
        if kind == Question.Kind.RATING:
            yield field_name(question.pk), forms.TypedChoiceField(
                label=label, help_text=help_text, choices=self._scale(question), coerce=int,
                empty_value=None, required=False, widget=forms.RadioSelect,
            )  # fmt: skip
        elif kind == Question.Kind.SINGLE:
            yield field_name(question.pk), forms.ChoiceField(
                label=label, help_text=help_text, required=False, widget=forms.RadioSelect,
                choices=[(c, c) for c in question.choices],
            )  # fmt: skip
        elif kind == Question.Kind.MULTIPLE:
            yield field_name(question.pk), forms.MultipleChoiceField(
                label=label, help_text=help_text, required=False,
                widget=forms.CheckboxSelectMultiple, choices=[(c, c) for c in question.choices],
            )  # fmt: skip
        elif kind == Question.Kind.TEXT:
            yield field_name(question.pk), forms.CharField(
                label=label, help_text=help_text, required=False, max_length=TEXT_MAX,
                widget=forms.Textarea(attrs={"rows": 4}),
            )  # fmt: skip
        elif kind == Question.Kind.RANKING:
            positions = [(p, str(p)) for p in range(1, len(question.choices) + 1)]
            for item, choice in enumerate(question.choices):
                yield field_name(question.pk, item=item), forms.TypedChoiceField(
                    label=choice, choices=[("", "—"), *positions], coerce=int,
                    empty_value=None, required=False,
                )  # fmt: skip
        elif kind == Question.Kind.NEED_IMPORTANCE:
            for need in question.needs.all():
                yield field_name(question.pk, need_id=need.pk), forms.TypedChoiceField(
                    label=need.title, choices=self._scale(question), coerce=int,
                    empty_value=None, required=False, widget=forms.RadioSelect,
                )  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        unknown = sorted(
            key for key in self.data if FIELD_NAME.match(key) and key not in self.fields
        )
        if unknown:
            raise forms.ValidationError(
                _("This form does not match the survey (unknown answers: %(names)s). Reload the page and try again."),
                code="tampered",
                params={"names": ", ".join(unknown)},
            )  # fmt: skip
        for question in self.questions:
            self._clean_question(question, cleaned)
        return cleaned

    def _clean_question(self, question, cleaned):
        names = [name for name, _field in self._fields_for(question)]
        values = [cleaned.get(name) for name in names]
        if question.kind == Question.Kind.RANKING:
            given = [v for v in values if v is not None]
            if given and sorted(given) != list(range(1, len(names) + 1)):
                self.add_error(
                    names[0],
                    _("Give each item a different position, from 1 to %(n)s.") % {"n": len(names)},
                )
                return
        if self.submitting and question.required:
            missing = [n for n, v in zip(names, values, strict=True) if v in (None, "", [])]
            if missing:
                message = ngettext(
                    "This question needs an answer.",
                    "Every item of this question needs an answer.",
                    len(names),
                )
                self.add_error(missing[0], message)

    def answers(self) -> list[tuple]:
        """``(question, need or None, value)`` for every answered field."""
        result = []
        for question in self.questions:
            if question.kind == Question.Kind.RANKING:
                order = {}
                for item, choice in enumerate(question.choices):
                    position = self.cleaned_data.get(field_name(question.pk, item=item))
                    if position is not None:
                        order[position] = choice
                if order:
                    result.append((question, None, [order[p] for p in sorted(order)]))
            elif question.kind == Question.Kind.NEED_IMPORTANCE:
                for need in question.needs.all():
                    value = self.cleaned_data.get(field_name(question.pk, need_id=need.pk))
                    if value is not None:
                        result.append((question, need, value))
            else:
                value = self.cleaned_data.get(field_name(question.pk))
                if value not in (None, "", []):
                    result.append((question, None, value))
        return result

    def initial_from(self, answers) -> None:
        """Fill the form from saved answers (a draft being resumed)."""
        for answer in answers:
            question = answer.question
            if question.kind == Question.Kind.RANKING and isinstance(answer.value, list):
                for position, choice in enumerate(answer.value, 1):
                    if choice in question.choices:
                        item = question.choices.index(choice)
                        self.initial[field_name(question.pk, item=item)] = position
            elif answer.need_id:
                self.initial[field_name(question.pk, need_id=answer.need_id)] = answer.value
            else:
                self.initial[field_name(question.pk)] = answer.value


# --- The needs catalogue (ipup.views.needs) ------------------------------------------------------


class NeedFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    domain = forms.ModelChoiceField(
        label=_("Domain"), queryset=Domain.objects.all(), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", "—"), *Need.Status.choices], required=False
    )
    source = forms.ChoiceField(
        label=_("Source"), choices=[("", "—"), *Need.Source.choices], required=False
    )
    answerable = forms.ChoiceField(
        label=_("Research can answer it"),
        choices=[("", "—"), ("yes", _("yes")), ("no", _("no"))],
        required=False,
    )


class NeedForm(forms.ModelForm):
    """A need as a manager records it (also the admin's form). ipup.services.needs saves it.
    ``actor``, the manager, must stay in the audience they choose (the service's rule, here so
    that it reads as an error on the field)."""

    actor = None

    class Meta:
        model = Need
        fields = [
            "title", "description", "domains", "source", "policy_references",
            "research_answerable", "out_of_scope_reason", "tier",
        ]  # fmt: skip
        widgets = {"domains": forms.CheckboxSelectMultiple}

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        if actor is not None:
            self.actor = actor

    def clean(self):
        cleaned = super().clean()
        if self.actor is not None and cleaned.get("tier"):
            probe = Need(tier=cleaned["tier"], room_id=self.instance.room_id)
            if not in_need_audience(self.actor, probe):
                self.add_error("tier", NOT_IN_AUDIENCE)
        # The scope rule of ipup.services.needs, here so it reads as a field error (and a
        # reason left over on a need research can answer does not trip the model constraint).
        if cleaned.get("research_answerable"):
            cleaned["out_of_scope_reason"] = ""
        elif "research_answerable" in cleaned and not cleaned.get("out_of_scope_reason"):
            self.add_error(
                "out_of_scope_reason", _("Say what answers this need instead of research.")
            )
        return cleaned
