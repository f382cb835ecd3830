"""Validation only: saving is the services' job."""

from django import forms
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from .models import (
    LANGUAGE_CHOICES,
    AffiliationType,
    Domain,
    Event,
    MembershipApplication,
    NationalContact,
    NewsPost,
    Organisation,
    RoleLevel,
    Room,
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.KEEP_WHEN_MISSING:
            self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        for name in self.KEEP_WHEN_MISSING:
            if not cleaned.get(name):
                cleaned[name] = getattr(self.instance, name)
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
                  "is_archived"]  # fmt: skip
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class RoomGrantForm(forms.Form):
    member = forms.CharField(label=_("Member (e-mail or handle)"), max_length=254)
    moderator = forms.BooleanField(label=_("as moderator"), required=False)

    def clean_member(self):
        value = self.cleaned_data["member"].strip().lstrip("@")
        member = User.objects.filter(Q(email__iexact=value) | Q(handle__iexact=value)).first()
        if member is None:
            raise forms.ValidationError(_("No member with this e-mail or handle."))
        return member


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
