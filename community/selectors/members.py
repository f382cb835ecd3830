"""Reads about members and their standing."""

from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django_countries.fields import Country

from ..models import (
    Charter,
    CharterAcceptance,
    Event,
    Flag,
    Invitation,
    MembershipApplication,
    Thread,
    User,
    VerificationDecision,
)
from ..roles import Role, has_role, has_staff_role, is_community_manager
from ..tiers import is_lowest_tier
from ..visibility import national_contact_country, thread_filter, visible_room_ids
from .directory import national_contact_gaps
from .forum import _unread_threads

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


def _with_full_name(members):
    return members.annotate(full_name=Concat("first_name", Value(" "), "last_name"))


def member_search(query: str, *, limit: int = 25):
    """Members whose name, handle or e-mail contains ``query``, for the staff who act on one
    (suspended and removed members included: they are the ones a manager reinstates).
    Erased accounts are left out: nothing is left to act on."""
    query = query.strip().lstrip("@")
    return (
        _with_full_name(User.objects.filter(deleted_at__isnull=True))
        .filter(
            Q(full_name__icontains=query) | Q(handle__icontains=query) | Q(email__icontains=query)
        )
        .select_related("organisation")
        .order_by("last_name", "first_name", "pk")[:limit]
    )


def member_by_name(value: str) -> list[User]:
    """The members ``value`` names: an e-mail or a handle (one member at most), else a full
    name (maybe several namesakes, the caller asks which one). At most two are returned."""
    value = value.strip().lstrip("@")
    members = User.objects.filter(deleted_at__isnull=True)
    exact = members.filter(Q(email__iexact=value) | Q(handle__iexact=value)).first()
    if exact is not None:
        return [exact]
    return list(_with_full_name(members).filter(full_name__iexact=value)[:2])


def community_manager_emails():
    """The addresses of the community managers who can act now (active, not suspended)."""
    return (
        User.objects.filter(
            Q(suspended_until__isnull=True) | Q(suspended_until__lte=timezone.now()),
            groups__name=Role.COMMUNITY_MANAGER.value,
            is_active=True,
            deleted_at__isnull=True,
        )
        .values_list("email", flat=True)
        .distinct()
    )


def application_list_pending():
    return MembershipApplication.objects.filter(
        status=MembershipApplication.Status.PENDING
    ).select_related("organisation")


def member_list_awaiting_verification():
    """Unverified members, oldest first, with when evidence was last asked of them. A member
    whose verification was rejected is no longer waiting (they stay at the lowest tier)."""
    decisions = VerificationDecision.objects.filter(member=OuterRef("pk"))
    return (
        User.objects.filter(affiliation_verified_at__isnull=True, is_active=True)
        .exclude(is_superuser=True)
        .exclude(Exists(decisions.filter(kind=VerificationDecision.Kind.REJECTED)))
        .annotate(
            evidence_asked_at=Subquery(
                decisions.filter(kind=VerificationDecision.Kind.EVIDENCE)
                .order_by("-created_at")
                .values("created_at")[:1]
            )
        )
        .select_related("organisation")
        .order_by("date_joined")
    )


def verification_decisions_of(member: User):
    return member.verification_decisions.select_related("decided_by")


def invitation_list_open():
    """Invitations still waiting for an answer, and not expired."""
    return Invitation.objects.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )


def invitation_list_for_managers(*, open_only: bool):
    """Every invitation, newest first (those still waiting for an answer when ``open_only``)."""
    invitations = Invitation.objects.select_related("invited_by", "accepted_by", "organisation")
    if open_only:
        invitations = invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True)
    return invitations.order_by("-created_at", "-pk")


def member_list_with_pending_change():
    """Verified members who asked for another role level or organisation, oldest first."""
    return (
        User.objects.filter(
            pending_change_requested_at__isnull=False, is_active=True, deleted_at__isnull=True
        )
        .select_related("organisation", "pending_organisation")
        .order_by("pending_change_requested_at")
    )


