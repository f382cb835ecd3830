"""Reads about members and their standing."""

from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from ..models import Charter, CharterAcceptance, Invitation, MembershipApplication, User
from ..roles import has_staff_role, is_community_manager
from ..tiers import is_lowest_tier

CURRENT_CHARTER_CACHE_KEY = "community:current-charter-version"


def charter_current() -> Charter | None:
    return Charter.objects.filter(published_at__lte=timezone.now()).order_by("-version").first()


def charter_current_version() -> int | None:
    """The current charter's version, cached: the member gate asks on every request."""
    version = cache.get(CURRENT_CHARTER_CACHE_KEY)
    if version is None:
        charter = charter_current()
        version = charter.version if charter else 0
        cache.set(CURRENT_CHARTER_CACHE_KEY, version, 60)
    return version or None


def charter_accepted(*, user, version: int) -> bool:
    return CharterAcceptance.objects.filter(user=user, charter__version=version).exists()


def mfa_required(user) -> bool:
    """MFA is mandatory for LEA members (claimed or verified) and every staff role."""
    return user.affiliation_type == "lea" or user.is_superuser or has_staff_role(user)


def mfa_enabled(user) -> bool:
    return Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()


def mfa_types(user) -> frozenset[str]:
    """The kinds of authenticator the member has (recovery codes included)."""
    return frozenset(Authenticator.objects.filter(user=user).values_list("type", flat=True))


def invitation_by_token(token: str) -> Invitation | None:
    from ..models import hash_token

    if not token or len(token) > 128:
        return None
    return Invitation.objects.filter(token_hash=hash_token(token)).first()


def invitation_list_sent_by(user):
    return Invitation.objects.filter(invited_by=user).select_related("accepted_by")


def application_list_pending():
    return MembershipApplication.objects.filter(
        status=MembershipApplication.Status.PENDING
    ).select_related("organisation")


def member_list_awaiting_verification():
    return (
        User.objects.filter(affiliation_verified_at__isnull=True, is_active=True)
        .exclude(is_superuser=True)
        .select_related("organisation")
        .order_by("date_joined")
    )


def member_list_with_pending_change():
    """Verified members who asked for another role level or organisation, oldest first."""
    return (
        User.objects.filter(
            pending_change_requested_at__isnull=False, is_active=True, deleted_at__isnull=True
        )
        .select_related("organisation", "pending_organisation")
        .order_by("pending_change_requested_at")
    )


def home_attention_for(user) -> dict:
    """What needs this member's attention, for the home page (a fixed number of queries)."""
    attention = {"lowest_tier": is_lowest_tier(user)}
    if is_community_manager(user):
        attention["pending_applications"] = application_list_pending().count()
        attention["awaiting_verification"] = member_list_awaiting_verification().count()
        attention["pending_changes"] = member_list_with_pending_change().count()
        attention["open_invitations"] = Invitation.objects.filter(
            Q(accepted_at__isnull=True) & Q(revoked_at__isnull=True),
            expires_at__gt=timezone.now(),
        ).count()
    return attention


def onboarding_checklist_for(user) -> list[dict] | None:
    """The first steps of a new member (SPEC §2.7), each done or not, in one query; None once
    every step is done. "Join rooms" means watching a room; "introduce yourself" means having
    posted anywhere."""
    from django.db.models import Count, Exists, OuterRef

    from ..models import Post, Subscription

    if not user.is_authenticated or user.verified_affiliation is None:
        return None
    watched = Subscription.objects.filter(user=OuterRef("pk"), room__isnull=False, mode="watch")
    facts = (
        User.objects.filter(pk=user.pk)
        .annotate(
            domain_count=Count("domains", distinct=True),
            watches_room=Exists(watched),
            has_posted=Exists(Post.objects.filter(author=OuterRef("pk"))),
        )
        .values("domain_count", "watches_room", "has_posted")
        .get()
    )
    steps = [
        {
            "key": "profile",
            "done": bool(user.bio and user.country and user.languages and facts["domain_count"]),
        },
        {"key": "notifications", "done": user.preferences_saved_at is not None},
        {"key": "rooms", "done": facts["watches_room"]},
        {"key": "introduce", "done": facts["has_posted"]},
    ]
    return None if all(step["done"] for step in steps) else steps
