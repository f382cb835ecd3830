"""Welcoming new members and introducing members to each other (SPEC §2.7)."""

from string import Template

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..audit import audit_log
from ..models import MemberIntroduction, MessageTemplate, User
from ..roles import is_community_manager


def welcome_schedule(*, member: User) -> None:
    """Queue the welcome e-mail for a member who has just joined (sent once, after commit)."""
    from ..tasks import welcome_send_task

    transaction.on_commit(lambda: welcome_send_task.delay(member.pk))


def message_render(*, key: str, member: User) -> tuple[str, str] | None:
    """The subject and text of the editable message ``key`` for ``member``; unknown ``$names``
    stay as typed, so a typo in the admin shows instead of failing the send."""
    template = MessageTemplate.objects.filter(key=key).first()
    if template is None:
        return None
    values = {
        "first_name": member.first_name or member.email,
        "last_name": member.last_name,
        "site_url": settings.SITE_URL,
        "profile_url": settings.SITE_URL + reverse("community:profile-edit"),
        "rooms_url": settings.SITE_URL + reverse("community:room-list"),
    }
    subject = Template(template.subject).safe_substitute(values)
    return " ".join(subject.splitlines()), Template(template.body).safe_substitute(values)


def welcome_send(*, member_id: int) -> bool:
    """E-mail the welcome message. The member's row is locked and ``welcome_sent_at``
    committed with the send: a retried task sends nothing twice."""
    from django.core.mail import EmailMessage

    with transaction.atomic():
        member = (
            User.objects.select_for_update()
            .filter(pk=member_id, welcome_sent_at__isnull=True, is_active=True)
            .first()
        )
        if member is None or member.deleted_at:
            return False
        message = message_render(key=MessageTemplate.Key.WELCOME, member=member)
        if message is None:
            return False
        member.welcome_sent_at = timezone.now()
        member.save(update_fields=["welcome_sent_at"])
        subject, body = message
        EmailMessage(
            subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[member.email]
        ).send()
    return True


# --- Introductions ---------------------------------------------------------------------------


@transaction.atomic
def members_connect(
    *, actor: User, member_a: User, member_b: User, note: str
) -> MemberIntroduction:
    """A community manager introduces two members: each receives an e-mail presenting the
    other, with the manager's note, and can answer the other directly."""
    from ..tasks import introduction_email_task

    if not is_community_manager(actor):
        raise PermissionDenied
    for member in (member_a, member_b):
        if not member.is_active or member.deleted_at or member.is_suspended:
            raise ValidationError(
                _("%(member)s cannot be introduced at the moment.") % {"member": member}
            )
    introduction = MemberIntroduction(
        introduced_by=actor, member_a=member_a, member_b=member_b, note=note.strip()
    )
    introduction.full_clean()
    introduction.save()
    audit_log(
        actor=actor,
        action="member.introduce",
        target=introduction,
        member_a=member_a.pk,
        member_b=member_b.pk,
    )
    transaction.on_commit(lambda: introduction_email_task.delay(introduction.pk))
    return introduction


def introduction_email_send(*, introduction_id: int) -> int:
    """Send the two e-mails of an introduction, each at most once (a flag per member is
    committed with its e-mail). Returns how many were sent now."""
    from ..emails import email_send

    sent = 0
    for side, other in (("a", "b"), ("b", "a")):
        with transaction.atomic():
            introduction = (
                MemberIntroduction.objects.select_for_update(of=("self",))
                .select_related(
                    "introduced_by",
                    "member_a__organisation",
                    "member_b__organisation",
                )
                .filter(pk=introduction_id, **{f"emailed_{side}_at__isnull": True})
                .first()
            )
            if introduction is None:
                continue
            recipient = getattr(introduction, f"member_{side}")
            introduced = getattr(introduction, f"member_{other}")
            setattr(introduction, f"emailed_{side}_at", timezone.now())
            introduction.save(update_fields=[f"emailed_{side}_at"])
            email_send(
                to=recipient.email,
                template="community/email/introduction",
                context={
                    "recipient": recipient,
                    "introduced": introduced,
                    "manager": introduction.introduced_by,
                    "note": introduction.note,
                },
                reply_to=[introduced.email],
            )
            sent += 1
    return sent
