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


def _check_candidate(member: User, country: str) -> None:
    if not member.is_active or member.deleted_at or member.is_suspended:
        raise ValidationError(_("%(member)s cannot take this role.") % {"member": member})
    if not member.is_affiliation_verified:
        raise ValidationError(
            _("%(member)s's affiliation must be verified first.") % {"member": member}
        )
    if member.country != country:
        raise ValidationError(_("%(member)s does not work in this country.") % {"member": member})


def _place(*, country: str, role: str, member: User) -> NationalContact:
    """Put ``member`` in the slot, freeing any other slot they held. Caller holds the locks."""
    NationalContact.objects.filter(member=member).exclude(country=country, role=role).delete()
    NationalContact.objects.filter(country=country, role=role).exclude(member=member).delete()
    contact, _created = NationalContact.objects.get_or_create(
        country=country, role=role, defaults={"member": member, "since": timezone.now()}
    )
    member.groups.add(_group())
    return contact


def _release_groups(members) -> None:
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
    """Name ``member`` contact or deputy of ``country`` (replacing whoever held the slot)."""
    _require_manager(actor)
    if role not in Slot.values:
        raise ValidationError(_("Choose contact or deputy."))
    _check_candidate(member, country)
    slots = _lock_country(country)
    previous = slots.get(role)
    old_slot = NationalContact.objects.filter(member=member).first()
    contact = _place(country=country, role=role, member=member)
    _release_groups([previous.member if previous else None])
    audit_log(
        actor=actor,
        action="national_contact.assign",
        target=member,
        country=country,
        role=role,
        replaced=previous.member_id if previous and previous.member_id != member.pk else None,
    )
    if old_slot and (old_slot.country.code, old_slot.role) != (country, role):
        _alert_if_gaps(old_slot.country.code)
    _alert_if_gaps(country)
    return contact


@transaction.atomic
def national_contact_leave(
    *, actor, member: User, successor: User | None = None, force: bool = False
) -> None:
    """The handover when ``member`` leaves their role. The contact is replaced by the named
    successor, else by the deputy (promoted); with neither, it is refused, so that no country
    is left without a contact — unless ``force`` (the account is being deleted: then the slot
    is emptied and the managers alerted). A deputy is replaced by the successor, if any."""
    if not force:
        _require_manager(actor)
    held = NationalContact.objects.filter(member=member).first()
    if held is None:
        return
    country = held.country.code
    slots = _lock_country(country)
    held = slots[held.role]
    deputy = slots.get(Slot.DEPUTY)
    if successor is not None:
        _check_candidate(successor, country)
        if successor.pk == member.pk:
            raise ValidationError(_("The successor must be someone else."))
    if held.role == Slot.CONTACT and successor is None and deputy is None and not force:
        raise ValidationError(
            _(
                "%(country)s would be left without a national contact: name a successor, "
                "or a deputy first."
            )
            % {"country": held.country.name}
        )
    held.delete()
    if successor is not None:
        _place(country=country, role=held.role, member=successor)
        promoted = None
    elif held.role == Slot.CONTACT and deputy is not None:
        deputy.delete()
        _place(country=country, role=Slot.CONTACT, member=deputy.member)
        promoted = deputy.member
    else:
        promoted = None
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
    _alert_if_gaps(country)


def national_contact_gaps() -> list[dict]:
    """Countries with members or contacts but no contact or no deputy."""
    from django.db.models import Q

    countries_with_members = set(
        User.objects.filter(
            Q(suspended_until__isnull=True) | Q(suspended_until__lte=timezone.now()),
            is_active=True,
            deleted_at__isnull=True,
            affiliation_verified_at__isnull=False,
        )
        .exclude(country="")
        .values_list("country", flat=True)
        .distinct()
    )
    held = {}
    for country, role in NationalContact.objects.values_list("country", "role"):
        held.setdefault(country, set()).add(role)
    gaps = []
    for country in sorted(countries_with_members | set(held)):
        missing = [role for role in Slot.values if role not in held.get(country, set())]
        if missing:
            gaps.append({"country": country, "missing": missing})
    return gaps


def _alert_if_gaps(country: str) -> None:
    held = set(NationalContact.objects.filter(country=country).values_list("role", flat=True))
    missing = [role for role in Slot.values if role not in held]
    if missing:
        from ..tasks import national_contact_alert_task

        transaction.on_commit(lambda: national_contact_alert_task.delay([country]))
