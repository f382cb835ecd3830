"""The survey engine (SPEC §3.3): needs surveys, community surveys and event feedback.

A survey has sections of questions and an audience. Each invitee gets one invitation (one row,
unique per survey and member) whose state records the e-mail, so sending is idempotent and
resumable; each invitation has at most one response, saved as a draft until submitted.
"""

import secrets

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from community.models import AffiliationType, DeliveryStatus, RoleLevel

# Role-level weights used unless a survey says otherwise (SPEC §3.4; ipup.ranking explains).
DEFAULT_ROLE_WEIGHTS = {RoleLevel.FIELD: 1.0, RoleLevel.MANAGEMENT: 2.0, RoleLevel.STRATEGIC: 3.0}


def new_token_key() -> str:
    return secrets.token_hex(16)


def default_role_weights() -> dict:
    return {str(level): weight for level, weight in DEFAULT_ROLE_WEIGHTS.items()}


def new_short_code() -> str:
    """The code of a survey's short link: short enough to type from a slide, too many to guess
    (the link only ever works for signed-in members of the audience anyway)."""
    return secrets.token_urlsafe(6)


class Survey(models.Model):
    class Kind(models.TextChoices):
        NEEDS = "needs", _("Needs survey")
        COMMUNITY = "community", _("Community survey")
        FEEDBACK = "feedback", _("Event feedback")
        NEXT_STEPS = "next_steps", _("Next steps after a webinar")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.NEEDS)
    introduction = models.TextField(_("introduction"), blank=True, max_length=10_000)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    # Set when the coordinator publishes the survey (invitations go out from then on).
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    closed_early_at = models.DateTimeField(_("closed early"), null=True, blank=True)
    is_anonymous = models.BooleanField(
        _("anonymous"),
        default=False,
        help_text=_(
            "Answers are stored without the respondent's name, e-mail or the time they "
            "answered: only their role level, affiliation, country and organisation are kept, "
            "for the weighting. Not even the coordinators can tell which answers are whose."
        ),
    )
    # The audience: every list that is not empty narrows it; an explicit list of members
    # replaces the criteria altogether.
    audience_affiliations = ArrayField(
        models.CharField(max_length=12, choices=AffiliationType.choices),
        verbose_name=_("affiliations"),
        default=list,
        blank=True,
    )
    audience_countries = CountryField(_("countries"), multiple=True, blank=True)
    audience_role_levels = ArrayField(
        models.CharField(max_length=12, choices=RoleLevel.choices),
        verbose_name=_("role levels"),
        default=list,
        blank=True,
    )
    audience_domains = models.ManyToManyField(
        "community.Domain", verbose_name=_("domains"), blank=True, related_name="+"
    )
    audience_members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("explicit list of members"), blank=True,
        related_name="+",
    )  # fmt: skip
    # Weighting (SPEC §3.4): a weight per role level, and whether each organisation's answers
    # are averaged before they are combined.
    role_weights = models.JSONField(_("role-level weights"), default=default_role_weights)
    normalise_by_organisation = models.BooleanField(
        _("average each organisation's answers first"), default=True
    )
    reminder_interval_days = models.PositiveSmallIntegerField(
        _("remind non-respondents every (days)"), default=7
    )
    max_reminders = models.PositiveSmallIntegerField(_("reminders at most"), default=2)
    # A short link and its QR code (a slide, a webinar chat, an event room): any signed-in
    # member of the audience who opens it answers, once, as if invited (ipup.views.public).
    public_link = models.BooleanField(
        _("short link and QR code"),
        default=False,
        help_text=_(
            "Signed-in members of the audience may also answer through a short link, shown "
            "with its QR code on the survey's page (for an event room or a webinar chat)."
        ),
    )
    short_code = models.CharField(
        max_length=12, unique=True, default=new_short_code, editable=False
    )
    # Event feedback and next-steps surveys: the showcase or webinar they follow (their
    # audience is its attendees: ipup.services.feedback).
    showcase = models.ForeignKey(
        "ipup.ShowcaseEvent", verbose_name=_("event"), on_delete=models.CASCADE, null=True,
        blank=True, related_name="surveys",
    )  # fmt: skip
    sending_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    sending_finished_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-opens_at", "-id"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="survey_closes_after_open"
            )
        ]

    def __str__(self):
        return self.title

    @property
    def state(self) -> str:
        now = timezone.now()
        if self.published_at is None:
            return self.State.DRAFT
        if self.closed_early_at or now >= self.closes_at:
            return self.State.CLOSED
        if now < self.opens_at:
            return self.State.SCHEDULED
        return self.State.OPEN

    @property
    def state_label(self) -> str:
        return self.State(self.state).label

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN


