"""The managed list of organisations (SPEC §2.1).

An organisation is a unit of the survey weighting: ipup.ranking averages each organisation's
answers before combining them, so that ten answers from one department do not outweigh the
rest. A list that members could grow from free text would let anyone count as several
organisations; only community managers add, rename and merge them, each step audited.
Members choose from the list or name an organisation that is not listed (kept as text on
their application or account until a manager decides).
"""

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..audit import audit_log
from ..models import Organisation, User
from ..roles import is_community_manager

EDITABLE_FIELDS = ("name", "country", "type", "website")


def _require_manager(actor: User) -> None:
    if not is_community_manager(actor):
        raise PermissionDenied


@transaction.atomic
def organisation_create(
    *, actor: User, name: str, country: str, type: str, website: str = ""
) -> Organisation:
    _require_manager(actor)
    organisation = Organisation(name=name.strip(), country=country, type=type, website=website)
    organisation.full_clean()
    organisation.save()
    audit_log(actor=actor, action="organisation.create", target=organisation)
    return organisation


def organisation_chosen(*, actor: User, organisation: Organisation | None) -> Organisation | None:
    """The organisation a community manager chose on a decision form: a listed one as it is,
    or a new one (unsaved, from ``OrganisationDecisionForm``) that is created now."""
    if organisation is None or organisation.pk is not None:
        return organisation
    return organisation_create(
        actor=actor,
        name=organisation.name,
        country=organisation.country.code,
        type=organisation.type,
    )


@transaction.atomic
def organisation_update(*, actor: User, organisation: Organisation, **fields) -> Organisation:
    _require_manager(actor)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    changed = {}
    for name in EDITABLE_FIELDS:
        if name not in fields:
            continue
        value = fields[name].strip() if name == "name" else fields[name]
        before = getattr(organisation, name)
        setattr(organisation, name, value)
        if str(getattr(organisation, name)) != str(before):
            changed[name] = [str(before), str(getattr(organisation, name))]
    if not changed:
        return organisation
    organisation.full_clean()
    organisation.save(update_fields=list(changed))
    audit_log(actor=actor, action="organisation.update", target=organisation, changed=changed)
    return organisation


def _references_to_organisations():
    """Every foreign key to Organisation in every app (members, pending changes, invitations,
    applications, survey responses, and whatever points at organisations next)."""
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.many_to_one and field.concrete and field.related_model is Organisation:
                yield model, field.name


@transaction.atomic
def organisation_merge(*, actor: User, source: Organisation, target: Organisation) -> Organisation:
    """Merge ``source`` into ``target``: everything that pointed at ``source`` points at
    ``target``, and ``source`` is deleted. Used when one organisation was listed twice."""
    _require_manager(actor)
    if source.pk == target.pk:
        raise ValidationError(_("Choose another organisation to merge into."))
    locked = Organisation.objects.select_for_update().filter(pk__in=[source.pk, target.pk])
    found = {organisation.pk: organisation for organisation in locked.order_by("pk")}
    if len(found) != 2:
        raise ValidationError(_("One of the two organisations no longer exists."))
    source, target = found[source.pk], found[target.pk]
    moved = {}
    for model, field in _references_to_organisations():
        count = model._base_manager.filter(**{field: source}).update(**{field: target})
        if count:
            moved[f"{model._meta.label_lower}.{field}"] = count
    # A survey response also names its organisation in the key the ranking groups by: answers
    # of the two former organisations are one organisation's answers from now on.
    response = apps.get_model("ipup", "Response")
    response.objects.filter(organisation_key=f"org:{source.pk}").update(
        organisation_key=f"org:{target.pk}"
    )
    # A member who had asked to move from one to the other now asks for what they have.
    asked_for_own = list(
        User.objects.filter(organisation=target, pending_organisation=target).values_list(
            "pk", flat=True
        )
    )
    User.objects.filter(pk__in=asked_for_own).update(pending_organisation=None)
    User.objects.filter(
        pk__in=asked_for_own, pending_role_level="", unlisted_organisation=""
    ).update(pending_change_requested_at=None)
    audit_log(
        actor=actor,
        action="organisation.merge",
        target=target,
        merged=str(source),
        merged_id=source.pk,
        moved=moved,
    )
    source.delete()
    return target
