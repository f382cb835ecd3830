"""Forms of the research project pages: validation only (ipup.services.projects writes)."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from taggit.forms import TagField

from community.models import Domain

from ..models import ProjectClaim, ResearchProject
from ..selectors import project_programmes


class ProjectFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_('Words, "an exact phrase", or -a word to leave out.'),
    )
    programme = forms.ChoiceField(label=_("Programme"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *ResearchProject.Status.choices],
    )
    domain = forms.ModelChoiceField(
        label=_("Domain"), queryset=Domain.objects.all(), required=False, empty_label=_("Any")
    )
    trl = forms.TypedChoiceField(
        label=_("TRL"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any")), *((n, n) for n in range(1, 10))],
    )
    country = forms.ChoiceField(
        label=_("Country of a partner"),
        required=False,
        choices=[("", _("Any country")), *countries],
    )
    year = forms.IntegerField(
        label=_("Start year"),
        required=False,
        validators=[MinValueValidator(1980), MaxValueValidator(2100)],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = [
            ("", _("Any programme")),
            *((name, name) for name in project_programmes()),
        ]


class ProjectForm(forms.ModelForm):
    tags = TagField(label=_("Tags"), required=False, help_text=_("Separated by commas."))

    class Meta:
        model = ResearchProject
        fields = ["summary", "objectives", "trl", "website", "domains"]
        widgets = {"domains": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["tags"] = list(self.instance.tags.values_list("name", flat=True))


class ProjectClaimForm(forms.ModelForm):
    class Meta:
        model = ProjectClaim
        fields = ["message"]
        widgets = {"message": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "message": _("Say what you did in the project: a coordinator checks it before you "
                         "may edit the project.")
        }  # fmt: skip


class MemberSearchForm(forms.Form):
    q = forms.CharField(label=_("Member's name"), min_length=2, max_length=100)
