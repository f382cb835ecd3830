"""Who may call the API at all: the member gate (community.middleware) for requests that do
not come through a session. A session request has already passed the gate; a token request
reaches DRF as an anonymous request and is checked here, with JSON answers instead of pages."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from community.selectors.members import charter_accepted, charter_current_version


class IsMemberInGoodStanding(BasePermission):
    message = _(
        "Accept the current charter on the platform before using the API (sign in on the web)."
    )

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active) or user.is_suspended:
            return False
        version = charter_current_version()
        return version is not None and charter_accepted(user=user, version=version)
