"""The visibility rule (SPEC §2.3): the one place that decides who may see which room, thread,
post and attachment. Every page, search, notification, digest, feed, export and autocomplete
filters through these functions — nothing else decides.

- Anonymous visitors, inactive and unverified members see public rooms only; suspended members
  see nothing at all.
- A verified member sees the rooms of their tiers (``community.tiers``); a private room only if
  they hold a grant on it (membership or moderation, via django-guardian).
- Community managers and administrators see every room: moderating the whole network is their
  role, and the rule grants it here rather than in any view.
- Hidden posts are seen only by those who can moderate their room.

``access_*`` helpers fetch and authorise in one step and raise Http404 both for "missing" and
"not yours", so a restricted room is indistinguishable from one that does not exist.
"""

from django.db.models import Exists, OuterRef, Q, Value
from django.http import Http404
from django.utils import timezone

from .roles import Role, has_role, is_community_manager
from .tiers import Tier, affiliations_for_tier, tiers_for

NOTHING = Q(pk__in=[])


def _sees_everything(user) -> bool:
    return user.is_authenticated and user.is_active and is_community_manager(user)


def _grants(user, *codenames):
    from .models import RoomUserObjectPermission

    return RoomUserObjectPermission.objects.filter(
        content_object=OuterRef("pk"), user=user, permission__codename__in=codenames
    )


def room_filter(user) -> Q:
    if user is None or not user.is_authenticated or not user.is_active:
        return Q(tier=Tier.PUBLIC, is_private=False)
    if user.is_suspended:
        return NOTHING
    if _sees_everything(user):
        return Q()
    return Q(tier__in=tiers_for(user)) & (
        Q(is_private=False) | Exists(_grants(user, "access_room", "moderate_room"))
    )


def moderated_room_filter(user) -> Q:
    """Rooms ``user`` moderates (always a subset of the rooms they see)."""
    if user is None or not user.is_authenticated or not user.is_active or user.is_suspended:
        return NOTHING
    if _sees_everything(user):
        return Q()
    return room_filter(user) & Exists(_grants(user, "moderate_room"))


def _rooms(user, moderated=False):
    from .models import Room

    return Room.objects.filter(moderated_room_filter(user) if moderated else room_filter(user))


# Bumped whenever rooms, grants or members change in this process (signals in apps.py), so an
# answer remembered on a long-lived user object (a test, a task) is never used after a change.
_epoch = [0]


def visibility_changed(**kwargs) -> None:
    _epoch[0] += 1


def _rooms_with_rights(user):
    """Visible rooms, each with ``moderates`` (the same answer as moderated_room_filter, given
    that the room is visible)."""
    from .models import Room

    if user is None or not user.is_authenticated or not user.is_active or user.is_suspended:
        moderates = Value(False)
    elif _sees_everything(user):
        moderates = Value(True)
    else:
        moderates = Exists(_grants(user, "moderate_room"))
    return Room.objects.filter(room_filter(user)).annotate(moderates=moderates)


def visible_room_ids(user, *, moderated: bool = False) -> list[int]:
    """The ids of the rooms ``user`` sees (or, ``moderated``, moderates): both answered by one
    small query, remembered on the user object until rooms, grants or members change. A request
    builds its user afresh, so in the web process the answer is at most one request old."""
    remembered = getattr(user, "_ileanet_room_ids", None)
    if remembered is None or remembered[0] != _epoch[0]:
        rows = list(_rooms_with_rights(user).values_list("pk", "moderates"))
        remembered = (_epoch[0], [pk for pk, _ in rows], [pk for pk, mod in rows if mod])
        user._ileanet_room_ids = remembered
    return remembered[2] if moderated else remembered[1]


def rooms_visible_to(user, *related) -> list:
    """The rooms ``user`` sees, each with ``moderates``; answers ``visible_room_ids`` for the
    rest of the request at the same time (the room list needs both, for one query)."""
    rooms = list(_rooms_with_rights(user).select_related(*related))
    user._ileanet_room_ids = (
        _epoch[0],
        [room.pk for room in rooms],
        [room.pk for room in rooms if room.moderates],
    )
    return rooms


