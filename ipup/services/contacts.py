"""Living contacts (SPEC §3.5): a research project's points of contact confirm, from time to
time, that their details still hold — long after the project ended, when they rot.

A round (weekly, ``ipup.tasks.contacts_round_task``) asks every contact not verified for
``CONTACT_VERIFY_AFTER_DAYS`` days. It first writes one ``ContactCheck`` row per contact and
round (unique), then sends the pending rows through ``community.outbox.deliveries_send``: each
row is locked, its token made and stored hashed, the e-mail sent and the row marked ``sent`` in
one transaction. A retried, restarted or concurrent round therefore e-mails nobody twice. The
token exists only in the e-mail; it works once, until ``expires_at``, for anyone who has it (the
contact has no account): a tampered or guessed token matches no hash.

A project is *stale* (``contacts_stale_since``) from the round that finds one of its contacts
past the age until no contact of it is past the age any more.
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from community.audit import audit_log
from community.emails import email_send
from community.models import DeliveryStatus, hash_token, new_token
from community.outbox import deliveries_send

from ..models import ContactCheck, ProjectContact, ResearchProject
from ..permissions import can_manage_projects

# What a contact may correct through their link (ipup.forms.contacts.ContactUpdateForm).
CONTACT_FIELDS = ("name", "email", "phone", "function")


def verification_cutoff(*, now=None):
    """Details verified before this are stale."""
    return (now or timezone.now()) - timedelta(days=settings.CONTACT_VERIFY_AFTER_DAYS)


def stale_contacts(*, now=None):
    """Contacts never verified, or last verified longer ago than the configured age."""
    cutoff = verification_cutoff(now=now)
    return ProjectContact.objects.filter(Q(verified_at__isnull=True) | Q(verified_at__lt=cutoff))


def contacts_due(*, today: date, now=None):
    """Stale contacts to ask in the round of ``today``: those not asked since their last link
    would have expired. A contact who leaves a link unanswered is asked again once it has
    expired, not every week; an address the server refused is tried again after as long."""
    asked_since = today - timedelta(days=settings.CONTACT_TOKEN_VALID_DAYS)
    return stale_contacts(now=now).exclude(checks__round__gt=asked_since)


def project_stale_flag_clear(*, project: ResearchProject, now=None) -> None:
    """The project is no longer stale once none of its contacts is (whoever verified them)."""
    if not stale_contacts(now=now).filter(project=project).exists():
        ResearchProject.objects.filter(pk=project.pk).update(contacts_stale_since=None)


def _projects_mark_stale(*, now) -> int:
    return ResearchProject.objects.filter(
        contacts_stale_since__isnull=True, contacts__in=stale_contacts(now=now)
    ).update(contacts_stale_since=now)


def contacts_round_start(*, today: date) -> dict:
    """Write this round's checks, flag the projects with a stale contact, and send every check
    not sent yet (this round's, and any a crashed round or a reminder left pending). Safe to
    run again: the unique (contact, round) row and the outbox make a retry a no-op."""
    now = timezone.now()
    batch = []
    for contact_id in contacts_due(today=today, now=now).values_list("pk", flat=True).iterator():
        batch.append(ContactCheck(contact_id=contact_id, round=today))
        if len(batch) >= 1000:
            ContactCheck.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    ContactCheck.objects.bulk_create(batch, ignore_conflicts=True)
    counts = {"stale_projects": _projects_mark_stale(now=now)}
    return counts | contact_checks_send()


def confirm_url(token: str) -> str:
    return settings.SITE_URL + reverse("ipup:contact-confirm", args=[token])


def _check_send(check: ContactCheck, connection) -> bool:
    """Runs inside the outbox's transaction, the row locked: the token's hash and expiry are
    committed with the e-mail, or rolled back with it when the server is down."""
    token = new_token()
    check.token_hash = hash_token(token)
    check.expires_at = timezone.now() + timedelta(days=settings.CONTACT_TOKEN_VALID_DAYS)
    check.save(update_fields=["token_hash", "expires_at"])
    email_send(
        to=check.contact.email,
        template="ipup/email/contact_check",
        context={
            "contact": check.contact,
            "project": check.contact.project,
            "link": confirm_url(token),
            "expires_at": check.expires_at,
        },
        connection=connection,
    )
    return True


def contact_checks_send() -> dict:
    """Send every pending check whose contact has not answered meanwhile."""
    pending = ContactCheck.objects.filter(answered_at__isnull=True).select_related(
        "contact__project"
    )
    return deliveries_send(pending, _check_send)


@transaction.atomic
def contact_check_remind(*, actor, contact: ProjectContact, today: date) -> ContactCheck:
    """A coordinator asks one stale contact again now, with a new link (the earlier ones keep
    working until they expire; answering any closes them all). Once a day at most: the
    contact's row is locked, so a double click sends one e-mail."""
    if not can_manage_projects(actor):
        raise PermissionDenied
    contact = ProjectContact.objects.select_for_update().get(pk=contact.pk)
    if not stale_contacts().filter(pk=contact.pk).exists():
        raise ValidationError(_("This contact confirmed their details recently."))
    check, created = ContactCheck.objects.get_or_create(contact=contact, round=today)
    if not created:
        if check.status == DeliveryStatus.SENT:
            raise ValidationError(_("This contact was already e-mailed today."))
        # Refused earlier today (the address may have been corrected since): try again.
        check.status, check.error = DeliveryStatus.PENDING, ""
        check.save(update_fields=["status", "error"])
    ResearchProject.objects.filter(pk=contact.project_id, contacts_stale_since__isnull=True).update(
        contacts_stale_since=timezone.now()
    )
    audit_log(
        actor=actor,
        action="project.contact_remind",
        target=contact.project,
        project=contact.project_id,
        contact=contact.pk,
    )
    from ..tasks import contact_checks_send_task

    transaction.on_commit(contact_checks_send_task.delay)
    return check


def _usable(check: ContactCheck | None) -> ContactCheck:
    """Raise a ValidationError telling the visitor, without naming anything, why the link
    fails (code ``invalid``, ``used`` or ``expired``)."""
    if check is None:
        raise ValidationError(_("This link is not valid."), code="invalid")
    if check.answered_at is not None:
        raise ValidationError(
            _("This link has already been used: the details were confirmed. Thank you."),
            code="used",
        )
    if check.expires_at is None or check.expires_at <= timezone.now():
        raise ValidationError(
            _("This link has expired. You will receive a new one with the next verification."),
            code="expired",
        )
    return check


def _by_token(token: str):
    return ContactCheck.objects.select_related("contact__project").filter(
        token_hash=hash_token(token or "")
    )


def contact_check_for_token(token: str) -> ContactCheck:
    """The check an e-mailed link belongs to, if it may still be answered."""
    return _usable(_by_token(token).first())


@transaction.atomic
def contact_confirm(*, token: str, still_valid: bool, changes: dict | None = None):
    """Answer a check: the details still hold (``still_valid``), or ``changes`` (validated by
    ContactUpdateForm) correct them. Either way the contact is verified now, every link they
    hold stops working, and the project is no longer stale once none of its contacts is."""
    check = _usable(_by_token(token).select_for_update(of=("self",)).first())
    contact = check.contact
    changed = []
    if not still_valid:
        for field in CONTACT_FIELDS:
            if field in (changes or {}) and getattr(contact, field) != changes[field]:
                setattr(contact, field, changes[field])
                changed.append(field)
        contact.full_clean()
    now = timezone.now()
    contact.verified_at = now
    contact.save(update_fields=[*changed, "verified_at"])
    ContactCheck.objects.filter(contact=contact, answered_at__isnull=True).update(answered_at=now)
    project = contact.project
    project_stale_flag_clear(project=project, now=now)
    # The audit entry names the fields corrected, not their values (personal data).
    audit_log(
        actor=None,
        action="project.contact_update" if changed else "project.contact_confirm",
        target=project,
        project=project.pk,
        contact=contact.pk,
        fields=changed,
    )
    return contact


def stale_projects():
    """The coordinators' list: stale projects, longest stale first, each with its contacts and
    the state of each contact's latest check (a fixed number of queries per page)."""
    latest = ContactCheck.objects.filter(contact=OuterRef("pk")).order_by("-round", "-pk")
    contacts = ProjectContact.objects.annotate(
        check_status=Subquery(latest.values("status")[:1]),
        check_sent_at=Subquery(latest.values("sent_at")[:1]),
        check_expires_at=Subquery(latest.values("expires_at")[:1]),
        check_answered_at=Subquery(latest.values("answered_at")[:1]),
    ).order_by("name", "pk")
    return (
        ResearchProject.objects.filter(contacts_stale_since__isnull=False)
        .order_by("contacts_stale_since", "pk")
        .prefetch_related(Prefetch("contacts", queryset=contacts))
    )
