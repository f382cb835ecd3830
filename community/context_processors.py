from django.utils.functional import SimpleLazyObject

from .roles import Role, roles_of
from .services import can_invite
from .services.notifications import notification_badge
from .visibility import visible_room_ids


def navigation(request):
    """What the navigation bar shows: links depend on the member's roles."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {"authenticated": False}}
    roles = roles_of(user)
    return {
        "nav": {
            "authenticated": True,
            "community_manager": bool(roles & {Role.COMMUNITY_MANAGER, Role.ADMINISTRATOR}),
            "survey_manager": bool(
                roles & {Role.COMMUNITY_MANAGER, Role.ADMINISTRATOR, Role.IPUP_COORDINATOR}
            ),
            "verified": user.verified_affiliation is not None,
            "knowledge_manager": bool(
                roles & {Role.KNOWLEDGE_MANAGER, Role.COMMUNITY_MANAGER, Role.ADMINISTRATOR}
            ),
            "admin_site": user.is_staff,
            "can_invite": can_invite(user),
            # One query, and only when a page actually shows the badge (not in htmx partials).
            "unread_notifications": SimpleLazyObject(lambda: notification_badge(user)),
            # The badge above already asks which rooms the member sees and moderates.
            "moderator": SimpleLazyObject(lambda: bool(visible_room_ids(user, moderated=True))),
        }
    }