def membership_queue_counts() -> dict[str, int]:
    """What waits for a community manager's decision (home page, health dashboard)."""
    return {
        "pending_applications": application_list_pending().count(),
        "awaiting_verification": member_list_awaiting_verification().count(),
        "pending_changes": member_list_with_pending_change().count(),
        "open_invitations": invitation_list_open().count(),
    }


# How many rows each list of the home page shows; the figures count them all.
HOME_LIST_SIZE = 5
LATEST_DISCUSSIONS = 10


def _threads_for(user):
    return Thread.objects.filter(thread_filter(user), merged_into__isnull=True).select_related(
        "room"
    )


def latest_threads_for(user) -> list[Thread]:
    """The threads with the latest activity that ``user`` may read (anonymous visitors: the
    public rooms'), newest first."""
    return list(_threads_for(user).order_by("-last_post_at", "-pk")[:LATEST_DISCUSSIONS])


def home_attention_for(user) -> dict:
    """What needs this member's attention on the home page, by role (SPEC §2.7), and the latest
    discussions they may read (Discourse's "latest" list). Every list and figure is bounded and
    read through the visibility rule, so the page costs a fixed number of queries whatever the
    size of the network."""
    # IPUP reads community, never the reverse at import time.
    from ipup.models import (
        Need,
        ProjectClaim,
        ProjectDocument,
        ResearchProject,
        Survey,
        SurveyInvitation,
    )

    now = timezone.now()
    attention = {"lowest_tier": is_lowest_tier(user)}
    attention["latest_threads"] = latest_threads_for(user)
    if user.verified_affiliation is not None:
        attention["unread_threads"] = list(
            _threads_for(user)
            .filter(pk__in=_unread_threads(user).values("pk"))
            .order_by("-last_post_at")[:HOME_LIST_SIZE]
        )
        attention["surveys_waiting"] = list(
            SurveyInvitation.objects.filter(
                member=user,
                has_answered=False,
                survey__published_at__isnull=False,
                survey__closed_early_at__isnull=True,
                survey__opens_at__lte=now,
                survey__closes_at__gt=now,
            )
            .select_related("survey")
            .order_by("survey__closes_at")[:HOME_LIST_SIZE]
        )
        attention["upcoming_events"] = list(
            Event.objects.visible_to(user).filter(ends_at__gte=now, cancelled_at__isnull=True)[
                :HOME_LIST_SIZE
            ]
        )
    moderated = visible_room_ids(user, moderated=True)
    if moderated:
        attention["open_flags"] = Flag.objects.filter(
            status=Flag.Status.OPEN, post__thread__room_id__in=moderated
        ).count()
    if is_community_manager(user):
        attention |= membership_queue_counts()
        attention["countries_without_contact"] = sum(
            1 for gap in national_contact_gaps() if "contact" in gap["missing"]
        )
    if has_role(user, Role.COMMUNITY_MANAGER, Role.ADMINISTRATOR, Role.IPUP_COORDINATOR):
        attention["surveys_to_send"] = Survey.objects.filter(published_at__isnull=True).count()
        # Open surveys past their closing date close themselves; those still open are the ones
        # a coordinator may want to close early or remind.
        attention["surveys_open"] = Survey.objects.filter(
            published_at__isnull=False,
            closed_early_at__isnull=True,
            opens_at__lte=now,
            closes_at__gt=now,
        ).count()
        attention["needs_to_analyse"] = (
            Need.objects.visible_to(user).filter(status=Need.Status.COLLECTED).count()
        )
        attention["stale_projects"] = ResearchProject.objects.filter(
            contacts_stale_since__isnull=False
        ).count()
        attention["project_claims"] = ProjectClaim.objects.filter(
            status=ProjectClaim.Status.PENDING
        ).count()
        attention["documents_to_review"] = (
            ProjectDocument.objects.visible_to(user, drafts=True)
            .filter(state__in=[ProjectDocument.State.SUBMITTED, ProjectDocument.State.RESUBMITTED])
            .count()
        )
    country = national_contact_country(user)
    if country:
        attention["contact_country"] = Country(code=country)
        attention["country_applications"] = (
            application_list_pending().filter(country=country).count()
        )
        attention["country_awaiting_verification"] = (
            member_list_awaiting_verification().filter(country=country).count()
        )
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
