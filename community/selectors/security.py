"""Reads of security events."""

from django.contrib.contenttypes.models import ContentType

from ..audit import SECURITY_PREFIX, SecurityEvent
from ..models import ApiToken, AuditLogEntry, User

SECURITY_EVENTS_SHOWN = 20


def security_events_about(member: User):
    """Security events about the member's account, whoever acted (a failed sign-in names no
    actor)."""
    return AuditLogEntry.objects.filter(
        action__startswith=SECURITY_PREFIX,
        target_type=ContentType.objects.get_for_model(User),
        target_id=str(member.pk),
    )


def security_event_list_for(member: User) -> list[dict]:
    """The latest security events about the member's own account, newest first. One query."""
    labels = dict(SecurityEvent.choices)
    entries = security_events_about(member).order_by("-created_at", "-id")[:SECURITY_EVENTS_SHOWN]
    return [
        {
            "when": entry.created_at,
            "what": labels.get(entry.action, entry.action),
            "network": entry.data.get("network", ""),
            "user_agent": entry.data.get("user_agent", ""),
        }
        for entry in entries
    ]


def api_token_list_for(member: User):
    """The member's own API tokens, newest first, revoked ones included (with their date)."""
    return ApiToken.objects.filter(user=member)
