"""Validation only: saving is the services' job."""

import csv
import io
from collections import defaultdict

from allauth.core import context as allauth_context
from django import forms
from django.core.validators import validate_email
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from .adapters import session_invitation
from .models import (
    LANGUAGE_CHOICES,
    AffiliationType,
    Domain,
    Event,
    MembershipApplication,
    NationalContact,
    NewsPost,
    Organisation,
    ProfileVisibility,
    RoleLevel,
    Room,
    User,
)
from .selectors.members import invitation_list_open, member_by_name

# --- Organisations -----------------------------------------------------------------------------


class OrganisationsByCountry(forms.models.ModelChoiceIterator):
    """The managed list grouped by country (<optgroup>): it holds hundreds of organisations,
    and the groups keep a plain <select> usable without JavaScript."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        by_country = defaultdict(list)
        for organisation in self.queryset.order_by("name"):
            by_country[organisation.country.code].append(
                (organisation.country.name, self.choice(organisation))
            )
        groups = sorted(by_country.values(), key=lambda rows: str(rows[0][0]))
        for rows in groups:
            yield (rows[0][0], [choice for _name, choice in rows])


class OrganisationChoiceField(forms.ModelChoiceField):
    iterator = OrganisationsByCountry

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Organisation.objects.all())
        super().__init__(**kwargs)

    def label_from_instance(self, obj):
        return obj.name


def _organisation_field():
    return OrganisationChoiceField(
        label=_("Organisation"),
        required=False,
        empty_label=_("Not in the list (give its name below)"),
    )


def _unlisted_organisation_field():
    return forms.CharField(
        label=_("Your organisation's name, if it is not in the list"),
        max_length=200,
        required=False,
        help_text=_("A community manager adds it to the list."),
    )


def _organisation_claim_clean(form, cleaned, *, name_field: str, required: bool) -> None:
    """An organisation chosen from the list, or (not both) the name of one that is not."""
    chosen, named = cleaned.get("organisation"), (cleaned.get(name_field) or "").strip()
    cleaned[name_field] = named
    if chosen and named:
        form.add_error(
            name_field, _("You chose your organisation from the list: leave this empty.")
        )
    elif required and not chosen and not named and "organisation" not in form.errors:
        form.add_error(
            "organisation", _("Choose your organisation, or give its name if it is not listed.")
        )


class OrganisationDecisionForm(forms.Form):
    """A community manager's choice of someone's organisation: one from the list, or a new one
    added here, explicitly (``organisation_chosen`` creates it). ``cleaned_data["organisation"]``
    is the listed organisation, a new unsaved one, or None."""

    organisation = OrganisationChoiceField(
        label=_("Organisation"), required=False, empty_label=_("Not in the list: add it below")
    )
    new_name = forms.CharField(label=_("New organisation: name"), max_length=200, required=False)
    new_country = LazyTypedChoiceField(
        label=_("New organisation: country"), choices=[("", "—"), *countries], required=False
    )
    new_type = forms.ChoiceField(
        label=_("New organisation: type"),
        choices=[("", "—"), *AffiliationType.choices],
        required=False,
    )

    def __init__(self, *args, required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_required = required

    def clean(self):
        cleaned = super().clean()
        chosen, name = cleaned.get("organisation"), cleaned.get("new_name", "").strip()
        if chosen and name:
            self.add_error(
                "new_name", _("You chose an organisation from the list: leave the new one empty.")
            )
        elif name:
            for field in ("new_country", "new_type"):
                if not cleaned.get(field):
                    self.add_error(field, _("Needed to add the organisation."))
            cleaned["organisation"] = Organisation(
                name=name, country=cleaned.get("new_country"), type=cleaned.get("new_type")
            )
        elif self.organisation_required and not chosen and "organisation" not in self.errors:
            self.add_error("organisation", _("Choose the organisation, or add a new one."))
        return cleaned


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "country", "type", "website"]


class OrganisationMergeForm(forms.Form):
    target = OrganisationChoiceField(label=_("Merge into"))
    confirm = forms.BooleanField(
        label=_("I understand that this organisation is deleted and its members, invitations, "
                "applications and survey answers move to the one chosen"),
    )  # fmt: skip

    def __init__(self, *args, source: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = Organisation.objects.exclude(pk=source.pk)


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=100)
    country = LazyTypedChoiceField(
        label=_("Country"), choices=[("", _("Any country")), *countries], required=False
    )


# --- Joining ------------------------------------------------------------------------------------


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
    organisation = _organisation_field()
    unlisted_organisation = _unlisted_organisation_field()
    role_level = forms.ChoiceField(
        label=_("Role level"),
        choices=RoleLevel.choices,
        help_text=_("It weighs in needs surveys; a community manager confirms it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The organisation an invitation names is the inviting manager's word: not asked again.
        invitation = session_invitation(allauth_context.request)
        self.organisation_asked = not (invitation and invitation.organisation_id)
        if not self.organisation_asked:
            del self.fields["organisation"], self.fields["unlisted_organisation"]

    def clean(self):
        cleaned = super().clean()
        if self.organisation_asked:
            _organisation_claim_clean(
                self, cleaned, name_field="unlisted_organisation", required=True
            )
        return cleaned

    def signup(self, request, user):
        from .services import member_facts_declare

        for field in ("first_name", "last_name", "country", "affiliation_type"):
            # An affiliation a manager vetted (set by invitation_redeem just before) stays.
            if field == "affiliation_type" and user.is_affiliation_verified:
                continue
            setattr(user, field, self.cleaned_data[field])
        user.save()
        member_facts_declare(
            member=user,
            role_level=self.cleaned_data["role_level"],
            organisation=self.cleaned_data.get("organisation", user.organisation),
            unlisted_organisation=self.cleaned_data.get("unlisted_organisation", ""),
        )


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
    organisation = OrganisationChoiceField(label=_("Organisation"), required=False)
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
    organisation = _organisation_field()
    organisation_name = _unlisted_organisation_field()

    class Meta:
        model = MembershipApplication
        fields = [
            "first_name",
            "last_name",
            "email",
            "organisation",
            "organisation_name",
            "country",
            "affiliation_type",
            "position",
            "motivation",
        ]
        widgets = {"motivation": forms.Textarea(attrs={"rows": 5})}

    def clean(self):
        cleaned = super().clean()
        _organisation_claim_clean(self, cleaned, name_field="organisation_name", required=True)
        return cleaned


class ApprovalForm(OrganisationDecisionForm):
    """Approving an application: the organisation is the manager's choice, never the free text
    of the application."""

    def __init__(self, *args, application: MembershipApplication, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "organisation": application.organisation_id,
                "new_name": application.organisation_name,
                "new_country": application.country.code,
                "new_type": application.affiliation_type,
            },
        )
        super().__init__(*args, **kwargs)


class MemberOrganisationForm(OrganisationDecisionForm):
    """Verifying a member or confirming their change: the organisation they gave (or asked
    for) is proposed; left empty, it stays as it is."""

    def __init__(self, *args, member: User, **kwargs):
        named = member.unlisted_organisation
        kwargs.setdefault(
            "initial",
            {
                "organisation": None
                if named
                else (member.pending_organisation_id or member.organisation_id),
                "new_name": named,
                "new_country": member.country.code,
                "new_type": member.affiliation_type,
            },
        )
        super().__init__(*args, required=False, **kwargs)


class ChangeDeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the member)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the applicant)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class AffiliationChangeForm(forms.Form):
    affiliation_type = forms.ChoiceField(
        label=_("New affiliation"), choices=AffiliationType.choices
    )
    reason = forms.CharField(
        label=_("Reason (recorded in the audit log)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class CharterAcceptForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    accept = forms.BooleanField(label=_("I have read and accept the charter"))


class ProfileForm(forms.ModelForm):
    """What a member edits about themselves. The affiliation is a vetted fact: community
    managers change it, not the member. Role level and organisation are the member's word
    until verified, then only asked for (``member_facts_declare``): the form shows what is
    asked for, if anything, else what is."""

    role_level = forms.ChoiceField(label=_("Role level"), choices=RoleLevel.choices)
    organisation = _organisation_field()
    unlisted_organisation = _unlisted_organisation_field()
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
            "domains",
            "languages",
            "bio",
            "profile_visibility",
            "email_visibility",
            "organisation_visibility",
            "email_frequency",
        ]
        widgets = {
            "domains": forms.CheckboxSelectMultiple,
            "bio": forms.Textarea(attrs={"rows": 4}),
        }

    # A form posted without these (an older page) keeps the member's current choice.
    KEEP_WHEN_MISSING = (
        "email_frequency",
        "profile_visibility",
        "email_visibility",
        "organisation_visibility",
    )

    # The model's label for "hidden" says community managers only, but the national contacts
    # of the member's country see their country's members whatever the setting
    # (community.visibility.member_filter): the member is told who really sees.
    VISIBILITY_FIELDS = ("profile_visibility", "email_visibility", "organisation_visibility")
    HIDDEN_LABEL = _("Only community managers and your country's national contacts")
    VISIBILITY_HELP = _(
        "Community managers and your country's national contacts see it whatever you choose."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.KEEP_WHEN_MISSING:
            self.fields[name].required = False
        member = self.instance
        self.initial.setdefault("role_level", member.pending_role_level or member.role_level)
        self.initial.setdefault(
            "organisation",
            None
            if member.unlisted_organisation
            else member.pending_organisation_id or member.organisation_id,
        )
        self.initial.setdefault("unlisted_organisation", member.unlisted_organisation)
        if member.is_affiliation_verified:
            help_text = _(
                "They weigh in needs surveys: a change waits for a community manager's "
                "confirmation. To leave your organisation, write to a community manager."
            )
            self.fields["role_level"].help_text = help_text
        for name in self.VISIBILITY_FIELDS:
            field = self.fields[name]
            field.choices = [
                (value, self.HIDDEN_LABEL if value == ProfileVisibility.HIDDEN else label)
                for value, label in field.choices
            ]
            field.help_text = self.VISIBILITY_HELP

    def clean(self):
        cleaned = super().clean()
        for name in self.KEEP_WHEN_MISSING:
            if not cleaned.get(name):
                cleaned[name] = getattr(self.instance, name)
        _organisation_claim_clean(self, cleaned, name_field="unlisted_organisation", required=False)
        return cleaned

    @property
    def preferences_saved(self) -> bool:
        """Whether the member chose their notification e-mails in this submission."""
        return bool(self.data.get("email_frequency"))


# --- Discussion rooms -------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; type and size are checked by ``attachments_check`` in the
    service, before anything is written, so the rule lives in one place."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def _attachments_field():
    return MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("Up to 5 files: PDF, images, text, CSV or office documents."),
    )


def _body_field(label=None):
    return forms.CharField(
        label=label or _("Message"),
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown: **bold**, *italic*, > quote, lists, links. Mention with @handle."),
    )


class ThreadForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = _body_field()
    attachments = _attachments_field()


class ReplyForm(forms.Form):
    body = _body_field(_("Your reply"))
    attachments = _attachments_field()


class PostEditForm(forms.Form):
    """``with_title``: the thread's first post (its title can change too); ``with_reason``: a
    moderator editing someone else's post (the service requires the reason)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    body = _body_field()
    reason = forms.CharField(
        label=_("Why you edit this post"),
        max_length=500,
        required=False,
        help_text=_("Recorded in the audit log and sent to the author."),
    )

    def __init__(self, *args, with_title=False, with_reason=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_title:
            del self.fields["title"]
        if not with_reason:
            del self.fields["reason"]


class FlagForm(forms.Form):
    reason = forms.CharField(
        label=_("What is wrong with this post?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only the room's moderators and the community managers read it."),
    )


class SearchForm(forms.Form):
    """The room is a slug and the author a handle: a room the reader cannot see, or a handle
    nobody has, gives no results and no error, exactly like one that does not exist."""

    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    room = forms.CharField(label=_("Room"), max_length=120, required=False)
    author = forms.CharField(label=_("Author (handle)"), max_length=60, required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    page = forms.IntegerField(min_value=1, max_value=25, required=False)

    def __init__(self, *args, rooms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].widget = forms.Select(
            choices=[("", _("All rooms")), *((room.slug, room.name) for room in rooms)]
        )

    def clean_author(self):
        return self.cleaned_data["author"].strip().lstrip("@")

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return data


# --- Moderation and room management ----------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (recorded in the audit log)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class ThreadModerationForm(forms.Form):
    class Action(models.TextChoices):
        LOCK = "lock", _("Lock")
        UNLOCK = "unlock", _("Unlock")
        PIN = "pin", _("Pin")
        UNPIN = "unpin", _("Unpin")
        MOVE = "move", _("Move to another room")
        MERGE = "merge", _("Merge into another thread")

    action = forms.ChoiceField(label=_("Action"), choices=Action.choices)
    room = forms.ModelChoiceField(label=_("Move to"), queryset=Room.objects.none(), required=False)
    target = forms.IntegerField(label=_("Merge into thread number"), required=False, min_value=1)
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
        required=False,
    )  # fmt: skip
    confirm_wider = forms.BooleanField(
        label=_("Show this thread to the wider audience of the room it goes to"),
        help_text=_(
            "Needed when members who cannot read this thread now could read it after the move "
            "or merge. Recorded in the audit log."
        ),
        required=False,
    )

    def __init__(self, *args, rooms=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = rooms if rooms is not None else Room.objects.none()

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == self.Action.MOVE and not data.get("room"):
            self.add_error("room", _("Choose the room to move the thread to."))
        if action == self.Action.MERGE and not data.get("target"):
            self.add_error("target", _("Give the number of the thread to merge into."))
        if action in (self.Action.MOVE, self.Action.MERGE) and not data.get("reason", "").strip():
            self.add_error("reason", _("Give a reason: it is recorded in the audit log."))
        return data


class RoomForm(forms.ModelForm):
    class Meta:
        model = Room
        fields = ["name", "slug", "description", "tier", "is_private", "domain", "position",
                  "is_archived", "email_content"]  # fmt: skip
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "email_content": _(
                "Whether notification e-mails and digests quote this room's posts. Without "
                "text they only say there is something new, with a link: no title, author or "
                "excerpt reaches a mailbox."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email_content"].required = False

    def clean_email_content(self):
        # A form posted without it (an older page) keeps the room's setting, "auto" for a new one.
        return self.cleaned_data["email_content"] or self.instance.email_content


class MemberNameField(forms.CharField):
    """A member named by full name, handle or e-mail; namesakes are asked to be told apart."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Member (name, handle or e-mail)"))
        super().__init__(max_length=254, **kwargs)

    def clean(self, value):
        members = member_by_name(super().clean(value))
        if not members:
            raise forms.ValidationError(_("No member with this name, handle or e-mail."))
        if len(members) > 1:
            raise forms.ValidationError(
                _("Several members have this name: give the handle or the e-mail.")
            )
        return members[0]


class RoomGrantForm(forms.Form):
    member = MemberNameField()
    moderator = forms.BooleanField(label=_("as moderator"), required=False)


class MemberSearchForm(forms.Form):
    q = forms.CharField(label=_("Name, handle or e-mail"), min_length=2, max_length=254)


class SanctionForm(forms.Form):
    class Kind(models.TextChoices):
        WARN = "warn", _("Warn")
        SUSPEND = "suspend", _("Suspend")
        UNSUSPEND = "unsuspend", _("Lift the suspension")
        REMOVE = "remove", _("Remove from the platform")

    kind = forms.ChoiceField(label=_("Action"), choices=Kind.choices)
    days = forms.IntegerField(label=_("Days (suspension)"), min_value=1, max_value=365,
                              required=False)  # fmt: skip
    reason = forms.CharField(
        label=_("Reason (sent to the member)"), widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000, required=False,
    )  # fmt: skip

    def clean(self):
        data = super().clean()
        if data.get("kind") == self.Kind.SUSPEND and not data.get("days"):
            self.add_error("days", _("Say how many days."))
        if data.get("kind") != self.Kind.UNSUSPEND and not data.get("reason", "").strip():
            self.add_error("reason", _("Give a reason: it is recorded in the audit log."))
        return data


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("Action"), required=False, max_length=64)
    actor = forms.CharField(label=_("Actor e-mail"), required=False, max_length=254)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    security = forms.BooleanField(label=_("Security events only"), required=False)

    def __init__(self, *args, security_events: bool, **kwargs):
        """``security_events``: whether the viewer may see security events (administrators)."""
        super().__init__(*args, **kwargs)
        if not security_events:
            del self.fields["security"]


# --- Introductions ----------------------------------------------------------------------------


class MemberField(forms.CharField):
    """A member named by e-mail address or @handle."""

    def clean(self, value):
        value = super().clean(value).strip().removeprefix("@")
        if not value:
            return None
        lookup = {"email__iexact": value} if "@" in value else {"handle": value}
        member = User.objects.filter(is_active=True, deleted_at__isnull=True, **lookup).first()
        if member is None:
            raise forms.ValidationError(_("No member with this e-mail address or handle."))
        return member


class IntroductionForm(forms.Form):
    member_a = MemberField(
        label=_("Member"), help_text=_("E-mail address or @handle."), max_length=254
    )
    member_b = MemberField(
        label=_("Introduce them to"), help_text=_("E-mail address or @handle."), max_length=254
    )
    note = forms.CharField(
        label=_("Your note"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Why they should talk. Each member receives an e-mail presenting the other, with "
            "the other's e-mail address, and can reply to them directly."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        a, b = cleaned.get("member_a"), cleaned.get("member_b")
        if a and b and a.pk == b.pk:
            raise forms.ValidationError(_("Choose two different members."))
        return cleaned


# --- Directory and national contacts -----------------------------------------------------------


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    country = LazyTypedChoiceField(
        label=_("Country"), choices=[("", _("Any country")), *countries], required=False
    )
    affiliation = forms.ChoiceField(
        label=_("Affiliation"),
        choices=[("", _("Any affiliation")), *AffiliationType.choices],
        required=False,
    )
    domain = forms.ModelChoiceField(
        label=_("Domain of expertise"),
        queryset=Domain.objects.all(),
        required=False,
        empty_label=_("Any domain"),
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", _("Any language")), *LANGUAGE_CHOICES], required=False
    )
    organisation = forms.CharField(label=_("Organisation"), required=False, max_length=100)
    awaiting_verification = forms.BooleanField(
        label=_("Only members awaiting verification"), required=False
    )

    def __init__(self, *args, manager=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not manager:
            del self.fields["awaiting_verification"]


class NationalContactForm(forms.Form):
    country = LazyTypedChoiceField(label=_("Country"), choices=countries)
    role = forms.ChoiceField(label=_("Role"), choices=NationalContact.Role.choices)
    member = MemberField(label=_("Member"), help_text=_("E-mail address or @handle."))


class HandoverForm(forms.Form):
    successor = MemberField(
        label=_("Successor"),
        required=False,
        help_text=_(
            "E-mail address or @handle. Leave empty to promote the deputy (for a contact) or "
            "leave the deputy's place empty."
        ),
    )


# --- News and calendar -------------------------------------------------------------------------


class NewsForm(forms.ModelForm):
    segment_affiliations = forms.TypedMultipleChoiceField(
        label=_("Affiliations"),
        choices=AffiliationType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    segment_role_levels = forms.TypedMultipleChoiceField(
        label=_("Role levels"),
        choices=RoleLevel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = NewsPost
        fields = [
            "title",
            "body",
            "tier",
            "email_to",
            "segment_affiliations",
            "segment_countries",
            "segment_role_levels",
            "segment_domains",
        ]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 10}),
            "segment_domains": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "email_to": _(
                "Only members who can read the news are e-mailed, and not those who turned "
                "their e-mail notifications off. An item is e-mailed once, when published."
            ),
        }

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["email_to"]


class CountryNewsForm(forms.ModelForm):
    """A national contact's news to their country's members (services.country_news_publish)."""

    class Meta:
        model = NewsPost
        fields = ["title", "body", "tier"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Not offered, and refused by the service: public news is the managers' to publish.
        self.fields["tier"].choices = [
            choice for choice in self.fields["tier"].choices if choice[0] != "public"
        ]


class EventForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = [
            "title",
            "kind",
            "tier",
            "starts_at",
            "ends_at",
            "location",
            "online_url",
            "description",
        ]
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "description": forms.Textarea(attrs={"rows": 6}),
        }

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends < starts:
            self.add_error("ends_at", _("The event must end after it starts."))
        return cleaned


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password, to confirm"), widget=forms.PasswordInput, strip=False
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account and personal data are deleted for good.")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password."))
        return password


# --- Vetting (services/vetting.py) ------------------------------------------------------------


class VerificationMessageForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the member"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


class InvitationImportForm(forms.Form):
    """A list of people to invite, as CSV (e-mail, first name, last name, affiliation,
    organisation — the last optional), checked row by row: ``rows`` are the invitations to
    make, ``row_errors`` what is wrong with the others, by line. The preview carries the list
    in ``csv_text`` to the confirmation, where it is checked again."""

    MAX_BYTES = 200_000
    MAX_ROWS = 500
    rows: tuple | list = ()
    row_errors: tuple | list = ()

    csv_file = forms.FileField(
        label=_("CSV file"),
        required=False,
        help_text=_(
            "One person per line: e-mail, first name, last name, affiliation, organisation "
            "(optional, as listed on the platform). A first line of column names is skipped."
        ),
    )
    csv_text = forms.CharField(widget=forms.HiddenInput, required=False)
    message = forms.CharField(
        label=_("Personal message (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
    vetted = forms.BooleanField(
        label=_("I have checked these people's affiliations"),
        required=False,
        help_text=_("Their affiliation is then verified as soon as they join."),
    )

    def clean_csv_file(self):
        upload = self.cleaned_data["csv_file"]
        if upload is None:
            return ""
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is too large (200 kB at most)."))
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("Save the file as CSV in UTF-8.")) from None

    def clean(self):
        data = super().clean()
        text = data.get("csv_file") or data.get("csv_text", "")
        if not text.strip():
            if not self.errors:
                self.add_error("csv_file", _("Choose a CSV file."))
            return data
        data["csv_text"] = text
        lines = list(csv.reader(io.StringIO(text)))
        if lines and lines[0] and lines[0][0].strip().lower() in ("email", "e-mail"):
            lines = [None, *lines[1:]]  # keep the line numbers of the file
        numbered = [(n, cells) for n, cells in enumerate(lines, start=1) if cells and any(cells)]
        if len(numbered) > self.MAX_ROWS:
            self.add_error("csv_file", _("At most 500 people at a time."))
            return data
        self.rows, self.row_errors = self._check(numbered, vetted=data.get("vetted", False))
        if not self.rows:
            self.add_error(None, _("No line of the file can be invited."))
        return data

    def _check(self, numbered, *, vetted):
        affiliations = {str(label).lower(): value for value, label in AffiliationType.choices}
        affiliations.update({value: value for value in AffiliationType.values})
        emails = {(cells[0] if cells else "").strip().lower() for _n, cells in numbered}
        names = {cells[4].strip().lower() for _n, cells in numbered if len(cells) > 4}
        members = set(
            User.objects.annotate(key=Lower("email"))
            .filter(key__in=emails)
            .values_list("key", flat=True)
        )
        invited = set(
            invitation_list_open()
            .annotate(key=Lower("email"))
            .filter(key__in=emails)
            .values_list("key", flat=True)
        )
        organisations = defaultdict(list)
        for organisation in Organisation.objects.annotate(key=Lower("name")).filter(key__in=names):
            organisations[organisation.key].append(organisation)
        rows, errors, seen = [], [], set()
        for number, cells in numbered:
            cells = [cell.strip() for cell in cells] + [""] * 5
            email, first, last, affiliation, organisation = cells[:5]
            email = email.lower()
            problems = []
            try:
                validate_email(email)
            except forms.ValidationError:
                problems.append(_("not an e-mail address"))
            if email in seen:
                problems.append(_("listed twice"))
            elif email in members:
                problems.append(_("already a member"))
            elif email in invited:
                problems.append(_("an invitation to this address is still open"))
            if len(first) > 150 or len(last) > 150:
                problems.append(_("name too long"))
            kind = affiliations.get(affiliation.lower(), "")
            if affiliation and not kind:
                problems.append(_("unknown affiliation “%(value)s”") % {"value": affiliation})
            if vetted and not kind:
                problems.append(_("give the affiliation you have checked"))
            matches = organisations.get(organisation.lower(), []) if organisation else [None]
            if not matches:
                problems.append(_("organisation not listed: add it first"))
            elif len(matches) > 1:
                problems.append(_("several listed organisations have this name"))
            seen.add(email)
            if problems:
                errors.append({"line": number, "email": email, "problems": problems})
            else:
                rows.append(
                    {"email": email, "first_name": first, "last_name": last,
                     "affiliation_type": kind, "organisation": matches[0],
                     "vetted": vetted and bool(kind)}
                )  # fmt: skip
        return rows, errors


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. the script or machine that uses it."),
    )
