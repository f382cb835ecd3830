"""Personal data (SPEC §6.4): a member's own data as a ZIP of JSON files, and account deletion
that erases personal fields while the discussions stay readable under a pseudonym.

Other apps add their part of the export with ``exporter`` (ipup adds survey answers); an
exporter returns ``{"file name.json": rows}`` with the member's own data only.
"""

import io
import json
import secrets
import zipfile
from collections.abc import Callable

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..audit import audit_log
from ..models import (
    AuditLogEntry,
    CharterAcceptance,
    Flag,
    Invitation,
    MembershipApplication,
    Notification,
    Post,
    PostRevision,
    ReadState,
    Subscription,
    Thread,
    UsefulMark,
    User,
)
from ..roles import Role
from ..visibility import notification_filter

EXPORTERS: list[Callable[[User], dict[str, list]]] = []


def exporter(function: Callable[[User], dict[str, list]]):
    EXPORTERS.append(function)
    return function


@exporter
def _community(member: User) -> dict[str, list]:
    profile = {
        "email": member.email,
        "first_name": member.first_name,
        "last_name": member.last_name,
        "handle": member.handle,
        "organisation": member.organisation.name if member.organisation else None,
        "country": member.country.code or None,
        "affiliation_type": member.affiliation_type,
        "affiliation_verified_at": member.affiliation_verified_at,
        "role_level": member.role_level,
        "organisation_not_listed": member.unlisted_organisation or None,
        "role_level_asked_for": member.pending_role_level or None,
        "organisation_asked_for": (
            member.pending_organisation.name if member.pending_organisation else None
        ),
        "change_asked_at": member.pending_change_requested_at,
        "domains": list(member.domains.values_list("name", flat=True)),
        "languages": member.languages,
        "bio": member.bio,
        "profile_visibility": member.profile_visibility,
        "email_visibility": member.email_visibility,
        "organisation_visibility": member.organisation_visibility,
        "email_frequency": member.email_frequency,
        "roles": sorted(member.role_names),
        "date_joined": member.date_joined,
        "last_login": member.last_login,
    }
    own_threads = set(Thread.objects.filter(author=member).values_list("pk", flat=True))
    posts = [
        {
            "id": post["pk"],
            "thread": post["thread_id"],
            "room": post["thread__room__slug"],
            # Titles are the member's own only for the threads they started.
            "thread_title": post["thread__title"] if post["thread_id"] in own_threads else None,
            "created_at": post["created_at"],
            "edited_at": post["edited_at"],
            "hidden_by_a_moderator": post["is_hidden"],
            "body": post["body"],
        }
        for post in Post.objects.filter(author=member)
        .order_by("created_at")
        .values(
            "pk",
            "thread_id",
            "thread__room__slug",
            "thread__title",
            "created_at",
            "edited_at",
            "is_hidden",
            "body",
        )
    ]
    return {
        "profile.json": [profile],
        "posts.json": posts,
        "threads.json": list(
            Thread.objects.filter(author=member).values("pk", "title", "room__slug", "created_at")
        ),
        "revisions.json": [
            {
                "post": r["post_id"],
                "body": r["body"],
                "edited_at": r["edited_at"],
                "edited_by_you": r["edited_by_id"] == member.pk,
                "reason": r["reason"],
            }
            for r in PostRevision.objects.filter(post__author=member).values(
                "post_id", "body", "edited_at", "edited_by_id", "reason"
            )
        ],
        "charter_acceptances.json": list(
            CharterAcceptance.objects.filter(user=member).values("charter__version", "accepted_at")
        ),
        "flags.json": list(
            Flag.objects.filter(reporter=member).values("post_id", "reason", "created_at")
        ),
        "useful_marks.json": list(
            UsefulMark.objects.filter(user=member).values("post_id", "created_at")
        ),
        "subscriptions.json": list(
            Subscription.objects.filter(user=member).values("room__slug", "thread_id", "mode")
        ),
        "notifications.json": list(
            # What the member may still see: a subject names its target.
            Notification.objects.filter(notification_filter(member), recipient=member).values(
                "kind", "post_id", "subject", "link", "created_at", "read_at", "emailed_at"
            )
        ),
        "invitations_sent.json": list(
            Invitation.objects.filter(invited_by=member).values(
                "email", "created_at", "accepted_at"
            )
        ),
        "applications.json": list(
            MembershipApplication.objects.filter(email__iexact=member.email).values(
                "first_name",
                "last_name",
                "organisation_name",
                "country",
                "affiliation_type",
                "position",
                "motivation",
                "status",
                "created_at",
                "decided_at",
            )
        ),
        "audit.json": _audit_rows(member),
    }


