"""Downloads of a project's approved documents and presentation pack as PDF (ipup.pdfs).

A download passes the same rule as the document pages: the reader must see the document(s)
through ``ProjectDocument.objects.visible_to``, and what is printed is the approved version,
which every permitted reader may read. Anyone else gets 404, as for a missing project.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods

from ..models import DocumentKind, ProjectDocument
from ..pdfs import KINDS, PACK, PdfUnavailable, approved_versions, pdf_filename, project_pdf


def _pdf_response(project, kind: str, versions) -> HttpResponse:
    response = HttpResponse(project_pdf(project, kind, versions), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{pdf_filename(project, kind, versions)}"'
    )
    # Documents are not public: no shared cache keeps them, no browser cache either.
    patch_cache_control(response, private=True, no_store=True)
    return response


def _visible_documents(request, pk: int, kinds) -> list[ProjectDocument]:
    return list(
        ProjectDocument.objects.visible_to(request.user)
        .filter(project_id=pk, kind__in=kinds)
        .select_related("project")
    )


@require_http_methods(["GET"])
def document_pdf(request, pk: int, kind: str):
    if kind not in DocumentKind.values:
        raise Http404
    documents = _visible_documents(request, pk, [kind])
    if not documents or documents[0].approved_version_id is None:
        raise Http404
    project = documents[0].project
    return _pdf_response(project, kind, approved_versions(project))


@require_http_methods(["GET"])
def project_pack_pdf(request, pk: int):
    documents = _visible_documents(request, pk, KINDS)
    if not documents:
        raise Http404
    project = documents[0].project
    versions = approved_versions(project)
    readable = {d.kind for d in documents if d.approved_version_id}
    try:
        if readable != set(KINDS):
            raise PdfUnavailable(PACK)
        return _pdf_response(project, PACK, versions)
    except PdfUnavailable:
        # The reader sees some of the documents, so saying why is no leak.
        return render(
            request,
            "ipup/pdf/pack_unavailable.html",
            {
                "project": project,
                "approved": [DocumentKind(k).label for k in KINDS if k in readable],
            },
            status=404,
        )
