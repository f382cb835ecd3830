"""Forms of showcase events and webinars: validation only (ipup.services.events writes)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from community.tiers import Tier

from .models import AudienceCategory, ResearchProject, ShowcaseEvent
from .models.events import DEFAULT_FOLLOW_UP_THRESHOLD, categories_open_to
from .services.documents import presentable_projects

_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _project_choices():
    projects = presentable_projects().order_by("acronym", "title").only("pk", "acronym", "title")
    return [("", "---------")] + [(p.pk, f"{p.acronym} — {p.title}") for p in projects]


class _PresentableProjectField(forms.ModelChoiceField):
    """Offers the presentable projects, but accepts any project: the service then says which
    approved documents a project lacks, rather than a bare "not one of the choices"."""

    def __init__(self, **kwargs):
        super().__init__(queryset=ResearchProject.objects.all(), **kwargs)

    def set_choices(self):
        self.widget.choices = _project_choices()


class ShowcaseForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=ShowcaseEvent.Format.choices)
    project = _PresentableProjectField(
        label=_("Project (webinar)"),
        required=False,
        help_text=_("Only projects whose three documents are approved can be presented."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    tier = forms.ChoiceField(label=_("Audience"), choices=Tier.choices, initial=Tier.MEMBERS)
    starts_at = forms.DateTimeField(label=_("Starts"), widget=_DATETIME)
    ends_at = forms.DateTimeField(label=_("Ends"), widget=_DATETIME)
    location = forms.CharField(label=_("Place"), max_length=200, required=False)
    online_url = forms.URLField(
        label=_("Online link"),
        required=False,
        help_text=_("Shown only to registered participants and organisers."),
    )
    description = forms.CharField(
        label=_("Description (Markdown)"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    categories = forms.MultipleChoiceField(
        label=_("Audience categories"),
        choices=AudienceCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[AudienceCategory.LEA_PRACTITIONER.value],
    )
    capacity = forms.IntegerField(
        label=_("Places"),
        required=False,
        min_value=1,
        help_text=_("Leave empty for no limit. Beyond it, registrations join a waiting list."),
    )
    registration_closes_at = forms.DateTimeField(
        label=_("Registration closes"), required=False, widget=_DATETIME
    )
    follow_up_threshold = forms.IntegerField(
        label=_("Follow-up threshold"),
        min_value=0,
        max_value=100,
        initial=DEFAULT_FOLLOW_UP_THRESHOLD,
        help_text=_(
            "Projects whose interest score reaches it are proposed for a follow-up webinar."
        ),
    )
    follow_up_of = forms.ModelChoiceField(
        queryset=ShowcaseEvent.objects.all(), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, showcase: ShowcaseEvent | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].set_choices()
        self.showcase = showcase
        if showcase is not None:
            # The format and a webinar's project are what the event is: not edited.
            for name in ("format", "project", "follow_up_of"):
                del self.fields[name]

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        closes = cleaned.get("registration_closes_at")
        if starts and ends and ends < starts:
            self.add_error("ends_at", _("The event must end after it starts."))
        if starts and closes and closes > starts:
            self.add_error(
                "registration_closes_at", _("Registration must close before the event starts.")
            )
        if cleaned.get("format") == ShowcaseEvent.Format.WEBINAR and not cleaned.get("project"):
            self.add_error("project", _("A webinar presents one project: choose it."))
        return cleaned

    @staticmethod
    def initial_for(showcase: ShowcaseEvent) -> dict:
        event = showcase.event
        return {
            "title": event.title, "tier": event.tier, "starts_at": event.starts_at,
            "ends_at": event.ends_at, "location": event.location, "online_url": event.online_url,
            "description": event.description, "categories": showcase.categories,
            "capacity": showcase.capacity,
            "registration_closes_at": showcase.registration_closes_at,
            "follow_up_threshold": showcase.follow_up_threshold,
        }  # fmt: skip


EVENT_FIELDS = ("title", "tier", "starts_at", "ends_at", "location", "online_url", "description")


class AgendaItemForm(forms.Form):
    project = _PresentableProjectField(label=_("Project"))
    starts_at = forms.DateTimeField(label=_("Time"), required=False, widget=_DATETIME)
    presenter = forms.CharField(label=_("Presented by"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].set_choices()


class RegistrationForm(forms.Form):
    # Any category validates here; the service refuses one the event is not open to, with a
    # message saying so. The radio buttons offer the event's own.
    category = forms.ChoiceField(
        label=_("I attend as"), choices=AudienceCategory.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, showcase: ShowcaseEvent, member, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(AudienceCategory.choices)
        open_to = categories_open_to(member)
        choices = [
            (value, labels[value])
            for value in showcase.categories
            if value in labels and value in open_to
        ]
        self.fields["category"].widget.choices = choices
        if len(choices) == 1:
            self.fields["category"].initial = choices[0][0]
