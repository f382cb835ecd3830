"""Bench data and job for the project PDFs (issue 13): one project with its three documents
approved, answers at realistic length, and the timed rendering of its presentation pack.

Idempotent: the project is found by its source id. Written with the models, not the services:
the bench measures rendering, and the review workflow's notifications are not wanted here.
"""

from django.db import transaction

SOURCE_ID = "bench-presentation-pack"
PARAGRAPH = (
    "Border guards at the land crossing tested the prototype for six weeks on live traffic; "
    "the analysts reviewed every alert and compared it with the manual checks of the shift. "
)


def _answers(kind: str) -> dict:
    from ipup import documents as schemas

    data = {}
    for f in schemas.schema_for(kind).fields:
        if f.kind == "text":
            text = "\n\n".join([PARAGRAPH * 3] * 4)
            data[f.key] = text[: f.max_length - 1]
        elif f.kind == "line":
            data[f.key] = f"{f.key.replace('_', ' ').capitalize()} of the bench project"
        elif f.kind == "trl":
            data[f.key] = 6
        elif f.kind == "date":
            data[f.key] = "2023-09-01" if f.key == "start_date" else "2026-08-31"
        elif f.kind == "email":
            data[f.key] = "coordinator@bench-project.example.eu"
        elif f.kind == "multichoice":
            data[f.key] = [str(key) for key, _label in f.choices[:2]]
        else:
            data[f.key] = str(f.choices[0][0])
    return schemas.validate(kind, data, submit=True)


@transaction.atomic
def ensure_pack_dataset() -> None:
    import datetime

    from django.utils import timezone

    from community.models import User
    from ipup.models import DocumentKind, DocumentVersion, ProjectDocument, ResearchProject

    project, _created = ResearchProject.objects.get_or_create(
        source=ResearchProject.Source.MANUAL,
        source_id=SOURCE_ID,
        defaults={
            "acronym": "BENCHPACK",
            "title": "Detecting forged travel documents at land borders (bench)",
            "programme": "Horizon Europe",
            "call": "HORIZON-CL3-2021-BM-01",
            "start_date": datetime.date(2023, 9, 1),
            "end_date": datetime.date(2026, 8, 31),
        },
    )
    reviewer = User.objects.order_by("pk").first()
    for kind in DocumentKind.values:
        document, _created = ProjectDocument.objects.get_or_create(project=project, kind=kind)
        if document.approved_version_id:
            continue
        version = DocumentVersion.objects.create(
            document=document, number=1, data=_answers(kind), submitted_by=reviewer,
            decision=DocumentVersion.Decision.APPROVED, decided_by=reviewer,
            decided_at=timezone.now(),
        )  # fmt: skip
        document.state = ProjectDocument.State.APPROVED
        document.latest_version = document.approved_version = version
        document.draft = version.data
        document.save()


def pack_job(member) -> None:
    """Render the bench project's presentation pack (not the cached copy)."""
    from ipup.models import ResearchProject
    from ipup.pdfs import PACK, approved_versions, pdf_render

    project = ResearchProject.objects.get(source_id=SOURCE_ID)
    pdf_render(project, PACK, approved_versions(project))
