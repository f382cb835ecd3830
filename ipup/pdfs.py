"""PDFs of the holders' approved documents and of the presentation pack (SPEC §3.7).

Only an APPROVED version is ever printed: a newer draft, or a version waiting for review, does
not reach a PDF until a coordinator approves it. A rendered PDF is kept in ``ProjectPdf`` with a
``source_key`` naming everything it shows — the approved versions, and a digest of the project's
cover facts and of the language — so it is served as long as that key is current and rendered
again (by ``project_pdfs_render``, the Celery task's body, or on the first download) once it is
not. PDFs are printed in the site's default language whoever asks, so one cached file serves
every reader; the holders' answers are printed as written.
"""

import hashlib
import re

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ileanet.pdf import render_pdf

from . import documents as schemas
from .models import DocumentKind, DocumentVersion, ProjectDocument, ProjectPdf, ResearchProject

KINDS: tuple[str, ...] = tuple(DocumentKind.values)
PACK = ProjectPdf.Kind.PACK.value
TEMPLATE = "ipup/pdf/document.html"


class PdfUnavailable(LookupError):
    """What was asked for has no approved version to print (a pack: not all three)."""


def approved_versions(project: ResearchProject) -> dict[str, DocumentVersion]:
    """The project's approved version of each document that has one, by kind (one query)."""
    versions = DocumentVersion.objects.filter(
        pk__in=ProjectDocument.objects.filter(
            project=project, approved_version__isnull=False
        ).values("approved_version")
    ).select_related("document")
    return {version.document.kind: version for version in versions}


def _sources(kind: str, versions: dict[str, DocumentVersion]) -> list[DocumentVersion]:
    kinds = KINDS if kind == PACK else (kind,)
    if kind not in (*KINDS, PACK):
        raise PdfUnavailable(kind)
    if any(k not in versions for k in kinds):
        raise PdfUnavailable(kind)
    return [versions[k] for k in kinds]


def _cover_digest(project: ResearchProject) -> str:
    facts = "\x1f".join(
        str(value)
        for value in (
            settings.LANGUAGE_CODE,
            project.acronym,
            project.title,
            project.programme,
            project.call,
            project.start_date,
            project.end_date,
        )
    )
    return hashlib.sha256(facts.encode()).hexdigest()[:10]


def source_key(project: ResearchProject, kind: str, versions: dict[str, DocumentVersion]) -> str:
    """E.g. ``12:v3@<digest>`` for a document, ``12:v3-14:v1-15:v2@<digest>`` for the pack."""
    named = "-".join(f"{v.pk}:v{v.number}" for v in _sources(kind, versions))
    return f"{named}@{_cover_digest(project)}"


def _css_string(text: str) -> str:
    # Inside <style>: no quote, backslash, newline or "<" (which could close the element).
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return '"' + escaped.replace("<", "\\3c ") + '"'


def page_numbers_css() -> str:
    """The CSS ``content`` value for "page X of Y", word order taken from the translation."""
    text = _("page %(page)s of %(pages)s")
    values = []
    for piece in re.split(r"(%\(pages?\)s)", text):
        if piece == "%(page)s":
            values.append("counter(page)")
        elif piece == "%(pages)s":
            values.append("counter(pages)")
        elif piece:
            values.append(_css_string(piece))
    return " ".join(values)


def pdf_render(project: ResearchProject, kind: str, versions: dict[str, DocumentVersion]) -> bytes:
    """Render, without the cache: the bytes of the document (or pack) from approved versions."""
    sources = _sources(kind, versions)
    with translation.override(settings.LANGUAGE_CODE):
        parts = [
            {
                "schema": schemas.schema_for(version.document.kind),
                "version": version,
                "rows": schemas.rows(version.document.kind, version.data),
            }
            for version in sources
        ]
        title = _("Presentation pack") if kind == PACK else str(schemas.schema_for(kind).title)
        context = {
            "project": project,
            "title": title,
            "is_pack": kind == PACK,
            "documents": parts,
            "page_numbers": page_numbers_css(),
            "generated_at": timezone.now(),
        }
        return render_pdf(TEMPLATE, context)


def pdf_filename(project: ResearchProject, kind: str, versions: dict[str, DocumentVersion]) -> str:
    """An ASCII file name safe in a Content-Disposition header."""
    name = slugify(project.acronym)[:40] or f"project-{project.pk}"
    if kind == PACK:
        return f"{name}-presentation-pack.pdf"
    return f"{name}-{kind.replace('_', '-')}-v{versions[kind].number}.pdf"


def _store(project: ResearchProject, kind: str, key: str, content: bytes) -> None:
    with transaction.atomic():
        ProjectPdf.objects.update_or_create(
            project=project,
            kind=kind,
            defaults={"source_key": key, "content": content, "rendered_at": timezone.now()},
        )


def project_pdf(
    project: ResearchProject, kind: str, versions: dict[str, DocumentVersion] | None = None
) -> bytes:
    """The PDF of the approved ``kind`` (a document kind, or "pack"): the kept one when it is
    current, otherwise rendered now and kept. Raises PdfUnavailable when nothing is approved
    (for the pack: unless all three are)."""
    if versions is None:
        versions = approved_versions(project)
    key = source_key(project, kind, versions)
    kept = (
        ProjectPdf.objects.filter(project=project, kind=kind, source_key=key)
        .values_list("content", flat=True)
        .first()
    )
    if kept is not None:
        return bytes(kept)
    content = pdf_render(project, kind, versions)
    _store(project, kind, key, content)
    return content


def project_pdfs_render(project_id: int) -> int:
    """Render every PDF of the project whose source changed (the task's body; idempotent).
    PDFs whose source is gone (no approved version any more) are deleted. Returns how many
    were rendered."""
    project = ResearchProject.objects.filter(pk=project_id).first()
    if project is None:
        return 0
    versions = approved_versions(project)
    kept = dict(ProjectPdf.objects.filter(project=project).values_list("kind", "source_key"))
    rendered = 0
    for kind in (*KINDS, PACK):
        try:
            key = source_key(project, kind, versions)
        except PdfUnavailable:
            if kind in kept:
                ProjectPdf.objects.filter(project=project, kind=kind).delete()
            continue
        if kept.get(kind) == key:
            continue
        _store(project, kind, key, pdf_render(project, kind, versions))
        rendered += 1
    return rendered