# Threads, posts and attachments filter on a list of room ids rather than a subquery: the
# queries stay simple to plan, which is most of their cost.
def thread_filter(user) -> Q:
    return Q(room_id__in=visible_room_ids(user))


def post_filter(user, prefix: str = "") -> Q:
    """Posts ``user`` may read; ``prefix`` applies it across a relation (``"post__"`` filters
    notifications by their post) without a subquery."""
    return Q(**{f"{prefix}thread__room_id__in": visible_room_ids(user)}) & (
        Q(**{f"{prefix}is_hidden": False})
        | Q(**{f"{prefix}thread__room_id__in": visible_room_ids(user, moderated=True)})
    )


def attachment_filter(user) -> Q:
    from .models import Post

    return Q(post__in=Post.objects.filter(post_filter(user)).values("pk"))


def good_standing_filter(prefix: str = "") -> Q:
    """Members in good standing: active, not deleted, not suspended now (``prefix`` applies it
    across a relation, e.g. ``"member__"`` from a survey invitation)."""
    return Q(**{f"{prefix}is_active": True, f"{prefix}deleted_at__isnull": True}) & (
        Q(**{f"{prefix}suspended_until__isnull": True})
        | Q(**{f"{prefix}suspended_until__lte": timezone.now()})
    )


def room_audience_filter(room) -> Q:
    """The same rule read the other way: a filter on members who can see ``room``. Used where
    the question is "who may see this" (mention autocomplete, notification fan-out); the tests
    check it agrees with ``room_filter`` for every role and room."""
    from .models import RoomUserObjectPermission, User

    active = good_standing_filter()
    managers = Q(is_superuser=True) | Exists(
        User.groups.through.objects.filter(
            user_id=OuterRef("pk"),
            group__name__in=[Role.COMMUNITY_MANAGER.value, Role.ADMINISTRATOR.value],
        )
    )
    if room.tier == Tier.PUBLIC and not room.is_private:
        return active
    audience = Q(
        affiliation_verified_at__isnull=False,
        affiliation_type__in=affiliations_for_tier(room.tier),
    )
    if room.tier == Tier.PUBLIC:
        audience = Q()  # a private public room: its grants decide
    if room.is_private:
        audience &= Exists(
            RoomUserObjectPermission.objects.filter(
                content_object=room,
                user_id=OuterRef("pk"),
                permission__codename__in=["access_room", "moderate_room"],
            )
        )
    return active & (managers | audience)


def _tier_readers(tier: str) -> set[str]:
    """Who reads a (not private) room of ``tier``, by kind of reader."""
    readers = set(affiliations_for_tier(tier))
    if tier == Tier.PUBLIC:
        readers.add("unverified or anonymous")
    return readers


def audience_widens(source, target) -> bool:
    """Whether someone who may see room ``target`` may not see room ``source``: moving or
    merging a thread from ``source`` into ``target`` would show its posts to new readers.

    Read from the tiers, so that members who join later count too; for a private target, from
    the members listed in it now (a later member is granted access, and audited, one by one)."""
    if target.is_private:
        from .models import User

        source_audience = User.objects.filter(room_audience_filter(source)).values("pk")
        return (
            User.objects.filter(room_audience_filter(target))
            .exclude(pk__in=source_audience)
            .exists()
        )
    return source.is_private or not _tier_readers(target.tier) <= _tier_readers(source.tier)


# --- News and calendar events (SPEC §2.7): the room tiers, without private membership -----------


def audience_filter(user) -> Q:
    """News items and events ``user`` may read: those of their tiers; everything for
    community managers; nothing while suspended."""
    if user is not None and user.is_authenticated and user.is_active:
        if user.is_suspended:
            return NOTHING
        if _sees_everything(user):
            return Q()
    return Q(tier__in=tiers_for(user))


