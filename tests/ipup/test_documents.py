"""The holders' documents through the pages: who may write them (and nobody else, not even by a
forged POST), the form built from the schema, bad input refused with the typed answers kept,
who reads what, the project page's section and "My projects" within a query budget."""

import pytest
from django.urls import reverse
from guardian.shortcuts import assign_perm

from community.models import AffiliationType
from community.roles import Role
from ipup.models import DocumentKind, DocumentVersion, ProjectDocument
from ipup.services.documents import document_draft_save, document_for, document_submit
from tests.ipup.factories import ResearchProjectFactory

ID_CARD = DocumentKind.ID_CARD

COMPLETE = {
    "objectives": "Detect firearms trafficking in parcels.",
    "scope": "Postal hubs in the EU; not maritime.",
    "outcomes": "An X-ray image classifier, TRL 6.",
    "partners": "Uni A (coordinator), Police B (tester)",
    "programme": "Horizon 2020, SU-FCT02-2018",
    "funding": "GA 123456, 3 M€",
    "start_date": "2020-01-01",
    "end_date": "2022-12-31",
    "trl": "6",
    "trl_evidence": "Tested at a national postal hub.",
    "contact_name": "Ana Silva",
    "contact_email": "ana@example.org",
}


@pytest.fixture
def coordinator(make_member):
    return make_member(
        AffiliationType.OTHER, roles=[Role.IPUP_COORDINATOR], email="coordinator@example.org"
    )


@pytest.fixture
def project(db):
    return ResearchProjectFactory(acronym="FIRE")


@pytest.fixture
def holder(make_member, project):
    member = make_member(AffiliationType.RESEARCH, email="holder@example.org")
    assign_perm("ipup.hold_project", member, project)
    return member


@pytest.fixture
def other_holder(make_member):
    member = make_member(AffiliationType.INDUSTRY, email="other.holder@example.org")
    assign_perm("ipup.hold_project", member, ResearchProjectFactory(acronym="OTHER"))
    return member


def _url(name, project, kind=ID_CARD):
    return reverse(f"ipup:{name}", args=[project.pk, kind])


def _post(client, project, data, action="save", kind=ID_CARD):
    return client.post(_url("document-edit", project, kind), {**data, "action": action})


def _approved(project, holder, reviewer, data=None):
    document = document_for(project, ID_CARD)
    document_draft_save(actor=holder, document=document, data=data or COMPLETE)
    version = document_submit(actor=holder, document=document)
    from ipup.services.documents import document_review

    document_review(actor=reviewer, document=document, decision="approved")
    return version


@pytest.mark.django_db
def test_the_form_is_built_from_the_schema(client_for, holder, project):
    response = client_for(holder).get(_url("document-edit", project))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="part-objectives"' in html
    assert "Three to five objectives" in html
    assert 'maxlength="3000"' in html
    assert 'type="date"' in html
    assert 'name="start_date"' in html
    assert '<select name="trl"' in html
    assert "Save draft" in html
    assert "Submit for review" in html
    # the first draft of the ID card is filled from the project database
    assert "A project of EU security research." in html
    scenario = client_for(holder).get(_url("document-edit", project, DocumentKind.SCENARIO))
    assert 'type="radio" name="would"' in scenario.content.decode()
    assert 'type="checkbox" name="presentation_formats"' in scenario.content.decode()


