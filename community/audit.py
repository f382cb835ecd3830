"""The audit log: one function every service calls for staff and security events."""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import AuditLogEntry

SECURITY_PREFIX = "security."


class SecurityEvent(models.TextChoices):
    """Security events on a member's account (community.signals). They are personal data:
    the member sees their own, administrators see all (community/views/moderation.py)."""

    LOGIN = "security.login", _("Signed in")
    LOGIN_FAILED = "security.login_failed", _("Sign-in refused: wrong e-mail address or password")
    MFA_FAILED = "security.mfa_failed", _("Wrong second-factor code")
    MFA_ADDED = "security.mfa_added", _("Second factor added")
    MFA_REMOVED = "security.mfa_removed", _("Second factor removed")
    RECOVERY_CODES_REGENERATED = "security.recovery_codes_regenerated", _("New recovery codes")
    PASSWORD_CHANGED = "security.password_changed", _("Password changed")
    PASSWORD_SET = "security.password_set", _("Password set")
    PASSWORD_RESET = "security.password_reset", _("Password reset through an e-mailed link")
    EMAIL_ADDED = "security.email_added", _("E-mail address added")
    EMAIL_CONFIRMED = "security.email_confirmed", _("E-mail address confirmed")
    EMAIL_REMOVED = "security.email_removed", _("E-mail address removed")
    EMAIL_CHANGED = "security.email_changed", _("Main e-mail address changed")
    TOKEN_CREATED = "security.token_created", _("API token created")
    TOKEN_REVOKED = "security.token_revoked", _("API token revoked")


def audit_log(*, actor, action: str, target=None, reason: str = "", **data) -> AuditLogEntry:
    entry = AuditLogEntry(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        reason=reason,
        data=data,
    )
    if target is not None:
        entry.target_type = ContentType.objects.get_for_model(target)
        entry.target_id = str(target.pk)
        entry.target_repr = str(target)[:255]
    entry.save()
    return entry


def csv_safe(value) -> str:
    """A cell for a CSV export: spreadsheets run cells that start with these as formulas."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
