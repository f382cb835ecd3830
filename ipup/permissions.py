"""Who may run surveys and manage needs in IPUP. Who may *see* a need is not decided here: that
is the visibility rule (community.visibility.need_filter, ``Need.objects.visible_to``), the same
for IPUP coordinators as for everyone; managing applies only to the needs one can see."""

from community.roles import Role, is_community_manager, roles_of
from community.visibility import need_audience_filter


def can_manage_surveys(user) -> bool:
    """Community managers run community and needs surveys; IPUP coordinators run the needs
    analysis (SPEC §1)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.is_suspended:
        return False
    return is_community_manager(user) or Role.IPUP_COORDINATOR.value in roles_of(user)


can_manage_needs = can_manage_surveys


def in_need_audience(user, need) -> bool:
    """Whether ``user`` may read ``need``, saved or not yet (its tier and room as they are set
    on the object): a manager may not give a need an audience that would leave them out."""
    from community.models import User

    return User.objects.filter(pk=user.pk).filter(need_audience_filter(need)).exists()
