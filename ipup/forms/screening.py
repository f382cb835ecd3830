"""Validation only: judging a screened project, recommending a state-of-the-art study and
moving it along (ipup.services.screening writes)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import ScreeningCandidate, SotaRecommendation


class JudgementForm(forms.Form):
    judgement = forms.ChoiceField(
        label=_("Judgement"),
        choices=[choice for choice in ScreeningCandidate.Judgement.choices if choice[0]],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class SotaForm(forms.Form):
    """The recommendation's fields, labels and lengths from the model."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(
            forms.fields_for_model(SotaRecommendation, fields=["topic", "rationale", "scope"])
        )
        for name in ("rationale", "scope"):
            self.fields[name].widget.attrs["rows"] = 3


class SotaStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Move to"), choices=SotaRecommendation.Status.choices)
    final_report_url = forms.URLField(
        label=_("Final report (address)"), required=False, max_length=500, assume_scheme="https"
    )
