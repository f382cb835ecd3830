"""How members appear on pages: avatars (initials in a coloured circle; there is no photo upload,
a picture of a police officer is not something the network should hold) and @mentions linked to
the member's page."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ..services.forum import MENTION_RE

register = template.Library()

# As many colours as .avatar-N classes in static/css/ileanet.css, each dark enough for white
# initials (contrast ≥ 4.5:1).
AVATAR_COLOURS = 8
# A tag of sanitised HTML (nh3 leaves no ">" inside attribute values unescaped).
_TAG = re.compile(r"(<[^>]*>)")
_TAG_NAME = re.compile(r"<(/?)([a-zA-Z0-9]+)")
# Text inside these is left alone: a link already, or code that quotes an "@".
_NO_LINKS_INSIDE = {"a", "code", "pre"}


def initials(member) -> str:
    first = (member.first_name or "").strip()
    last = (member.last_name or "").strip()
    if first or last:
        return f"{first[:1]}{last[:1]}".upper()
    return (getattr(member, "handle", "") or "?")[:2].upper()


@register.inclusion_tag("community/includes/avatar.html")
def avatar(member, size: str = ""):
    """``size``: "" (text height) or "large" (a profile page)."""
    return {"initials": initials(member), "colour": (member.pk or 0) % AVATAR_COLOURS, "size": size}


@register.filter(is_safe=True)
def link_mentions(html: str, urls: dict | None) -> SafeString:
    """Link each @handle of sanitised post HTML to the member's page, for the handles in
    ``urls`` only (community.selectors.forum.mention_urls_for: the members the reader may see);
    any other mention stays plain text."""
    if not urls:
        return mark_safe(html)  # noqa: S308 - sanitised by nh3 when the post was written

    def link(match):
        handle = match.group(1).rstrip(".")
        url = urls.get(handle.lower())
        if url is None:
            return match.group(0)
        rest = match.group(1)[len(handle) :]
        return f'<a href="{escape(url)}" class="mention">@{handle}</a>{rest}'

    parts, depth = [], 0
    for part in _TAG.split(html):
        tag = _TAG_NAME.match(part) if part.startswith("<") else None
        if tag and tag.group(2).lower() in _NO_LINKS_INSIDE and not part.endswith("/>"):
            depth += -1 if tag.group(1) else 1
        elif not part.startswith("<") and depth == 0:
            part = MENTION_RE.sub(link, part)
        parts.append(part)
    return mark_safe("".join(parts))  # noqa: S308 - only our own links added to sanitised HTML
