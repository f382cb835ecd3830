"""Showcase events and targeted webinars (SPEC §3.8): where LEAs see approved project results.

A showcase or webinar is an event of the network calendar (community.Event: title, dates,
place, online link, audience tier) with what IPUP adds: an agenda of project presentations
(only projects whose three documents are approved), registration by audience category with a
capacity and a waiting list, attendance, and the surveys sent afterwards (feedback to the
attendees; after a webinar, the next-steps questionnaire).
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AudienceCategory(models.TextChoices):
    LEA_PRACTITIONER = "lea", _("LEA practitioner")
    DECISION_MAKER = "decision", _("Decision maker")
    PROCUREMENT = "procurement", _("Procurement")


# Who may register in each category: the category is what the organisers count and whom the
# event is for, so it follows the member's verified affiliation, never their say-so (an
# industry member registering as "LEA practitioner" would get the session's link).
CATEGORY_AFFILIATIONS = {
    AudienceCategory.LEA_PRACTITIONER: {"lea"},
    AudienceCategory.DECISION_MAKER: {"lea", "policy"},
    AudienceCategory.PROCUREMENT: {"lea", "policy", "other"},
}


def categories_open_to(member) -> set[str]:
    """The audience categories ``member`` may register in."""
    affiliation = getattr(member, "verified_affiliation", None)
    return {
        category.value
        for category, affiliations in CATEGORY_AFFILIATIONS.items()
        if affiliation in affiliations
    }


def default_categories() -> list[str]:
    return [AudienceCategory.LEA_PRACTITIONER.value]


# The interest score above which a project is proposed for a targeted follow-up webinar, unless
# an event says otherwise (ipup.interest explains the score).
DEFAULT_FOLLOW_UP_THRESHOLD = 60


class ShowcaseEvent(models.Model):
    class Format(models.TextChoices):
        SHOWCASE = "showcase", _("Showcase event (several projects)")
        WEBINAR = "webinar", _("Targeted webinar (one project)")

    event = models.OneToOneField(
        "community.Event", on_delete=models.CASCADE, related_name="showcase"
    )
    format = models.CharField(
        _("format"), max_length=10, choices=Format.choices, default=Format.SHOWCASE
    )
    # A webinar's one project (also on its agenda).
    project = models.ForeignKey(
        "ipup.ResearchProject", verbose_name=_("project"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="webinars",
    )  # fmt: skip
    categories = ArrayField(
        models.CharField(max_length=12, choices=AudienceCategory.choices),
        verbose_name=_("audience categories"),
        default=default_categories,
    )
    capacity = models.PositiveIntegerField(
        _("places"), null=True, blank=True, validators=[MinValueValidator(1)],
        help_text=_("Leave empty for no limit. Beyond it, registrations join a waiting list."),
    )  # fmt: skip
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    follow_up_threshold = models.PositiveSmallIntegerField(
        _("follow-up threshold"), default=DEFAULT_FOLLOW_UP_THRESHOLD,
        validators=[MaxValueValidator(100)],
        help_text=_("Projects whose interest score reaches it are proposed for a follow-up webinar."),
    )  # fmt: skip
    follow_up_of = models.ForeignKey(
        "self", verbose_name=_("follow-up of"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="follow_ups",
    )  # fmt: skip
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("showcase event or webinar")
        verbose_name_plural = _("showcase events and webinars")
        constraints = [
            models.CheckConstraint(
                condition=Q(format="showcase") | Q(project__isnull=False),
                name="webinar_has_project",
            )
        ]

    def __str__(self):
        return str(self.event)


class AgendaItem(models.Model):
    showcase = models.ForeignKey(ShowcaseEvent, on_delete=models.CASCADE, related_name="agenda")
    project = models.ForeignKey(
        "ipup.ResearchProject", verbose_name=_("project"), on_delete=models.PROTECT,
        related_name="presentations",
    )  # fmt: skip
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    starts_at = models.DateTimeField(_("time"), null=True, blank=True)
    presenter = models.CharField(_("presented by"), max_length=200, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["showcase", "position", "id"]
        verbose_name = _("presentation")
        verbose_name_plural = _("agenda")
        constraints = [
            models.UniqueConstraint(fields=["showcase", "project"], name="agenda_project_once")
        ]

    def __str__(self):
        return f"{self.showcase_id}: {self.project_id}"


class EventRegistration(models.Model):
    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    showcase = models.ForeignKey(
        ShowcaseEvent, on_delete=models.CASCADE, related_name="registrations"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_registrations"
    )
    category = models.CharField(_("I attend as"), max_length=12, choices=AudienceCategory.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REGISTERED
    )
    registered_at = models.DateTimeField(_("registered"), default=timezone.now)
    attended = models.BooleanField(_("attended"), default=False)
    attendance_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    # The day-before reminder, recorded with its send so a retried task sends it once.
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["showcase", "registered_at", "id"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(fields=["showcase", "member"], name="registration_once"),
            models.CheckConstraint(
                condition=Q(attended=False) | Q(status="registered"),
                name="attendee_was_registered",
            ),
        ]
        indexes = [models.Index(fields=["showcase", "status"], name="registration_status")]

    def __str__(self):
        return f"{self.showcase_id} / {self.member_id}: {self.status}"
