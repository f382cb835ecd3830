"""Who may see and do what in IPUP. Needs carry an audience tier like rooms; those who run the
needs analysis (IPUP coordinators, community managers) see and manage all of them."""

from django.db.models import Q

from community.roles import Role, is_community_manager, roles_of
from community.visibility import audience_filter


def can_manage_surveys(user) -> bool:
    """Community managers run community and needs surveys; IPUP coordinators run the needs
    analysis (SPEC §1)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.is_suspended:
        return False
    return is_community_manager(user) or Role.IPUP_COORDINATOR.value in roles_of(user)


can_manage_needs = can_manage_surveys


def need_filter(user) -> Q:
    """Needs ``user`` may read: every need for those who manage them, else the tier rule."""
    return Q() if can_manage_needs(user) else audience_filter(user)