def can_read_tier(user, tier: str) -> bool:
    """Whether ``user`` reads content of ``tier``: who gives an event or a news item an
    audience must be part of it (else they could neither see nor manage what they made)."""
    return _sees_everything(user) or tier in tiers_for(user)


# --- IPUP needs (SPEC §3.2): the tiers, narrowed to the room a need was recorded from ---------
#
# A need carries a tier like a news item. One recorded from a discussion also keeps that room:
# it is read only by who may read the room (for a private room, its members and whoever may
# moderate it), so a need cannot carry a private or LEA-only discussion further than the
# discussion went. IPUP coordinators have no rule of their own: they read needs by their tier.


def need_filter(user) -> Q:
    """Needs ``user`` may read."""
    return audience_filter(user) & (Q(room__isnull=True) | Q(room_id__in=visible_room_ids(user)))


def need_audience_filter(need) -> Q:
    """``need_filter`` read the other way: a filter on members who may read ``need`` (who may be
    asked to rate it in a survey). Its tier reads like an open room of that tier."""
    from .models import Room

    audience = room_audience_filter(Room(tier=need.tier, is_private=False))
    if need.room_id:
        audience &= room_audience_filter(need.room)
    return audience


# --- Members (the directory, profiles) ----------------------------------------------------------
#
# A member chooses who sees their profile, their e-mail address and their organisation: every
# verified member, verified LEA members only, or nobody but community managers. The national
# contacts of a country see its members whatever they chose (SPEC §1: "sees the members of their
# country"). Unverified and suspended members see no one: the directory of police officers is
# not for someone whose affiliation nobody has checked.


def member_reach(viewer) -> frozenset[str]:
    """The visibility settings whose holders ``viewer`` sees."""
    from .models import ProfileVisibility as PV

    if viewer is None or not viewer.is_authenticated or not viewer.is_active:
        return frozenset()
    if viewer.is_suspended:
        return frozenset()
    if _sees_everything(viewer):
        return frozenset(PV.values)
    if viewer.verified_affiliation is None:
        return frozenset()
    if viewer.verified_affiliation == "lea":
        return frozenset({PV.MEMBERS, PV.LEA})
    return frozenset({PV.MEMBERS})


def national_contact_country(viewer) -> str | None:
    """The country ``viewer`` is national contact (or deputy) of; remembered on the object."""
    if not getattr(viewer, "is_authenticated", False):
        return None
    if not hasattr(viewer, "_ileanet_nc_country"):
        from .models import NationalContact

        viewer._ileanet_nc_country = (
            NationalContact.objects.filter(member=viewer).values_list("country", flat=True).first()
        )
    return viewer._ileanet_nc_country


def member_filter(viewer, field: str = "profile") -> Q:
    """Members whose ``field`` (``profile``, ``email`` or ``organisation``) ``viewer`` may see.
    A hidden organisation is also one the viewer cannot search or filter by."""
    reach = member_reach(viewer)
    if not reach:
        return NOTHING
    listed = Q(is_active=True, deleted_at__isnull=True)
    if not _sees_everything(viewer):
        listed &= Q(affiliation_verified_at__isnull=False)
    allowed = Q(profile_visibility__in=reach)
    if field != "profile":
        allowed &= Q(**{f"{field}_visibility__in": reach})
    allowed |= Q(pk=viewer.pk)
    country = national_contact_country(viewer)
    if country:
        allowed |= Q(country=country)
    return listed & allowed


def can_see_member_field(viewer, member, field: str) -> bool:
    """``member_filter`` for one member already loaded (a profile page, a post's author)."""
    if member.pk == getattr(viewer, "pk", None):
        return True
    reach = member_reach(viewer)
    if not reach or not member.is_active or member.deleted_at:
        return False
    if member.country and member.country == national_contact_country(viewer):
        return True
    if member.affiliation_verified_at is None and not _sees_everything(viewer):
        return False
    if member.profile_visibility not in reach:
        return False
    return field == "profile" or getattr(member, f"{field}_visibility") in reach


def access_member(viewer, handle: str):
    from .models import User

    member = (
        User.objects.filter(member_filter(viewer))
        .select_related("organisation")
        .filter(handle=handle)
        .first()
    )
    if member is None:
        raise Http404
    return member


