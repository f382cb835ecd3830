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
    """The role names a user holds, cached on the user object for the request."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_ileanet_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached |= {Role.ADMINISTRATOR.value}
        user._ileanet_roles = cached
    return cached


def has_role(user, *roles: Role) -> bool:
    return bool(roles_of(user) & {r.value for r in roles})


def is_community_manager(user) -> bool:
    return has_role(user, Role.COMMUNITY_MANAGER, Role.ADMINISTRATOR)


def has_staff_role(user) -> bool:
    return bool(roles_of(user)) or user.is_staff