@pytest.mark.django_db
def test_a_holder_saves_a_draft_then_submits(client_for, holder, project):
    client = client_for(holder)

    response = _post(client, project, {"objectives": "Find guns."})
    assert response.status_code == 302
    document = ProjectDocument.objects.get(project=project, kind=ID_CARD)
    assert document.draft == {"objectives": "Find guns."}
    assert document.state == ProjectDocument.State.DRAFT

    # submitting an incomplete draft saves it and names the missing answers
    response = _post(client, project, {"objectives": "Find guns.", "scope": "Parcels"}, "submit")
    assert response.status_code == 200
    assert "This question must be answered." in response.content.decode()
    assert response.context["form"].errors.keys() >= {"outcomes", "trl", "contact_email"}
    document.refresh_from_db()
    assert document.draft["scope"] == "Parcels"
    assert document.state == ProjectDocument.State.DRAFT
    assert not DocumentVersion.objects.exists()

    response = _post(client, project, COMPLETE, "submit")
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.state == ProjectDocument.State.SUBMITTED
    assert document.latest_version.data["trl"] == 6
    # while under review the edit page is read-only
    response = client.get(_url("document-edit", project))
    assert "waiting for an IPUP coordinator" in response.content.decode()
    assert "Submit for review" not in response.content.decode()
    response = _post(client, project, {**COMPLETE, "scope": "Changed"})
    document.refresh_from_db()
    assert document.draft["scope"] == COMPLETE["scope"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("objectives", "x" * 3001, "At most 3000 characters"),
        ("trl", "0", "from 1 to 9"),
        ("trl", "10", "from 1 to 9"),
        ("trl", "abc", "whole number from 1 to 9"),
        ("end_date", "2019-01-01", "The end comes before the start."),
        ("start_date", "yesterday", "YYYY-MM-DD"),
        ("contact_email", "not an address", "valid e-mail address"),
        ("programme", "two\nlines", "One line only."),
        ("surprise", "an answer", "no such question"),
    ],
)
def test_bad_input_is_refused_and_the_typed_answers_are_kept(
    client_for, holder, project, field, value, message
):
    # given a saved draft
    client = client_for(holder)
    _post(client, project, COMPLETE)
    before = ProjectDocument.objects.get(project=project, kind=ID_CARD).draft

    # when the holder saves (or submits) a bad answer
    for action in ("save", "submit"):
        response = _post(client, project, {**COMPLETE, "scope": "New scope", field: value}, action)

        # then a clear error, the page shows what was typed, nothing is stored
        assert response.status_code == 200
        html = response.content.decode()
        assert message in html
        assert "New scope" in html
        assert ProjectDocument.objects.get(project=project, kind=ID_CARD).draft == before
        assert not DocumentVersion.objects.exists()


@pytest.mark.django_db
def test_only_the_projects_holders_write_its_documents(
    client_for,
    holder,
    other_holder,
    coordinator,
    researcher,
    lea_member,
    unverified_member,
    manager,
    project,
):
    # given a draft by the holder
    client_for(holder).post(_url("document-edit", project), {**COMPLETE, "action": "save"})
    document = ProjectDocument.objects.get(project=project, kind=ID_CARD)

    for user in (other_holder, coordinator, researcher, lea_member, unverified_member, manager):
        client = client_for(user)
        # when anyone else opens the form, saves or forges a submission
        assert client.get(_url("document-edit", project)).status_code in (302, 403, 404)
        for action in ("save", "submit"):
            response = _post(client, project, {**COMPLETE, "scope": "Forged"}, action)
            assert response.status_code in (302, 403, 404)
            if response.status_code == 302:
                assert "/documents/" not in response["Location"]

    anonymous = client_for(None)
    assert anonymous.get(_url("document-edit", project)).status_code == 302
    assert _post(anonymous, project, COMPLETE, "submit").status_code == 302

    # then nothing changed
    document.refresh_from_db()
    assert document.draft["scope"] == COMPLETE["scope"]
    assert document.state == ProjectDocument.State.DRAFT
    assert not DocumentVersion.objects.exists()
    # an unknown kind or project is missing, not an error
    client = client_for(holder)
    assert client.get(_url("document-edit", project, "letter")).status_code == 404
    assert client.get(reverse("ipup:document-edit", args=[999999, ID_CARD])).status_code == 404