# --- Predicates -------------------------------------------------------------------------------


def can_moderate_room(user, room) -> bool:
    return room.pk in visible_room_ids(user, moderated=True)


def can_post_in_room(user, room) -> bool:
    """Members post in the rooms they see; the public room is for announcements by staff."""
    if room.is_archived or not user.is_authenticated or user.is_suspended:
        return False
    if room.tier == Tier.PUBLIC:
        return can_moderate_room(user, room)
    return room.pk in visible_room_ids(user)


def can_reply_in_thread(user, thread) -> bool:
    if thread.is_locked or thread.merged_into_id:
        return can_moderate_room(user, thread.room)
    return can_post_in_room(user, thread.room)


def can_edit_post(user, post) -> bool:
    if post.author_id == user.pk and not post.is_hidden and not post.thread.is_locked:
        return not user.is_suspended
    return can_moderate_room(user, post.thread.room)


def can_read_post_history(user, post) -> bool:
    """Earlier versions of a post: its author and the room's moderators only (an edit is often
    made to take something back)."""
    return post.author_id == user.pk or can_moderate_room(user, post.thread.room)


# --- Access helpers -----------------------------------------------------------------------------


def access_room(user, slug: str, *, for_write: bool = False):
    from .models import Room

    room = Room.objects.visible_to(user).filter(slug=slug).first()
    if room is None or (for_write and not can_post_in_room(user, room)):
        raise Http404
    return room


def access_thread(user, thread_id: int, *, for_write: bool = False):
    from .models import Thread

    thread = Thread.objects.visible_to(user).select_related("room").filter(pk=thread_id).first()
    if thread is None or (for_write and not can_reply_in_thread(user, thread)):
        raise Http404
    return thread


def access_post(user, post_id: int, *, for_edit: bool = False):
    from .models import Post

    post = (
        Post.objects.visible_to(user)
        .select_related("thread__room", "author")
        .filter(pk=post_id)
        .first()
    )
    if post is None or (for_edit and not can_edit_post(user, post)):
        raise Http404
    return post


def access_attachment(user, attachment_id: int):
    from .models import Attachment

    attachment = Attachment.objects.visible_to(user).filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    return attachment


# --- Project documents (SPEC §3.7): ID cards, TELOS assessments, scenarios ----------------------
#
# A project's documents are written by its holders and reviewed by the IPUP coordinators (and
# community managers, who may do whatever coordinators do): they read everything, drafts and
# review comments included. Every other verified member in good standing reads a document once
# a version of it is approved — only that version: what LEAs judge a project on is what a
# coordinator approved, never a draft.


def _manages_projects(user) -> bool:
    from .roles import roles_of

    return _sees_everything(user) or (
        user.is_authenticated
        and user.is_active
        and not user.is_suspended
        and Role.IPUP_COORDINATOR.value in roles_of(user)
    )


def held_by(user, prefix: str = "project__"):
    """An Exists() true when ``user`` holds the project reached through ``prefix`` (``""``
    on a ResearchProject queryset itself): the one query of the holders' guardian grants."""
    from ipup.models import ProjectUserObjectPermission

    return Exists(
        ProjectUserObjectPermission.objects.filter(
            content_object=OuterRef(f"{prefix}pk"),
            user=user,
            permission__codename="hold_project",
        )
    )


def project_document_filter(user, *, drafts: bool = False) -> Q:
    """Project documents ``user`` may read; with ``drafts``, those whose drafts, submitted
    versions and review comments they may read (holders and coordinators only)."""
    if user is None or not user.is_authenticated or not user.is_active or user.is_suspended:
        return NOTHING
    if _manages_projects(user):
        return Q()
    holder = Q(held_by(user))
    if drafts or Tier.MEMBERS not in tiers_for(user):
        return holder
    return holder | Q(approved_version__isnull=False)