# Audit targets whose description names no other member (a room's name, an invitation's
# address — the member's own action). Any other target (another member, their application,
# an introduction, a thread someone else started) is given by type and id only.
_AUDIT_TARGETS_NAMED = {
    "community.room",
    "community.charter",
    "community.event",
    "community.newspost",
    "community.invitation",
    "community.post",
    "ipup.survey",
    "ipup.need",
}


def _audit_rows(member: User) -> list[dict]:
    rows = []
    for entry in (
        AuditLogEntry.objects.filter(actor=member).select_related("target_type").order_by("pk")
    ):
        kind = entry.target_type
        label = f"{kind.app_label}.{kind.model}" if kind else None
        is_self = label == "community.user" and entry.target_id == str(member.pk)
        named = is_self or label in _AUDIT_TARGETS_NAMED
        rows.append(
            {
                "action": entry.action,
                "target_type": label,
                "target_id": entry.target_id or None,
                "target": entry.target_repr if named else None,
                "reason": entry.reason,
                "created_at": entry.created_at,
            }
        )
    return rows


def personal_data_export(*, member: User) -> bytes:
    """The ZIP of every exporter's files, each a JSON list."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for export in EXPORTERS:
            for name, rows in export(member).items():
                text = json.dumps(rows, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
                archive.writestr(name, text)
    audit_log(actor=member, action="personal_data.exported", target=member)
    return buffer.getvalue()


# --- Deletion -------------------------------------------------------------------------------


def _last_administrator(member: User) -> bool:
    if not (member.is_superuser or Role.ADMINISTRATOR.value in member.role_names):
        return False
    others = get_user_model().objects.filter(is_active=True).exclude(pk=member.pk)
    return (
        not others.filter(is_superuser=True).exists()
        and not others.filter(role_names__contains=[Role.ADMINISTRATOR.value]).exists()
    )


@transaction.atomic
def account_delete(*, actor: User, member: User) -> str:
    """Erase ``member``'s personal data and close the account; their posts stay, shown under
    a pseudonym. Returns the pseudonym. The audit entry names only the pseudonym."""
    from .network import national_contact_leave

    if actor.pk != member.pk:
        raise PermissionDenied
    if _last_administrator(member):
        raise ValidationError(_("You are the last administrator: name another one first."))
    member = User.objects.select_for_update().get(pk=member.pk)
    national_contact_leave(actor=member, member=member, force=True)
    pseudonym = f"former-member-{secrets.token_hex(4)}"
    old_email = member.email
    Invitation.objects.filter(
        invited_by=member, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    for model, field in ((Notification, "recipient"), (ReadState, "user"), (Subscription, "user")):
        model.objects.filter(**{field: member}).delete()
    EmailAddress.objects.filter(user=member).delete()
    Authenticator.objects.filter(user=member).delete()
    member.groups.clear()
    member.domains.clear()
    member.email = f"{pseudonym}@deleted.invalid"
    member.handle = pseudonym
    member.first_name = member.last_name = member.bio = ""
    member.country = ""
    member.organisation = member.pending_organisation = None
    member.unlisted_organisation = member.pending_role_level = ""
    member.pending_change_requested_at = None
    member.languages = []
    member.role_level = User._meta.get_field("role_level").default
    member.profile_visibility = member.email_visibility = "hidden"
    member.organisation_visibility = "hidden"
    member.calendar_token = None
    member.is_active = member.is_staff = member.is_superuser = False
    member.deleted_at = timezone.now()
    # A new password hash also ends every session of the account (Django checks it).
    member.set_unusable_password()
    member.save()
    _traces_erase(member=member, old_email=old_email, pseudonym=pseudonym)
    for erase in ERASERS:
        erase(member)
    audit_log(actor=member, action="account.deleted", target=member)
    return pseudonym


def _traces_erase(*, member: User, old_email: str, pseudonym: str) -> None:
    """Erase the member's name and address where other rows copied them: the invitation they
    accepted, the application they sent, and the audit log's description of entries about
    them. The audit entries themselves stay (what happened, when, to which row); only the
    name they showed is replaced by the pseudonym."""
    addressed = Invitation.objects.filter(Q(email__iexact=old_email) | Q(accepted_by=member))
    addressed.filter(accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    invitation_ids = [str(pk) for pk in addressed.values_list("pk", flat=True)]
    addressed.update(email=member.email, message="")
    applications = MembershipApplication.objects.filter(email__iexact=old_email)
    application_ids = [str(pk) for pk in applications.values_list("pk", flat=True)]
    applications.update(
        email=member.email,
        first_name="",
        last_name="",
        organisation_name="",
        country="",
        position="",
        motivation="",
    )
    types = ContentType.objects.get_for_models(User, Invitation, MembershipApplication)
    AuditLogEntry.objects.filter(
        Q(target_type=types[User], target_id=str(member.pk))
        | Q(target_type=types[Invitation], target_id__in=invitation_ids)
        | Q(target_type=types[MembershipApplication], target_id__in=application_ids)
    ).update(target_repr=pseudonym)


# Other apps erase what they keep about a member (ipup: the e-mail on survey invitations).
ERASERS: list[Callable[[User], None]] = []


# issue 15: knowledge factory — the member's items and their history are exported; on deletion
# the items stay (their author shown under the pseudonym, as posts), what the member follows and
# their personal feed's secret go.
@exporter
def _knowledge_factory(member: User) -> dict[str, list]:
    from knowledge_factory.models import Item, ItemEvent

    tags = _knowledge_tags(member)
    items = [
        {**row, "tags": sorted(tags.get(row["id"], []))}
        # What they wrote and may still read: an item a reviewer moved to an access level the
        # member does not read (LEA only) is no longer theirs to take away.
        for row in Item.objects.visible_to(member)
        .filter(author=member)
        .order_by("submitted_at", "pk")
        .values(
            "id",
            "type",
            "title",
            "summary",
            "body",
            "source_url",
            "published_on",
            "tier",
            "status",
            "review_note",
            "submitted_at",
            "published_at",
        )
    ]
    own = set(Item.objects.visible_to(member).filter(author=member).values_list("pk", flat=True))
    history = [
        {
            "item": event["item_id"],
            "action": event["action"],
            "by_you": event["actor_id"] == member.pk,
            "note": event["note"],
            # On someone else's item, which fields the member changed, not their text.
            "changed": event["changes"] if event["item_id"] in own else sorted(event["changes"]),
            "created_at": event["created_at"],
        }
        for event in ItemEvent.objects.filter(Q(item_id__in=own) | Q(actor=member))
        .order_by("created_at", "pk")
        .values("item_id", "action", "actor_id", "note", "changes", "created_at")
    ]
    return {"knowledge_items.json": items, "knowledge_item_history.json": history}


def _knowledge_tags(member: User) -> dict[int, list[str]]:
    from knowledge_factory.models import Item

    tags: dict[int, list[str]] = {}
    for pk, name in (
        Item.objects.visible_to(member)
        .filter(author=member, tags__isnull=False)
        .values_list("pk", "tags__name")
    ):
        tags.setdefault(pk, []).append(name)
    return tags


def _knowledge_factory_erase(member: User) -> None:
    from knowledge_factory.models import Follow, ReaderFeed

    Follow.objects.filter(member=member).delete()
    ReaderFeed.objects.filter(member=member).delete()


ERASERS.append(_knowledge_factory_erase)
