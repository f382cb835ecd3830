"""National contact points (SPEC §2.7): one contact and one deputy per country, and the
handover when one of them leaves, so that a country is never left without a contact."""

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..audit import audit_log
from ..models import NationalContact, User
from ..roles import Role, is_community_manager

Slot = NationalContact.Role


def _require_manager(actor) -> None:
    if not is_community_manager(actor):
        raise PermissionDenied


def _group():
    return Group.objects.get(name=Role.NATIONAL_CONTACT.value)


def national_contact_check(*, country: str, role: str, member: User) -> None:
    """Raise ValidationError unless ``member`` may hold ``role`` for ``country``: an active,
    verified member in good standing who works in that country. (The admin form asks it too.)"""
    if role not in Slot.values:
        raise ValidationError(_("Choose contact or deputy."))
    if not member.is_active or member.deleted_at or member.is_suspended:
        raise ValidationError(_("%(member)s cannot take this role.") % {"member": member})
    if not member.is_affiliation_verified:
        raise ValidationError(
            _("%(member)s's affiliation must be verified first.") % {"member": member}
        )
    if member.country != country:
        raise ValidationError(_("%(member)s does not work in this country.") % {"member": member})


def _place(*, country: str, role: str, member: User) -> set[str]:
    """Put ``member`` in the slot, freeing any other slot they held and the slot's holder.
    Returns the other countries whose slot was freed (to check for gaps). Caller holds the
    locks of ``country``."""
    elsewhere = set(
        NationalContact.objects.filter(member=member)
        .exclude(country=country)
        .values_list("country", flat=True)
    )
    NationalContact.objects.filter(member=member).exclude(country=country, role=role).delete()
    NationalContact.objects.filter(country=country, role=role).exclude(member=member).delete()
    NationalContact.objects.get_or_create(
        country=country, role=role, defaults={"member": member, "since": timezone.now()}
    )
    member.groups.add(_group())
    return elsewhere


def _release_groups(members) -> None:
    """Take the national-contact group from those of ``members`` who hold no slot any more
    (it gives them no access by itself; it is how managers and the admin see who they are)."""
    group = _group()
    for member in members:
        if member is not None and not NationalContact.objects.filter(member=member).exists():
            member.groups.remove(group)


def _lock_country(country: str) -> dict:
    rows = (
        NationalContact.objects.select_for_update().select_related("member").filter(country=country)
    )
    return {row.role: row for row in rows}


@transaction.atomic
def national_contact_assign(*, actor, country: str, role: str, member: User) -> NationalContact:
    """Name ``member`` contact or deputy of ``country``, replacing whoever held the slot; a
    member holds one slot at most, so naming them elsewhere releases their old one."""
    _require_manager(actor)
    national_contact_check(country=country, role=role, member=member)
    slots = _lock_country(country)
    previous = slots.get(role)
    freed = _place(country=country, role=role, member=member)
    _release_groups([previous.member if previous else None])
    audit_log(
        actor=actor,
        action="national_contact.assign",
        target=member,
        country=country,
        role=role,
        replaced=previous.member_id if previous and previous.member_id != member.pk else None,
    )
    _alert_if_gaps({country} | freed)
    return NationalContact.objects.get(country=country, role=role)


@transaction.atomic
def national_contact_leave(
    *, actor, member: User, successor: User | None = None, force: bool = False
) -> None:
    """The handover when ``member`` leaves their role. The contact is replaced by the named
    successor, else by the deputy (promoted); with neither, it is refused, so that no country
    is left without a contact — unless ``force`` (the member is leaving the network: account
    deleted, removed or suspended; then the slot is emptied and the managers alerted). A
    deputy is replaced by the successor, if any."""
    if not force:
        _require_manager(actor)
    held = NationalContact.objects.filter(member=member).first()
    if held is None:
        return
    country = held.country.code
    slots = _lock_country(country)
    held = slots.get(held.role)
    if held is None or held.member_id != member.pk:  # changed hands while we waited
        return
    deputy = slots.get(Slot.DEPUTY)
    if successor is not None:
        if successor.pk == member.pk:
            raise ValidationError(_("The successor must be someone else."))
        national_contact_check(country=country, role=held.role, member=successor)
    if held.role == Slot.CONTACT and successor is None and deputy is None and not force:
        raise ValidationError(
            _(
                "%(country)s would be left without a national contact: name a successor, "
                "or a deputy first."
            )
            % {"country": held.country.name}
        )
    held.delete()
    promoted, freed = None, set()
    if successor is not None:
        freed = _place(country=country, role=held.role, member=successor)
    elif held.role == Slot.CONTACT and deputy is not None:
        deputy.delete()
        _place(country=country, role=Slot.CONTACT, member=deputy.member)
        promoted = deputy.member
    _release_groups([member])
    audit_log(
        actor=actor,
        action="national_contact.leave",
        target=member,
        country=country,
        role=held.role,
        successor=successor.pk if successor else None,
        promoted_deputy=promoted.pk if promoted else None,
        forced=force,
    )
    _alert_if_gaps({country} | freed)


def _alert_if_gaps(countries: set[str]) -> None:
    """After a change, alert the managers about those of ``countries`` now lacking someone."""
    held = {}
    for country, role in NationalContact.objects.filter(country__in=countries).values_list(
        "country", "role"
    ):
        held.setdefault(country, set()).add(role)
    lacking = sorted(c for c in countries if held.get(c, set()) != set(Slot.values))
    if lacking:
        from ..tasks import national_contact_alert_task

        transaction.on_commit(lambda: national_contact_alert_task.delay(lacking))
