"""Validation only: a point of contact correcting their own details through their link."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import ProjectContact
from ..services.contacts import CONTACT_FIELDS

# Digits with the usual separators and an optional leading "+": enough to call back, and
# nothing a spreadsheet or a mail client would read as something else.
PHONE = re.compile(r"^\+?[0-9][0-9 ().\-/]{4,38}$")


class ContactUpdateForm(forms.Form):
    """A plain form, not a ModelForm: a ModelForm writes the posted values into its instance
    while validating, and the page would then show them as the stored details. The fields
    (labels, lengths, e-mail check) come from the model."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(forms.fields_for_model(ProjectContact, fields=CONTACT_FIELDS))

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        if phone and not PHONE.match(phone):
            raise forms.ValidationError(
                _("Enter a telephone number: digits, spaces and + ( ) - . / only.")
            )
        return phone
