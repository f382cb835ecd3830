"""Staff roles. Each is a Django group whose permissions are kept in step with the code by
``sync_role_groups`` (run after every migrate), so a new model's permissions reach the roles
that manage it without a hand-written data migration."""

from django.contrib.auth.models import Group, Permission
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    # The values are the group names; they are data and stay in English.
    COMMUNITY_MANAGER = "Community managers", _("Community manager")
    KNOWLEDGE_MANAGER = "Knowledge managers", _("Knowledge manager")
    IPUP_COORDINATOR = "IPUP coordinators", _("IPUP coordinator")
    NATIONAL_CONTACT = "National contacts", _("National contact")
    ADMINISTRATOR = "Administrators", _("Administrator")


# Roles that work in the Django admin (and so get ``is_staff``).
ADMIN_SITE_ROLES = {
    Role.COMMUNITY_MANAGER,
    Role.KNOWLEDGE_MANAGER,
    Role.IPUP_COORDINATOR,
    Role.ADMINISTRATOR,
}

# Which permissions each role holds: (app_label, codename prefix or full codename).
ROLE_PERMISSIONS = {
    Role.COMMUNITY_MANAGER: [
        ("community", "view_"),
        ("community", "change_user"),
        ("community", "verify_affiliation"),
        ("community", "add_invitation"),
        ("community", "change_invitation"),
        ("community", "add_organisation"),
        ("community", "change_organisation"),
        ("community", "change_membershipapplication"),
        ("community", "add_charter"),
        ("community", "change_charter"),
        ("community", "add_newspost"),
        ("community", "change_newspost"),
        ("community", "delete_newspost"),
        ("community", "add_event"),
        ("community", "change_event"),
        ("community", "delete_event"),
        ("community", "add_nationalcontact"),
        ("community", "change_nationalcontact"),
        ("community", "change_messagetemplate"),
        ("community", "add_memberintroduction"),
    ],
    Role.KNOWLEDGE_MANAGER: [
        ("knowledge_factory", ""),
        ("taggit", ""),
        ("community", "view_domain"),
    ],
    Role.IPUP_COORDINATOR: [
        ("ipup", ""),
        ("ipip", ""),
        ("community", "view_domain"),
        ("community", "view_organisation"),
    ],
    Role.NATIONAL_CONTACT: [
        ("community", "view_user"),
        ("community", "view_organisation"),
    ],
    Role.ADMINISTRATOR: [("", "")],  # everything
}


def sync_role_groups(**kwargs) -> None:
    for role, grants in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        query = models.Q(pk__in=[])
        for app_label, prefix in grants:
            part = models.Q()
            if app_label:
                part &= models.Q(content_type__app_label=app_label)
            if prefix:
                part &= models.Q(codename__startswith=prefix)
            query |= part
        group.permissions.set(Permission.objects.filter(query))


def roles_of(user) -> frozenset[str]:
    """The role names a user holds. Read from the user's own row (``role_names``, kept equal to
    their groups by ``role_names_sync``), so asking costs no query on any page."""
    if not user.is_authenticated:
        return frozenset()
    roles = frozenset(user.role_names)
    return roles | {Role.ADMINISTRATOR.value} if user.is_superuser else roles


def role_names_sync(sender=None, instance=None, action="", reverse=False, pk_set=None, **kwargs):
    """m2m_changed handler for User.groups, from either side: copy each affected member's group
    names onto their row."""
    from django.contrib.auth import get_user_model

    if action not in ("post_add", "post_remove", "post_clear"):
        return
    User = get_user_model()
    if reverse:  # group.user_set changed
        members = User.objects.filter(pk__in=pk_set) if pk_set else User.objects.none()
        if action == "post_clear":
            members = User.objects.filter(role_names__contains=[instance.name])
    else:
        members = User.objects.filter(pk=instance.pk)
    for member in members:
        names = sorted(member.groups.values_list("name", flat=True))
        User.objects.filter(pk=member.pk).update(role_names=names)
        if not reverse:
            instance.role_names = names


def has_role(user, *roles: Role) -> bool:
    return bool(roles_of(user) & {r.value for r in roles})


def is_community_manager(user) -> bool:
    return has_role(user, Role.COMMUNITY_MANAGER, Role.ADMINISTRATOR)


def is_administrator(user) -> bool:
    """A superuser or a member of Administrators: the only ones who change who holds which
    access (roles, staff and superuser flags, passwords) and who may sanction an administrator."""
    return has_role(user, Role.ADMINISTRATOR)


def has_staff_role(user) -> bool:
    return bool(roles_of(user)) or user.is_staff
