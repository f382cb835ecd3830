"""Validation only: saving is the services' job."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from .models import (
    LANGUAGE_CHOICES,
    AffiliationType,
    MembershipApplication,
    Organisation,
    RoleLevel,
    User,
)


class SignupForm(forms.Form):
    """Extra fields of allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS)."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    country = LazyTypedChoiceField(label=_("Country"), choices=countries)
    affiliation_type = forms.ChoiceField(
        label=_("Affiliation"),
        choices=AffiliationType.choices,
        help_text=_("A community manager verifies it before it gives access to restricted rooms."),
    )
    role_level = forms.ChoiceField(label=_("Role level"), choices=RoleLevel.choices)

    def signup(self, request, user):
        for field in ("first_name", "last_name", "country", "affiliation_type", "role_level"):
            # An affiliation a manager vetted (set by invitation_redeem just before) stays.
            if field == "affiliation_type" and user.is_affiliation_verified:
                continue
            setattr(user, field, self.cleaned_data[field])
        user.save()


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    message = forms.CharField(
        label=_("Personal message"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )


class ManagerInvitationForm(InvitationForm):
    affiliation_type = forms.ChoiceField(
        label=_("Affiliation"), choices=[("", "—"), *AffiliationType.choices], required=False
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.all(), required=False
    )
    vetted = forms.BooleanField(
        label=_("I have checked this person's affiliation"),
        required=False,
        help_text=_("Their affiliation is then verified as soon as they join."),
    )

    def clean(self):
        data = super().clean()
        if data.get("vetted") and not data.get("affiliation_type"):
            self.add_error("affiliation_type", _("Choose the affiliation you have checked."))
        return data


class ApplicationForm(forms.ModelForm):
    class Meta:
        model = MembershipApplication
        fields = [
            "first_name",
            "last_name",
            "email",
            "organisation_name",
            "country",
            "affiliation_type",
            "position",
            "motivation",
        ]
        widgets = {"motivation": forms.Textarea(attrs={"rows": 5})}


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the applicant)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class CharterAcceptForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    accept = forms.BooleanField(label=_("I have read and accept the charter"))


class ProfileForm(forms.ModelForm):
    """What a member edits about themselves. Affiliation and organisation are vetted facts:
    community managers change them, not the member."""

    languages = forms.TypedMultipleChoiceField(
        label=_("Languages"),
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = User
        fields = [
            "first_name",
            "last_name",
            "country",
            "role_level",
            "domains",
            "languages",
            "bio",
            "profile_visibility",
            "show_email",
            "show_organisation",
        ]
        widgets = {
            "domains": forms.CheckboxSelectMultiple,
            "bio": forms.Textarea(attrs={"rows": 4}),
        }
