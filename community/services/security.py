"""Security events on members' accounts and the state of their second factors: the writes
behind community.signals."""

import ipaddress

from allauth.account.adapter import get_adapter as get_account_adapter
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from ..audit import SecurityEvent, audit_log
from ..models import AuditLogEntry, User
from ..selectors.security import security_events_about

USER_AGENT_MAX_LENGTH = 300


def _network(request) -> str:
    """Where the request came from, to the network and not the address (a /24 for IPv4, a /48
    for IPv6): enough to tell a sign-in from an unusual place, less personal data kept. The
    address is the one allauth's rate limits use (its trusted-proxy settings apply)."""
    try:
        address = ipaddress.ip_address(get_account_adapter(request).get_client_ip(request))
    except (PermissionDenied, ValueError):
        return ""
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def security_event_record(
    *, request, action: SecurityEvent, actor: User | None, account: User | None, **data
) -> AuditLogEntry:
    """One security event about ``account``, with the browser and network it came from.
    ``actor`` is None when nobody is known (a failed sign-in); ``account`` is None when the
    sign-in named no account, and the event is written all the same, so that answering costs
    the same whether an address belongs to a member or not."""
    if request is not None:
        data["network"] = _network(request)
        data["user_agent"] = request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX_LENGTH]
    return audit_log(actor=actor, action=action, target=account, **data)


def factors_changed_mark(*, user_id: int) -> None:
    """The member's second factors changed: every session checked before now is checked again
    (community.middleware). An update, so a concurrent save of the member keeps the mark."""
    User.objects.filter(pk=user_id).update(factors_changed_at=timezone.now())


def security_events_export(member: User) -> dict[str, list]:
    """For the member's data download: every security event about their account, including
    the failed sign-ins that name no actor (the audit export lists only what they did)."""
    rows = security_events_about(member).order_by("pk").values("action", "created_at", "data")
    return {"security.json": list(rows)}


def security_events_erase(member: User) -> None:
    """At account deletion: the events stay (what happened, when), the browser, network and
    addresses they recorded go."""
    security_events_about(member).update(data={})