def can_read_checklist(user, project) -> bool:
    """A project's IPIP checklist (SPEC §4.2) is read by every verified member in good standing
    (it is how the network learns from projects' practice), by its holders and coordinators;
    its evidence files only by the latter (ipip.services.checklists.can_write_checklist), as
    they may be the consortium's internal papers."""
    if user is None or not user.is_authenticated or not user.is_active or user.is_suspended:
        return False
    if _manages_projects(user) or Tier.MEMBERS in tiers_for(user):
        return True
    from ipup.models import ResearchProject

    return ResearchProject.objects.filter(held_by(user, prefix=""), pk=project.pk).exists()


def can_review_project_documents(user) -> bool:
    return user is not None and _manages_projects(user)


# --- Showcase events and webinars (SPEC §3.8) ----------------------------------------------------
#
# A showcase event or webinar is read like any calendar event (audience_filter). Its online link
# is the door into the session itself: shown only to its registered participants (not those on
# the waiting list) and to those who run events.


def can_see_event_link(
    user, event, *, listed: bool = False, registered: bool | None = None
) -> bool:
    """``listed``: ``event`` comes from ``Event.objects.visible_to(user)`` (or a queryset
    filtered by it); ``registered``: whether ``user`` is registered, when the caller annotated
    it. A list passes both and the rule costs no query per row."""
    from django.core.exceptions import ObjectDoesNotExist

    from .models import Event
    from .roles import roles_of

    if not event.online_url or user is None or not user.is_authenticated:
        return False
    if not listed and not Event.objects.filter(audience_filter(user), pk=event.pk).exists():
        return False
    try:
        showcase = event.showcase
    except ObjectDoesNotExist:
        return True
    if _sees_everything(user) or (
        not user.is_suspended and Role.IPUP_COORDINATOR.value in roles_of(user)
    ):
        return True
    if registered is not None:
        return registered
    return showcase.registrations.filter(member=user, status="registered").exists()


# --- Notifications (SPEC §2.6) ------------------------------------------------------------------
#
# A forum notification is shown while its post is; any other notification while its target is,
# by the target's own rule registered here. A target model without a rule here shows nothing.


def _visible_documents(user):
    from ipup.models import ProjectDocument

    # A document's notifications tell of its review (submitted, changes requested, approved):
    # news for its holders and reviewers only, even once an approved version is public to
    # members — a holder who lost the project must stop seeing them.
    return ProjectDocument.objects.filter(project_document_filter(user, drafts=True))


def _visible_events(user):
    from .models import Event

    return Event.objects.filter(audience_filter(user))


# --- Research projects (SPEC §3.5): their public facts are read by every signed-in member in
# good standing (their points of contact are decided in ipup.permissions). ---------------------


def project_filter(user) -> Q:
    if user is None or not user.is_authenticated or not user.is_active or user.is_suspended:
        return NOTHING
    return Q()


def _visible_projects(user):
    from ipup.models import ResearchProject

    return ResearchProject.objects.filter(project_filter(user))


# --- Knowledge Factory items (SPEC §5): the room tiers, for published items ------------------
#
# An item's access level is a tier (public, all verified members, LEA only) read exactly as a
# room's. Before it is published an item is read by its author (while they read its tier) and by
# the knowledge managers whose tiers include it (they review it; an LEA-only submission waits
# for a knowledge manager who may read LEA content, or a community manager). Search, facets,
# feeds and the newsletter narrow this to published items; they never widen it.


def can_review_knowledge(user) -> bool:
    """Whether ``user`` reviews Knowledge Factory submissions (and keeps its tags tidy)."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and not user.is_suspended
        and (has_role(user, Role.KNOWLEDGE_MANAGER) or _sees_everything(user))
    )


def knowledge_item_filter(user) -> Q:
    """Knowledge Factory items ``user`` may open."""
    published = Q(status="published") & audience_filter(user)
    if user is None or not user.is_authenticated or not user.is_active:
        return published
    if user.is_suspended:
        return NOTHING
    # The author too reads their item only while it has a tier they read: a reviewer may have
    # raised it to LEA-only (and edited it), or the author may no longer be an LEA officer.
    shown = published | (Q(author=user) & audience_filter(user))
    if can_review_knowledge(user):
        shown |= ~Q(status="published") & audience_filter(user)
    return shown


def knowledge_audience_key(user) -> str:
    """Readers with the same key read the same *published* items (``knowledge_item_filter``
    narrowed to published ones reads them by tier alone): what a cache of counts over
    published items may be shared by."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Tier.PUBLIC
    if user.is_suspended:
        return "nothing"
    if _sees_everything(user):
        return "everything"
    return "+".join(sorted(tiers_for(user)))


