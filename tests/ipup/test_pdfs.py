"""PDFs of the approved documents and the presentation pack (issue 13, acceptance 1 and 2): every
heading and the holder's answers are in the text; only the approved version is printed, and the
kept PDF follows the approvals; downloads pass the same rule as the document pages."""

import io
from datetime import timedelta

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from community.models import AffiliationType
from community.roles import Role
from ipup import documents as schemas
from ipup.models import DocumentKind, ProjectPdf
from ipup.pdfs import project_pdfs_render
from ipup.services.documents import (
    document_draft_save,
    document_for,
    document_review,
    document_submit,
)
from tests.ipup.factories import ResearchProjectFactory

pytestmark = pytest.mark.django_db


def answers(kind: str, word: str = "alpha") -> dict:
    """A complete, valid set of answers, each text naming its question and ``word``."""
    data = {}
    for f in schemas.schema_for(kind).fields:
        if f.kind == "text":
            data[f.key] = f"Answer {f.key} {word}\nsecond line {word}"
        elif f.kind == "line":
            data[f.key] = f"Line {f.key} {word}"
        elif f.kind == "trl":
            data[f.key] = 6
        elif f.kind == "date":
            data[f.key] = "2024-01-01" if f.key == "start_date" else "2026-12-31"
        elif f.kind == "email":
            data[f.key] = "contact@project.example.eu"
        else:
            first = str(f.choices[0][0])
            data[f.key] = [first] if f.kind == "multichoice" else first
    return data


def approve(document, holder, coordinator, word: str):
    document_draft_save(actor=holder, document=document, data=answers(document.kind, word))
    document_submit(actor=holder, document=document)
    document.refresh_from_db()
    return document_review(actor=coordinator, document=document, decision="approved")