@pytest.mark.django_db
def test_drafts_and_comments_stay_with_holders_and_coordinators(
    client_for,
    holder,
    other_holder,
    coordinator,
    researcher,
    lea_member,
    unverified_member,
    project,
):
    # given an approved version, then a new draft, then a submission with changes requested
    _approved(project, holder, coordinator, {**COMPLETE, "scope": "Approved scope"})
    document = ProjectDocument.objects.get(project=project, kind=ID_CARD)
    document_draft_save(actor=holder, document=document, data={**COMPLETE, "scope": "Secret v2"})
    document_submit(actor=holder, document=document)
    from ipup.services.documents import document_review

    document_review(
        actor=coordinator,
        document=document,
        decision="changes_requested",
        comments=[("scope", "Internal remark on scope")],
    )
    detail = _url("document-detail", project)

    # then members read the approved version only
    for user in (other_holder, researcher, lea_member):
        response = client_for(user).get(detail)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Approved scope" in html
        assert "Secret v2" not in html
        assert "Internal remark" not in html
        assert "Changes requested" not in html
        project_page = client_for(user).get(reverse("ipup:project-detail", args=[project.pk]))
        assert "Changes requested" not in project_page.content.decode()
        assert "Secret v2" not in project_page.content.decode()
    # holders and coordinators see the comment beside its part, and the versions
    for user in (holder, coordinator):
        html = client_for(user).get(detail).content.decode()
        assert "Internal remark on scope" in html
        assert "Secret v2" in html
        assert "Approved scope" in html
    assert (
        "Internal remark on scope"
        in client_for(holder).get(_url("document-edit", project)).content.decode()
    )
    # a member whose affiliation is not verified, and anonymous visitors, read nothing
    assert client_for(unverified_member).get(detail).status_code in (302, 403, 404)
    assert client_for(None).get(detail).status_code == 302


@pytest.mark.django_db
def test_a_document_never_approved_is_missing_for_members(
    client_for, holder, researcher, lea_member, project
):
    client_for(holder).post(_url("document-edit", project), {**COMPLETE, "action": "submit"})

    for user in (researcher, lea_member):
        assert client_for(user).get(_url("document-detail", project)).status_code == 404
        page = client_for(user).get(reverse("ipup:project-detail", args=[project.pk]))
        assert "Presentation documents" not in page.content.decode()
    assert client_for(holder).get(_url("document-detail", project)).status_code == 200


@pytest.mark.django_db
def test_the_project_page_lists_the_documents_by_role(
    client_for, holder, coordinator, researcher, project
):
    client_for(holder).post(_url("document-edit", project), {**COMPLETE, "action": "submit"})
    page = reverse("ipup:project-detail", args=[project.pk])

    html = client_for(holder).get(page).content.decode()
    assert "Presentation documents" in html
    assert _url("document-edit", project, DocumentKind.TELOS) in html  # write
    assert _url("document-review", project) not in html
    html = client_for(coordinator).get(page).content.decode()
    assert _url("document-review", project) in html
    assert "Not started" in html
    assert _url("document-edit", project, DocumentKind.TELOS) not in html
    assert "Presentation documents" not in client_for(researcher).get(page).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 4])
def test_the_project_page_query_count_does_not_grow_with_documents(
    client_for, holder, coordinator, project, size, django_assert_max_num_queries
):
    for kind in list(DocumentKind.values)[: min(size, 3)]:
        document_for(project, kind)
    client = client_for(coordinator)
    client.get(reverse("ipup:project-detail", args=[project.pk]))

    with django_assert_max_num_queries(30):
        response = client.get(reverse("ipup:project-detail", args=[project.pk]))
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 6])
def test_my_projects_lists_the_held_projects_in_constant_queries(
    client_for, holder, project, other_holder, size, django_assert_max_num_queries
):
    for _ in range(size):
        extra = ResearchProjectFactory()
        assign_perm("ipup.hold_project", holder, extra)
        document_for(extra, DocumentKind.TELOS)
    document_for(project, ID_CARD)
    client = client_for(holder)
    client.get(reverse("ipup:my-projects"))

    with django_assert_max_num_queries(16):
        response = client.get(reverse("ipup:my-projects"))

    assert len(response.context["rows"]) == size + 1
    html = response.content.decode()
    assert "FIRE" in html
    assert "OTHER" not in html
    assert _url("document-edit", project, DocumentKind.SCENARIO) in html


@pytest.mark.django_db
def test_my_projects_is_in_the_user_menu_and_empty_for_a_non_holder(client_for, researcher):
    client = client_for(researcher)
    home = client.get("/").content.decode()
    assert reverse("ipup:my-projects") in home

    response = client.get(reverse("ipup:my-projects"))

    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "You do not hold a research project yet." in response.content.decode()