class Section(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["survey", "position", "id"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self):
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        RATING = "rating", _("Rating scale")
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        TEXT = "text", _("Free text")
        RANKING = "ranking", _("Rank the items")
        NEED_IMPORTANCE = "needs", _("Rate the importance of each need")

    # Denormalised from the section: answers are checked against the survey in one query.
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    text = models.CharField(_("question"), max_length=500)
    help_text = models.CharField(_("help"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    scale_min = models.SmallIntegerField(_("scale from"), default=1)
    scale_max = models.SmallIntegerField(_("scale to"), default=5)
    scale_min_label = models.CharField(_("label of the lowest value"), max_length=60, blank=True)
    scale_max_label = models.CharField(_("label of the highest value"), max_length=60, blank=True)
    # Single/multiple choice and ranking: the options, in order.
    choices = ArrayField(
        models.CharField(max_length=200), verbose_name=_("options"), default=list, blank=True
    )
    # "Rate the importance of each need": the needs, each rated on the scale.
    needs = models.ManyToManyField(
        "ipup.Need", verbose_name=_("needs"), blank=True, related_name="questions"
    )
    # Event feedback and next steps: the presented project a question is about, and what it
    # measures (ipup.interest reads the answers of each metric into the interest score).
    project = models.ForeignKey(
        "ipup.ResearchProject", verbose_name=_("project"), on_delete=models.CASCADE,
        null=True, blank=True, related_name="feedback_questions",
    )  # fmt: skip
    metric = models.CharField(_("measures"), max_length=20, blank=True)

    class Meta:
        ordering = ["section__position", "position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.CheckConstraint(
                condition=Q(scale_max__gt=models.F("scale_min")), name="question_scale_ordered"
            )
        ]

    def __str__(self):
        return self.text


class SurveyInvitation(models.Model):
    """One invitee of a survey. The link's token is derived from ``token_key`` (ipup.tokens),
    so reminders can repeat the same link without the token being stored."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="survey_invitations",
    )
    email = models.EmailField(_("e-mail address"))
    token_key = models.CharField(max_length=32, default=new_token_key, editable=False)
    status = models.CharField(
        _("e-mail"), max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    # Whether the invitee answered, and deliberately not when: an answered time would match the
    # response's submitted time and say whose an anonymous response is.
    has_answered = models.BooleanField(_("answered"), default=False)
    reminders_sent = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["survey", "id"]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [
            models.UniqueConstraint(fields=["survey", "member"], name="survey_invitation_once")
        ]
        indexes = [
            models.Index(
                fields=["survey", "id"],
                condition=Q(status="pending"),
                name="survey_invitation_pending",
            )
        ]

    def __str__(self):
        return f"{self.survey_id} → {self.email}"


class SurveyReminder(models.Model):
    """One reminder round to one invitee: the unique row makes a retried round a no-op."""

    invitation = models.ForeignKey(
        SurveyInvitation, on_delete=models.CASCADE, related_name="reminders"
    )
    round = models.PositiveSmallIntegerField()
    status = models.CharField(
        max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("survey reminder")
        verbose_name_plural = _("survey reminders")
        constraints = [
            models.UniqueConstraint(fields=["invitation", "round"], name="survey_reminder_once")
        ]

    def __str__(self):
        return f"{self.invitation_id} #{self.round}: {self.status}"


class Response(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    # The invitee's draft is found through its invitation. A submitted response of an anonymous
    # survey is detached (NULL), and the drafts left when it closes are deleted
    # (ipup.services.responses): nothing then leads from an anonymous answer to a person.
    invitation = models.OneToOneField(
        SurveyInvitation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="response",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # The respondent as the weighting sees them, copied when the response is submitted, so a
    # later profile change or account deletion does not move a closed survey's ranking.
    role_level = models.CharField(max_length=12, choices=RoleLevel.choices, blank=True)
    affiliation_type = models.CharField(max_length=12, choices=AffiliationType.choices, blank=True)
    country = CountryField(blank=True)
    organisation = models.ForeignKey(
        "community.Organisation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # "org:<id>" for a verified organisation; for a respondent without one, a random key of
    # their own (they count as an organisation of one), never anything derived from who they are.
    organisation_key = models.CharField(max_length=40, blank=True)
    # Set by ipup.services.responses, not auto_now: an anonymous survey's times are kept to the
    # day only, so they cannot be matched with an e-mail or a sign-in.
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["survey", "id"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="response_submitted_has_date",
            )
        ]

    def __str__(self):
        return f"{self.survey_id}/{self.pk}: {self.status}"


class Answer(models.Model):
    """One answer: a value per question, or per need for "rate each need" questions.

    ``value`` holds an int (rating, a need's importance), a str (single choice, free text) or a
    list of str (multiple choice, ranking: the options in the respondent's order)."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    # Deleting a question or a section never deletes what was answered to it (a published
    # survey's structure is locked: ipup.services.builder); RESTRICT, not PROTECT, so that
    # deleting a whole survey still takes its responses and their answers with it.
    question = models.ForeignKey(Question, on_delete=models.RESTRICT, related_name="answers")
    need = models.ForeignKey(
        "ipup.Need", on_delete=models.CASCADE, null=True, blank=True, related_name="answers"
    )
    value = models.JSONField()

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question", "need"],
                name="answer_once_per_question",
                nulls_distinct=False,
            )
        ]

    def __str__(self):
        return f"{self.response_id}/{self.question_id}: {self.value}"