def knowledge_item_audience_filter(item) -> Q:
    """``knowledge_item_filter`` read the other way, for a published item: the members who may
    read it (who may be told of it). Its tier reads like an open room of that tier."""
    from .models import Room

    return room_audience_filter(Room(tier=item.tier, is_private=False))


def knowledge_newsletter_filter() -> Q:
    """What a newsletter prints: published items every verified member may read (public and
    members' items, never LEA-only ones) — a newsletter is read by all members and forwarded."""
    return Q(status="published", tier__in=[Tier.PUBLIC, Tier.MEMBERS])


def can_edit_knowledge_item(user, item) -> bool:
    """The author edits their submission until it is published; reviewers edit it any time."""
    if not (user.is_authenticated and user.is_active and not user.is_suspended):
        return False
    if can_review_knowledge(user) and can_read_tier(user, item.tier):
        return True
    return (
        item.author_id == user.pk
        and item.status in ("submitted", "changes")
        and can_read_tier(user, item.tier)
    )


def access_knowledge_item(user, item_id: int):
    """The item if ``user`` may open it, else Http404 (missing and forbidden look the same)."""
    from knowledge_factory.models import Item

    item = Item.objects.filter(knowledge_item_filter(user), pk=item_id).first()
    if item is None:
        raise Http404
    return item


def _visible_knowledge_items(user):
    from knowledge_factory.models import Item

    return Item.objects.filter(knowledge_item_filter(user))


def knowledge_newsletter_visible_filter(user) -> Q:
    """Newsletters ``user`` may see: all of them, drafts included, for those who make them
    (knowledge managers, community managers); for everyone else the published ones whose item
    they may open (a newsletter is published as a members' item carrying its PDF)."""
    if can_review_knowledge(user):
        return Q()
    from knowledge_factory.models import Item

    return Q(
        status="published",
        item__in=Item.objects.filter(knowledge_item_filter(user)).values("pk"),
    )


def _visible_knowledge_newsletters(user):
    from knowledge_factory.models import Newsletter

    return Newsletter.objects.filter(knowledge_newsletter_visible_filter(user))


NOTIFICATION_TARGETS = {
    "ipup.projectdocument": _visible_documents,
    "community.event": _visible_events,
    "ipup.researchproject": _visible_projects,
    "knowledge_factory.item": _visible_knowledge_items,
    "knowledge_factory.newsletter": _visible_knowledge_newsletters,
}


def register_notification_target(label: str, visible) -> None:
    """For apps built later (alerts, Knowledge Factory): ``visible(user)`` must be the queryset
    of that model's objects ``user`` may see, built from a rule of this module."""
    NOTIFICATION_TARGETS[label.lower()] = visible


def notification_filter(user) -> Q:
    """Notifications whose post or target ``user`` may see now."""
    shown = Q(post__isnull=False) & post_filter(user, prefix="post__")
    if user is None or not user.is_authenticated or not user.is_active or user.is_suspended:
        return shown
    for label, visible in NOTIFICATION_TARGETS.items():
        app_label, model = label.split(".")
        # Joined by name rather than by a looked-up id: no query of its own, whatever the cache.
        # EXISTS, probed by primary key for each of the member's notifications, rather than
        # IN (every visible target): the badge on every page must not read 100,000 items.
        shown |= Q(
            Exists(visible(user).filter(pk=OuterRef("target_id"))),
            target_type__app_label=app_label,
            target_type__model=model,
        )
    return shown
