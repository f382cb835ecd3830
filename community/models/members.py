"""Members, organisations, the charter, invitations, applications and the audit log."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.contrib.auth.models import BaseUserManager as DjangoBaseUserManager
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class AffiliationType(models.TextChoices):
    LEA = "lea", _("Law enforcement agency")
    RESEARCH = "research", _("Research")
    INDUSTRY = "industry", _("Industry")
    POLICY = "policy", _("Policy maker")
    OTHER = "other", _("Other")


class RoleLevel(models.TextChoices):
    FIELD = "field", _("Field / operational")
    MANAGEMENT = "management", _("Management")
    STRATEGIC = "strategic", _("Strategic / top level")


class ProfileVisibility(models.TextChoices):
    MEMBERS = "members", _("All verified members")
    LEA = "lea", _("LEA members only")
    HIDDEN = "hidden", _("Community managers only")


# Languages a member can work in: the EU's official languages.
LANGUAGE_CHOICES = [
    ("bg", _("Bulgarian")), ("cs", _("Czech")), ("da", _("Danish")), ("de", _("German")),
    ("el", _("Greek")), ("en", _("English")), ("es", _("Spanish")), ("et", _("Estonian")),
    ("fi", _("Finnish")), ("fr", _("French")), ("ga", _("Irish")), ("hr", _("Croatian")),
    ("hu", _("Hungarian")), ("it", _("Italian")), ("lt", _("Lithuanian")), ("lv", _("Latvian")),
    ("mt", _("Maltese")), ("nl", _("Dutch")), ("pl", _("Polish")), ("pt", _("Portuguese")),
    ("ro", _("Romanian")), ("sk", _("Slovak")), ("sl", _("Slovenian")), ("sv", _("Swedish")),
]  # fmt: skip


class EmailFrequency(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediately")
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly digest")
    OFF = "off", _("Off")


class Domain(models.Model):
    """A focus domain or cross-cutting theme (SPEC §3.1). Data, editable in the admin."""

    class Kind(models.TextChoices):
        FOCUS = "focus", _("Focus domain")
        THEME = "theme", _("Cross-cutting theme")

    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.FOCUS)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("domain")
        verbose_name_plural = _("domains")

    def __str__(self):
        # Shown in the reader's language when the catalogue has the name (community.domains).
        return gettext(self.name)


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    country = CountryField(_("country"))
    type = models.CharField(_("type"), max_length=12, choices=AffiliationType.choices)
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["name", "country"], name="organisation_unique_per_country"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.country.code})"

    def clean(self):
        # The unique constraint is exact: a copy differing only by case would split an
        # organisation's survey answers in two all the same (ipup.ranking averages by it).
        if not (self.name and self.country):
            return
        same = Organisation.objects.filter(name__iexact=self.name, country=self.country)
        if same.exclude(pk=self.pk).exists():
            raise ValidationError(
                {"name": _("This organisation is already listed in this country: choose it.")}
            )


class UserManager(DjangoBaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A member. Signs in with e-mail; the affiliation claimed at sign-up counts only once a
    community manager has verified it (until then the member is in the lowest tier)."""

    email = models.EmailField(_("e-mail address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    # What others type after "@" to mention this member; made from the name at sign-up.
    handle = models.SlugField(_("handle"), max_length=60, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
    )
    country = CountryField(_("country"), blank=True)
    affiliation_type = models.CharField(
        _("affiliation type"),
        max_length=12,
        choices=AffiliationType.choices,
        default=AffiliationType.OTHER,
    )
    affiliation_verified_at = models.DateTimeField(_("affiliation verified"), null=True, blank=True)
    affiliation_verified_by = models.ForeignKey(
        "self",
        verbose_name=_("affiliation verified by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    role_level = models.CharField(
        _("role level"), max_length=12, choices=RoleLevel.choices, default=RoleLevel.FIELD
    )
    # Role level and organisation weigh in survey rankings (ipup.ranking): once the member is
    # verified, a change they ask for waits here until a community manager confirms it.
    pending_role_level = models.CharField(
        _("role level asked for"), max_length=12, choices=RoleLevel.choices, blank=True
    )
    pending_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation asked for"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    pending_change_requested_at = models.DateTimeField(
        _("change asked for"), null=True, blank=True, editable=False
    )
    # The name the member gave for an organisation that is not in the managed list: members
    # never create organisations, a community manager adds (or matches) it when deciding.
    unlisted_organisation = models.CharField(
        _("organisation not listed"), max_length=200, blank=True
    )
    # When the member was last e-mailed a manager's decision on a change they asked for: a
    # decision e-mail whose audit entry is older than this was sent (a retry sends nothing).
    change_decision_emailed_at = models.DateTimeField(null=True, blank=True, editable=False)
    domains = models.ManyToManyField(
        Domain, verbose_name=_("domains of expertise"), blank=True, related_name="experts"
    )
    languages = ArrayField(
        models.CharField(max_length=8, choices=LANGUAGE_CHOICES),
        verbose_name=_("languages"),
        default=list,
        blank=True,
    )
    bio = models.TextField(_("short bio"), max_length=2000, blank=True)
    profile_visibility = models.CharField(
        _("who may see my profile"),
        max_length=10,
        choices=ProfileVisibility.choices,
        default=ProfileVisibility.MEMBERS,
    )
    # Each of these says who sees the thing besides community managers (and the national
    # contacts of the member's country): community.visibility.member_* applies them.
    email_visibility = models.CharField(
        _("who may see my e-mail address"),
        max_length=10,
        choices=ProfileVisibility.choices,
        default=ProfileVisibility.HIDDEN,
    )
    organisation_visibility = models.CharField(
        _("who may see my organisation"),
        max_length=10,
        choices=ProfileVisibility.choices,
        default=ProfileVisibility.MEMBERS,
    )
    email_frequency = models.CharField(
        _("e-mail notifications"),
        max_length=10,
        choices=EmailFrequency.choices,
        default=EmailFrequency.DAILY,
    )
    # Set by a moderator's timed suspension: until then the member can read and post nothing.
    suspended_until = models.DateTimeField(_("suspended until"), null=True, blank=True)
    # Onboarding (SPEC §2.7): the welcome e-mail is sent once; the checklist on the home page
    # asks whether notification preferences were ever saved.
    welcome_sent_at = models.DateTimeField(_("welcomed"), null=True, blank=True, editable=False)
    preferences_saved_at = models.DateTimeField(
        _("notification preferences saved"), null=True, blank=True, editable=False
    )
    # The secret in the address of the member's personal iCalendar feed (calendar apps cannot
    # sign in); a new one can be made at any time, which stops the old address.
    calendar_token = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    # Bumped when the member's second factors change (added, removed, reset): a session
    # checked for MFA before then is checked again (community.middleware).
    factors_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set when the member deleted their account: personal fields are erased, posts stay under
    # the pseudonym in ``handle``.
    deleted_at = models.DateTimeField(_("account deleted"), null=True, blank=True, editable=False)
    invitation_quota = models.PositiveSmallIntegerField(
        _("invitations left"), default=settings.MEMBER_INVITATION_QUOTA
    )
    # A copy of the member's group names (community.roles.role_names_sync keeps it), read on
    # every request instead of querying the groups.
    role_names = ArrayField(
        models.CharField(max_length=150), default=list, blank=True, editable=False
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("admin site access"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        permissions = [("verify_affiliation", _("Can verify a member's affiliation"))]

    def __str__(self):
        return self.get_full_name() or self.email

    def save(self, *args, **kwargs):
        if not self.handle:
            self.handle = self._free_handle()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "handle"}
        super().save(*args, **kwargs)

    def _free_handle(self) -> str:
        base = slugify(f"{self.first_name}.{self.last_name}".strip(".")) or slugify(
            self.email.split("@")[0]
        )
        base = (base or "member")[:50]
        taken = set(User.objects.filter(handle__startswith=base).values_list("handle", flat=True))
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}{n}"
        return candidate

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.email

    @property
    def is_affiliation_verified(self) -> bool:
        return self.affiliation_verified_at is not None

    @property
    def is_suspended(self) -> bool:
        return self.suspended_until is not None and self.suspended_until > timezone.now()

    @property
    def verified_affiliation(self) -> str | None:
        """The affiliation the platform trusts, or None (lowest tier) until verified."""
        return self.affiliation_type if self.is_affiliation_verified else None


class Charter(models.Model):
    """A version of the community charter. The newest published version is the current one."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text (Markdown)"))
    summary_of_changes = models.TextField(_("what changed"), blank=True)
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-version"]
        get_latest_by = "version"
        verbose_name = _("charter version")
        verbose_name_plural = _("charter versions")

    def __str__(self):
        return _("Charter v%(version)s") % {"version": self.version}


class CharterAcceptance(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="charter_acceptances"
    )
    charter = models.ForeignKey(Charter, on_delete=models.PROTECT, related_name="acceptances")
    accepted_at = models.DateTimeField(_("accepted"), default=timezone.now)

    class Meta:
        ordering = ["-accepted_at"]
        verbose_name = _("charter acceptance")
        verbose_name_plural = _("charter acceptances")
        constraints = [
            models.UniqueConstraint(fields=["user", "charter"], name="charter_accepted_once")
        ]

    def __str__(self):
        return f"{self.user} — {self.charter}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    """A single-use, expiring invitation to join. Only the token's hash is stored: the token
    itself exists only in the e-mail sent to the invitee."""

    email = models.EmailField(_("e-mail address"))
    # Known when a manager invites from a list: the e-mail greets the invitee by name.
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    # Set when the e-mail is sent (a resend makes a new token, so the old link stops working).
    # NULL, not "", until sent: many unsent rows must not collide on the unique index.
    token_hash = models.CharField(  # noqa: DJ001
        max_length=64, unique=True, null=True, editable=False
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="invitations_sent",
    )
    message = models.TextField(_("personal message"), blank=True, max_length=2000)
    affiliation_type = models.CharField(
        _("affiliation type"), max_length=12, choices=AffiliationType.choices, blank=True
    )
    # Set when a community manager vouches for the affiliation (or approved an application).
    affiliation_vetted = models.BooleanField(_("affiliation vetted by a manager"), default=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitation",
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="invitation_not_both_accepted_and_revoked",
            ),
        ]

    def __str__(self):
        return self.email

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        ACCEPTED = "accepted", _("accepted")
        EXPIRED = "expired", _("expired")
        REVOKED = "revoked", _("revoked")

    @property
    def state(self) -> str:
        if self.accepted_at:
            return self.State.ACCEPTED
        if self.revoked_at:
            return self.State.REVOKED
        if self.expires_at <= timezone.now():
            return self.State.EXPIRED
        return self.State.PENDING

    @property
    def is_usable(self) -> bool:
        return self.state == self.State.PENDING


class MembershipApplication(models.Model):
    """A request to join from someone nobody invited; a community manager decides."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        DECLINED = "declined", _("declined")

    email = models.EmailField(_("e-mail address"))
    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    # Chosen from the managed list; ``organisation_name`` holds the name given when it was not
    # listed, for the community manager to add (or match) when deciding.
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    organisation_name = models.CharField(_("organisation not listed"), max_length=200, blank=True)
    country = CountryField(_("country"))
    affiliation_type = models.CharField(
        _("affiliation type"), max_length=12, choices=AffiliationType.choices
    )
    position = models.CharField(_("position or function"), max_length=200, blank=True)
    motivation = models.TextField(_("why you want to join"), max_length=4000)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField(_("reason"), blank=True)
    decision_emailed_at = models.DateTimeField(null=True, blank=True, editable=False)
    invitation = models.OneToOneField(
        Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="application"
    )
    # Set when the community managers were told of it: once per application, even on a retry.
    managers_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("membership application")
        verbose_name_plural = _("membership applications")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_at__isnull=False),
                name="application_decision_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decision_reason=""),
                name="application_decline_has_reason",
            ),
            # One application waiting per person (services.application_submit).
            models.UniqueConstraint(
                Lower("email"),
                condition=Q(status="pending"),
                name="application_one_pending_per_email",
            ),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name} <{self.email}>"


class VerificationDecision(models.Model):
    """What a community manager told a member about the verification of their affiliation:
    verified, rejected (the member stays at the lowest tier) or asked for evidence. One row per
    message, e-mailed once (``emailed_at`` is committed with the send)."""

    class Kind(models.TextChoices):
        VERIFIED = "verified", _("verified")
        REJECTED = "rejected", _("rejected")
        EVIDENCE = "evidence", _("evidence asked")

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="verification_decisions",
    )
    kind = models.CharField(_("decision"), max_length=8, choices=Kind.choices)
    message = models.TextField(_("message to the member"), max_length=4000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    emailed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("verification decision")
        verbose_name_plural = _("verification decisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="verified") | ~Q(message=""),
                name="verification_decision_says_why",
            ),
        ]

    def __str__(self):
        return f"{self.member_id}: {self.get_kind_display()}"


class AuditLogEntry(models.Model):
    """Who did what, to what, when and why: every staff action and security event."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(_("target"), max_length=255, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.target_repr}"
