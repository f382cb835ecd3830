"""The audit log: one function every service calls for staff and security events."""

from django.contrib.contenttypes.models import ContentType

from .models import AuditLogEntry


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
