"""The network around the members (SPEC §2.7): national contact points, introductions made by
community managers, and the editable texts sent to members (the welcome message)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class NationalContact(models.Model):
    """One point of contact and one deputy per country. Handover (community.services.network)
    keeps a country from being left without a contact; gaps alert the community managers."""

    class Role(models.TextChoices):
        CONTACT = "contact", _("Point of contact")
        DEPUTY = "deputy", _("Deputy")

    country = CountryField(_("country"))
    role = models.CharField(_("role"), max_length=8, choices=Role.choices)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="national_contact_roles",
    )
    since = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        ordering = ["country", "role"]
        verbose_name = _("national contact")
        verbose_name_plural = _("national contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["country", "role"], name="national_contact_one_per_role"
            ),
            models.UniqueConstraint(fields=["member"], name="national_contact_one_role_each"),
        ]

    def __str__(self):
        return f"{self.country.code} {self.get_role_display()}: {self.member}"


class MemberIntroduction(models.Model):
    """A community manager introducing two members to each other by e-mail."""

    introduced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("introduced by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    member_a = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    member_b = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("introduced to"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    note = models.TextField(_("note"), max_length=4000)
    created_at = models.DateTimeField(_("introduced"), default=timezone.now)
    # Set, per member, in the same transaction as that member's e-mail: a retry sends neither twice.
    emailed_a_at = models.DateTimeField(null=True, blank=True, editable=False)
    emailed_b_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("introduction")
        verbose_name_plural = _("introductions")
        constraints = [
            models.CheckConstraint(
                condition=~Q(member_a=F("member_b")), name="introduction_two_members"
            )
        ]

    def __str__(self):
        return f"{self.member_a} ↔ {self.member_b}"


class MessageTemplate(models.Model):
    """A text the platform sends that community managers edit in the admin. Placeholders such
    as ``$first_name`` are listed in ``PLACEHOLDERS`` and filled by community.emails."""

    class Key(models.TextChoices):
        WELCOME = "welcome", _("Welcome message to a new member")

    PLACEHOLDERS = {
        Key.WELCOME: ["first_name", "last_name", "site_url", "profile_url", "rooms_url"],
    }

    key = models.CharField(_("message"), max_length=20, choices=Key.choices, unique=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["key"]
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")

    def __str__(self):
        return self.get_key_display()
