"""Validation only: a project document's form, built from its schema (ipup.documents).

The fields only collect what was typed, with the right widget and the browser's limits; the
answers themselves are judged by ``ipup.documents.validate`` in the service, the same rule the
API follows, and its errors (keyed by field key) come back onto these fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .. import documents as schemas

# Posted names that are not answers: the CSRF token and the button pressed.
NOT_ANSWERS = {"csrfmiddlewaretoken", "action"}


def _form_field(f: schemas.Field) -> forms.Field:
    common = {"label": f.label, "help_text": f.help, "required": False}
    if f.kind == "text":
        return forms.CharField(
            widget=forms.Textarea(attrs={"maxlength": f.max_length, "rows": 5}), **common
        )
    if f.kind in ("line", "email"):
        input_type = "email" if f.kind == "email" else "text"
        return forms.CharField(
            widget=forms.TextInput(attrs={"maxlength": f.max_length, "type": input_type}),
            **common,
        )
    if f.kind == "trl":
        choices = [("", "—"), *((str(level), label) for level, label in schemas.TRL_CHOICES)]
        return forms.CharField(widget=forms.Select(choices=choices), **common)
    if f.kind == "date":
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if f.kind == "choice":
        return forms.ChoiceField(
            choices=[(str(key), label) for key, label in f.choices],
            widget=forms.RadioSelect,
            **common,
        )
    return forms.MultipleChoiceField(
        choices=[(str(key), label) for key, label in f.choices],
        widget=forms.CheckboxSelectMultiple,
        **common,
    )


class DocumentForm(forms.Form):
    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.schema = schemas.schema_for(kind)
        for f in self.schema.fields:
            self.fields[f.key] = _form_field(f)

    def clean(self):
        cleaned = super().clean()
        # A form posted by hand (or from an older page) must not lose an answer silently.
        unknown = sorted(set(self.data) - set(self.fields) - NOT_ANSWERS)
        if unknown:
            raise forms.ValidationError(
                _("This document has no such question: %(names)s.")
                % {"names": ", ".join(name[:60] for name in unknown[:5])}
            )
        return cleaned

    def answers(self) -> dict:
        """The draft as the service takes it: every question, empty answers as None."""
        return {key: self.cleaned_data.get(key) or None for key in self.fields}

    def parts(self) -> list[dict]:
        """The schema's parts with their bound fields, in order, for the template."""
        return [
            {"part": part, "fields": [self[f.key] for f in part.fields]}
            for part in self.schema.parts
        ]


def initial_for(data: dict) -> dict:
    """A stored draft as the form's initial values (the TRL as the select's text)."""
    return {key: str(value) if isinstance(value, int) else value for key, value in data.items()}
