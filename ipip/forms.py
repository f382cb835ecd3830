"""Forms of the IPIP checklist pages: validation only, the services write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ChecklistItem, ChecklistStage, ItemState


class ItemStateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ItemState.Status.choices)
    owner = forms.CharField(label=_("Owner"), max_length=200, required=False)
    reason = forms.CharField(
        label=_("Why it does not apply"),
        max_length=500,
        required=False,
        help_text=_("Required when the practice does not apply."),
    )
    evidence_note = forms.CharField(
        label=_("Evidence"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    evidence_link = forms.URLField(
        label=_("Evidence link"), max_length=500, required=False, assume_scheme="https"
    )
    evidence_file = forms.FileField(
        label=_("Evidence file"),
        required=False,
        help_text=_("PDF, image or office document, at most 10 MB."),
    )
    clear_file = forms.BooleanField(label=_("Remove the file"), required=False)
    date = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("status") == ItemState.Status.NOT_APPLICABLE and not data.get("reason"):
            self.add_error("reason", _("Say why this practice does not apply to the project."))
        return data


class TemplateItemForm(forms.ModelForm):
    stage = forms.ChoiceField(label=_("Stage"), choices=ChecklistStage.Key.choices)

    class Meta:
        model = ChecklistItem
        fields = ["topic", "text", "help_text"]
        widgets = {"help_text": forms.Textarea(attrs={"rows": 2})}


class PublishForm(forms.Form):
    note = forms.CharField(
        label=_("What changed"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
