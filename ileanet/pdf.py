"""HTML to PDF: the only module that imports WeasyPrint.

WeasyPrint fetches every resource a document names (stylesheets, images, fonts), by default
over the network. Our PDFs carry members' words (need titles, project texts), so a URL someone
slipped into them would make the server request it: internal services, the cloud metadata
address (SSRF), or a tracker learning who prints what. Rendering must also work offline. So the
fetcher here never touches the network: it serves ``data:`` URIs and the project's own static
files (read from disk, under STATIC_URL's path whatever the host), and refuses everything else.

PDFs are not subject to the Content-Security-Policy, so a PDF template may use a ``<style>``
element; shared print rules are in ``static/css/pdf.css``.
"""

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Relative URLs in a PDF template ("/static/css/pdf.css") are resolved against this; the
# ``.invalid`` top-level domain never resolves, and the fetcher reads the path from disk anyway.
BASE_URL = "https://ileanet.invalid/"


def static_file(url: str) -> Path | None:
    """The static file ``url`` points to, or None when it is not one of ours."""
    parts = urlsplit(url)
    prefix = urlsplit(settings.STATIC_URL).path
    if parts.scheme not in ("http", "https") or not parts.path.startswith(prefix):
        return None
    relative = unquote(parts.path[len(prefix) :])
    if not relative or "\x00" in relative:
        return None
    # The collected files first: in production their names carry the content hash.
    root = Path(settings.STATIC_ROOT).resolve()
    candidate = (root / relative).resolve()
    if candidate.is_relative_to(root) and candidate.is_file():
        return candidate
    try:
        found = finders.find(relative)
    except SuspiciousFileOperation:
        return None
    return Path(found) if found and Path(found).is_file() else None


class StaticFilesFetcher(URLFetcher):
    """Serves ``data:`` URIs and the project's static files; refuses any other URL."""

    def __init__(self):
        super().__init__(allowed_protocols={"data"}, allow_redirects=False)

    def fetch(self, url, headers=None):
        if url[:5].lower() == "data:":
            return super().fetch(url, headers)
        path = static_file(url)
        if path is None:
            raise ValueError(f"PDF resources come from the static files only, not {url[:200]}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    return HTML(
        string=html, base_url=base_url or BASE_URL, url_fetcher=StaticFilesFetcher()
    ).write_pdf()


def render_pdf(template_name: str, context: dict, *, request=None) -> bytes:
    """Render a Django template (with the request's context processors when given) to PDF."""
    return html_to_pdf(render_to_string(template_name, context, request=request))