def text_of(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def squash(text) -> str:
    return " ".join(str(text).split())


@pytest.fixture
def coordinator(make_member):
    return make_member(
        AffiliationType.OTHER, roles=[Role.IPUP_COORDINATOR], email="coordinator@example.org"
    )


@pytest.fixture
def holder(make_member):
    return make_member(AffiliationType.RESEARCH, email="holder@example.org")


@pytest.fixture
def project(holder):
    project = ResearchProjectFactory(acronym="PDFTEST", title="Printing the approved versions")
    assign_perm("ipup.hold_project", holder, project)
    return project


@pytest.fixture
def approved_project(project, holder, coordinator):
    """The three documents approved (the rendering task not run: on-commit callbacks of a test
    transaction are not executed unless captured)."""
    for kind in DocumentKind.values:
        approve(document_for(project, kind), holder, coordinator, "alpha")
    return project


def download(client, project, kind):
    if kind == "pack":
        return client.get(reverse("ipup:project-pack-pdf", args=[project.pk]))
    return client.get(reverse("ipup:document-pdf", args=[project.pk, kind]))


@pytest.mark.parametrize("kind", [*DocumentKind.values, "pack"])
def test_each_pdf_holds_every_heading_label_and_answer(kind, approved_project, client_for,
                                                       lea_member):  # fmt: skip
    # when
    response = download(client_for(lea_member), approved_project, kind)
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="pdftest-')
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    text = text_of(b"".join(response.streaming_content) if response.streaming else response.content)
    kinds = DocumentKind.values if kind == "pack" else [kind]
    assert "PDFTEST" in text
    assert squash(approved_project.title) in text
    for each in kinds:
        schema = schemas.schema_for(each)
        assert squash(schema.title) in text
        for part in schema.parts:
            assert squash(part.title) in text
            for f in part.fields:
                assert squash(f.label) in text
                if f.kind == "text":
                    assert f"Answer {f.key} alpha second line alpha" in text
                elif f.kind == "line":
                    assert f"Line {f.key} alpha" in text
    # page numbers and the identity on every page but the cover
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    pages = len(reader.pages)
    assert pages >= 2
    for number, page in enumerate(reader.pages[1:], start=2):
        page_text = squash(page.extract_text())
        assert f"page {number} of {pages}" in page_text
        assert "PDFTEST —" in page_text


def test_the_approved_version_is_printed_until_a_newer_one_is_approved(
    approved_project, holder, coordinator, client_for, lea_member,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    # given: TELOS v1 approved, printed by the task
    assert project_pdfs_render(approved_project.pk) == 4
    telos = document_for(approved_project, DocumentKind.TELOS)
    kept = ProjectPdf.objects.get(project=approved_project, kind=DocumentKind.TELOS)
    assert kept.source_key.startswith(f"{telos.approved_version_id}:v1@")
    client = client_for(lea_member)
    # when: the holder writes v2 and submits it
    document_draft_save(actor=holder, document=telos, data=answers(telos.kind, "bravo"))
    document_submit(actor=holder, document=telos)
    # then: the PDFs still show v1's words
    for kind in (DocumentKind.TELOS, "pack"):
        text = text_of(download(client, approved_project, kind).content)
        assert "Answer technical_answer alpha" in text
        assert "bravo" not in text
    assert project_pdfs_render(approved_project.pk) == 0
    # when: v2 is approved
    telos.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        document_review(actor=coordinator, document=telos, decision="approved")
    # then: the task refreshed the kept PDFs (TELOS and pack) and they show v2
    kept = ProjectPdf.objects.get(project=approved_project, kind=DocumentKind.TELOS)
    assert ":v2@" in kept.source_key
    assert "bravo" in text_of(bytes(kept.content))
    for kind in (DocumentKind.TELOS, "pack"):
        text = text_of(download(client, approved_project, kind).content)
        assert "Answer technical_answer bravo" in text
        assert "Answer technical_answer alpha" not in text
    id_card = ProjectPdf.objects.get(project=approved_project, kind=DocumentKind.ID_CARD)
    assert ":v1@" in id_card.source_key


def test_the_first_download_renders_and_keeps_the_pdf_before_the_task_ran(
    project, holder, coordinator, client_for, researcher
):
    # given: approved without the task running (on-commit callbacks not executed)
    approve(document_for(project, DocumentKind.SCENARIO), holder, coordinator, "alpha")
    assert not ProjectPdf.objects.exists()
    # when
    response = download(client_for(researcher), project, DocumentKind.SCENARIO)
    # then
    assert response.status_code == 200
    kept = ProjectPdf.objects.get(project=project, kind=DocumentKind.SCENARIO)
    assert bytes(kept.content) == response.content


def test_a_new_draft_alone_is_not_printed(project, holder, client_for, researcher):
    document = document_for(project, DocumentKind.TELOS)
    document_draft_save(actor=holder, document=document, data=answers(document.kind))
    document_submit(actor=holder, document=document)

    for member in (holder, researcher):
        assert download(client_for(member), project, DocumentKind.TELOS).status_code == 404
    assert not ProjectPdf.objects.exists()


def test_the_pack_waits_for_the_three_approvals(project, holder, coordinator, client_for,
                                                researcher):  # fmt: skip
    # given: two of three approved
    for kind in (DocumentKind.ID_CARD, DocumentKind.TELOS):
        approve(document_for(project, kind), holder, coordinator, "alpha")
    # when
    response = download(client_for(researcher), project, "pack")
    # then: 404 with a page that says why
    assert response.status_code == 404
    body = response.content.decode()
    assert "three documents" in body
    assert "TELOS assessment" in body
    assert reverse("ipup:project-detail", args=[project.pk]) in body
    assert project_pdfs_render(project.pk) == 2
    assert not ProjectPdf.objects.filter(kind="pack").exists()


ROLES = ["holder", "coordinator", "manager", "lea", "industry", "researcher", "other_holder"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", [DocumentKind.ID_CARD, "pack"])
def test_members_in_good_standing_download_the_approved_pdfs(
    role, kind, approved_project, holder, coordinator, manager, make_member, client_for
):
    other_holder = make_member(AffiliationType.RESEARCH, email="other.holder@example.org")
    assign_perm("ipup.hold_project", other_holder, ResearchProjectFactory())
    members = {
        "holder": holder,
        "coordinator": coordinator,
        "manager": manager,
        "lea": make_member(AffiliationType.LEA, email="lea@example.org"),
        "industry": make_member(AffiliationType.INDUSTRY, email="industry@example.org"),
        "researcher": make_member(AffiliationType.RESEARCH, email="r@example.org"),
        "other_holder": other_holder,
    }
    assert download(client_for(members[role]), approved_project, kind).status_code == 200


@pytest.mark.parametrize("kind", [DocumentKind.ID_CARD, "pack"])
def test_everyone_else_gets_404_or_the_sign_in_page(kind, approved_project, make_member,
                                                    client_for):  # fmt: skip
    unverified = make_member(AffiliationType.RESEARCH, unverified=True, email="u@example.org")
    suspended = make_member(AffiliationType.LEA, email="s@example.org")
    suspended.suspended_until = timezone.now() + timedelta(days=3)
    suspended.save(update_fields=["suspended_until"])

    anonymous = download(client_for(None), approved_project, kind)
    assert anonymous.status_code == 302
    assert "application/pdf" not in anonymous.get("Content-Type", "")
    for member in (unverified, suspended):
        response = download(client_for(member), approved_project, kind)
        assert response.status_code in (403, 404)
        assert b"%PDF" not in response.content


def test_an_unknown_kind_or_project_is_404(approved_project, client_for, researcher):
    client = client_for(researcher)
    assert (
        client.get(reverse("ipup:document-pdf", args=[approved_project.pk, "other"])).status_code
        == 404
    )
    assert download(client, ResearchProjectFactory(), DocumentKind.ID_CARD).status_code == 404
    assert client.get(reverse("ipup:project-pack-pdf", args=[999999])).status_code == 404


@pytest.mark.parametrize("versions", [1, 3])
def test_a_kept_pdf_is_served_in_a_few_queries(versions, project, holder, coordinator,
                                               client_for, researcher,
                                               django_assert_max_num_queries):  # fmt: skip
    for number in range(versions):
        for kind in DocumentKind.values:
            approve(document_for(project, kind), holder, coordinator, f"word{number}")
    project_pdfs_render(project.pk)
    client = client_for(researcher)
    with django_assert_max_num_queries(12):
        assert download(client, project, "pack").status_code == 200
    with django_assert_max_num_queries(12):
        response = download(client, project, DocumentKind.TELOS)
    assert response["Content-Disposition"] == (
        f'attachment; filename="pdftest-telos-v{versions}.pdf"'
    )


def test_members_reach_the_pdfs_by_clicking_from_the_project_page(approved_project, client_for,
                                                                  make_member):  # fmt: skip
    client = client_for(make_member(AffiliationType.LEA, email="reader@example.org"))

    project_page = client.get(reverse("ipup:project-detail", args=[approved_project.pk]))
    document_page = client.get(
        reverse("ipup:document-detail", args=[approved_project.pk, DocumentKind.TELOS])
    )

    pack = reverse("ipup:project-pack-pdf", args=[approved_project.pk])
    telos = reverse("ipup:document-pdf", args=[approved_project.pk, DocumentKind.TELOS])
    assert pack in project_page.content.decode()
    assert telos in document_page.content.decode()
    assert pack in document_page.content.decode()


def test_no_pack_link_before_the_three_are_approved(project, holder, coordinator, client_for):
    approve(document_for(project, DocumentKind.TELOS), holder, coordinator, "alpha")

    page = client_for(holder).get(reverse("ipup:project-detail", args=[project.pk]))
    telos = client_for(holder).get(
        reverse("ipup:document-detail", args=[project.pk, DocumentKind.TELOS])
    )

    assert reverse("ipup:project-pack-pdf", args=[project.pk]) not in page.content.decode()
    assert "once the three documents are approved" in telos.content.decode()
