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


# Research projects (SPEC §3.5). A project's facts come from public open data: every signed-in
# member reads them. Its points of contact are personal data of people outside the network:
# their e-mail address and telephone are shown only to members whose affiliation the network
# has verified (the vetted community the contacts are put in touch with), to the project's
# holders and to those who manage projects; other members see the name, function and date of
# last verification, and how to ask through a coordinator.
HOLD_PROJECT = "ipup.hold_project"


def _in_good_standing(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.is_active and not user.is_suspended


# IPUP coordinators and community managers grant holding and decide claims: those who run the
# needs analysis.
can_manage_projects = can_manage_surveys


def holds_project(user, project) -> bool:
    # The guardian backend answers on the object grant (ipup.services.projects grants it); a
    # role's model-wide permission does not make anyone a holder of every project.
    return bool(_in_good_standing(user)) and user.has_perm(HOLD_PROJECT, project)


def can_edit_project(user, project) -> bool:
    return can_manage_projects(user) or holds_project(user, project)


def can_see_contact_details(user, project) -> bool:
    return bool(_in_good_standing(user)) and (
        user.verified_affiliation is not None or can_edit_project(user, project)
    )


def can_hold_projects(user) -> bool:
    """Who may hold a project at all: a verified member in good standing."""
    return bool(_in_good_standing(user)) and user.verified_affiliation is not None


def can_claim_project(user, project) -> bool:
    """A verified member who does not hold the project yet may say it is theirs."""
    return can_hold_projects(user) and not holds_project(user, project)
