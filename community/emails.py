"""Templated e-mails: a subject and a plain-text body per message, in the recipient's language."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation


def email_send(
    *,
    to: str,
    template: str,
    context: dict,
    language: str | None = None,
    connection=None,
    reply_to: list[str] | None = None,
) -> None:
    """Render ``<template>_subject.txt`` and ``<template>_body.txt`` and send them (through
    ``connection`` when given: a batch shares one connection to the mail server)."""
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}_body.txt", context)
    EmailMessage(
        subject=" ".join(subject.splitlines()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        reply_to=reply_to,
        connection=connection,
    ).send()
