"""Templated e-mails: a subject and a plain-text body per message, in the recipient's language.

Notification e-mails, digests and news carry an unsubscribe link and the ``List-Unsubscribe``
headers (RFC 2369, and RFC 8058's one-click POST): the link holds a token signed with the
secret key that names one member, so it works without signing in and nobody can make one for
somebody else.
"""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

# A salt of its own: no other value the platform signs passes for an unsubscribe token.
UNSUBSCRIBE_SALT = "community.emails.unsubscribe"
# The template engine of plain-text e-mails (settings.TEMPLATES): no HTML escaping.
TEXT = "text"


def unsubscribe_url(member) -> str:
    token = signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(member.pk))
    return settings.SITE_URL + reverse("community:email-unsubscribe", args=[token])


def unsubscribe_member_id(token: str) -> int | None:
    """The member an unsubscribe token was made for; None for anything not signed by us."""
    try:
        value = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() else None


def email_send(
    *,
    to: str,
    template: str,
    context: dict,
    language: str | None = None,
    connection=None,
    reply_to: list[str] | None = None,
    unsubscribe=None,
) -> None:
    """Render ``<template>_subject.txt`` and ``<template>_body.txt`` and send them (through
    ``connection`` when given: a batch shares one connection to the mail server).
    ``unsubscribe``: the member whose notification e-mails the message's unsubscribe link and
    headers turn off (the template shows ``unsubscribe_url``)."""
    context = {"site_url": settings.SITE_URL, **context}
    headers = {}
    if unsubscribe is not None:
        context["unsubscribe_url"] = unsubscribe_url(unsubscribe)
        headers = {
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"{template}_subject.txt", context, using=TEXT).strip()
        body = render_to_string(f"{template}_body.txt", context, using=TEXT)
    EmailMessage(
        subject=" ".join(subject.splitlines()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        reply_to=reply_to,
        headers=headers,
        connection=connection,
    ).send()
