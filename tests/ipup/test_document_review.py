"""The coordinators' review through the pages: the whole workflow (submit, changes requested with
a comment on a part, resubmission telling the reviewer who asked, approval telling the holders),
the diff, who may review, bad decisions refused, notifications withdrawn from someone who lost
access, and the review queue within a query budget."""

import pytest
from django.core import mail
from django.urls import reverse
from guardian.shortcuts import assign_perm, remove_perm

from community.models import AffiliationType, EmailFrequency
from community.roles import Role
from ipup.models import DocumentKind, DocumentVersion, ProjectDocument, ReviewComment
from ipup.services.documents import document_draft_save, document_for, document_submit
from tests.ipup.factories import ResearchProjectFactory
from tests.ipup.test_documents import COMPLETE

ID_CARD = DocumentKind.ID_CARD
REVIEWS = reverse("ipup:document-reviews")
NOTIFICATIONS = reverse("community:notification-list")


@pytest.fixture
def coordinator(make_member):
    return make_member(
        AffiliationType.OTHER,
        roles=[Role.IPUP_COORDINATOR],
        email="coordinator@example.org",
        email_frequency=EmailFrequency.IMMEDIATE,
    )


@pytest.fixture
def project(db):
    return ResearchProjectFactory(acronym="FIRE")


@pytest.fixture
def holder(make_member, project):
    member = make_member(
        AffiliationType.RESEARCH,
        email="holder@example.org",
        email_frequency=EmailFrequency.IMMEDIATE,
    )
    assign_perm("ipup.hold_project", member, project)
    return member


def _url(name, project, kind=ID_CARD):
    return reverse(f"ipup:{name}", args=[project.pk, kind])


def _submitted(project, holder, data=None, kind=ID_CARD):
    document = document_for(project, kind)
    document_draft_save(actor=holder, document=document, data=data or COMPLETE)
    document_submit(actor=holder, document=document)
    return document


@pytest.mark.django_db
def test_draft_submit_changes_resubmit_approve(
    client_for, holder, coordinator, make_member, project, django_capture_on_commit_callbacks
):
    other_coordinator = make_member(
        AffiliationType.OTHER, roles=[Role.IPUP_COORDINATOR], email="second@example.org"
    )
    holder_client, reviewer_client = client_for(holder), client_for(coordinator)

    # given the holder submits the ID card: the coordinators are told
    with django_capture_on_commit_callbacks(execute=True):
        response = holder_client.post(
            _url("document-edit", project), {**COMPLETE, "action": "submit"}
        )
    assert response.status_code == 302
    assert REVIEWS in reviewer_client.get("/").content.decode()
    queue = reviewer_client.get(REVIEWS).content.decode()
    assert "FIRE" in queue
    assert _url("document-review", project) in queue
    assert any("submitted for review" in m.subject for m in mail.outbox)

    # when the coordinator asks for changes with a comment on the scope
    page = reviewer_client.get(_url("document-review", project)).content.decode()
    assert "This is the first version submitted." in page
    assert 'name="comment-scope"' in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer_client.post(
            _url("document-review", project),
            {"decision": "changes_requested", "comment-scope": "Say which borders."},
        )
    assert response.status_code == 302
    document = ProjectDocument.objects.get(project=project, kind=ID_CARD)
    assert document.state == ProjectDocument.State.CHANGES_REQUESTED
    assert list(ReviewComment.objects.values_list("part", "body")) == [
        ("scope", "Say which borders.")
    ]
    assert [m.to for m in mail.outbox] == [[holder.email]]

    # then the holder sees the comment in the scope part of the form
    html = holder_client.get(_url("document-edit", project)).content.decode()
    part = html[html.index('id="part-scope"') : html.index('id="part-outcomes"')]
    assert "Say which borders." in part
    assert "changes requested" in holder_client.get(NOTIFICATIONS).content.decode().lower()

    # when the holder resubmits: only the reviewer who asked is told, in-app and by e-mail
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        holder_client.post(
            _url("document-edit", project),
            {**COMPLETE, "scope": "Land borders of Portugal", "action": "submit"},
        )
    document.refresh_from_db()
    assert document.state == ProjectDocument.State.RESUBMITTED
    assert [m.to for m in mail.outbox] == [[coordinator.email]]
    assert "resubmitted" in mail.outbox[0].subject
    assert "resubmitted" in reviewer_client.get(NOTIFICATIONS).content.decode()
    assert "resubmitted" not in client_for(other_coordinator).get(NOTIFICATIONS).content.decode()

    # the review page shows the change since version 1
    page = reviewer_client.get(_url("document-review", project)).content.decode()
    assert "<ins>Land borders of Portugal</ins>" in page
    assert "<del>" in page

    # when the coordinator approves: the holders are told
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reviewer_client.post(_url("document-review", project), {"decision": "approved"})
    document.refresh_from_db()
    assert document.state == ProjectDocument.State.APPROVED
    assert document.approved_version.number == 2
    assert holder.email in [address for m in mail.outbox for address in m.to]
    assert "approved" in holder_client.get(NOTIFICATIONS).content.decode()
    assert "FIRE" not in reviewer_client.get(REVIEWS).content.decode()

    # a new draft leaves the approved version what members read
    holder_client.post(
        _url("document-edit", project), {**COMPLETE, "scope": "Draft v3", "action": "save"}
    )
    document.refresh_from_db()
    assert document.approved_version.data["scope"] == "Land borders of Portugal"
    assert document.state == ProjectDocument.State.APPROVED


@pytest.mark.django_db
def test_bad_decisions_are_refused_and_nothing_is_stored(client_for, holder, coordinator, project):
    document = _submitted(project, holder)
    client = client_for(coordinator)

    for data, message in [
        ({"decision": "changes_requested", "comment-trl": "   "}, "Say what should change"),
        ({"decision": "maybe", "comment-trl": "kept"}, "Choose a decision."),
        ({"decision": "approved", "note": "x" * 4001}, "at most 4000 characters"),
        ({"decision": "approved", "comment-trl": "y" * 4001}, "at most 4000 characters"),
    ]:
        response = client.post(_url("document-review", project), data)
        assert response.status_code == 200
        assert message in response.content.decode()
        typed = data.get("comment-trl", "").strip() or data.get("note", "")
        assert typed in response.content.decode()
    document.refresh_from_db()
    assert document.state == ProjectDocument.State.SUBMITTED
    assert not DocumentVersion.objects.exclude(decision="").exists()
    assert not ReviewComment.objects.exists()


@pytest.mark.django_db
def test_only_coordinators_who_do_not_hold_the_project_review(
    client_for, holder, coordinator, make_member, researcher, lea_member, manager, project
):
    document = _submitted(project, holder)
    coordinator_holder = make_member(
        AffiliationType.OTHER, roles=[Role.IPUP_COORDINATOR], email="c.holder@example.org"
    )
    assign_perm("ipup.hold_project", coordinator_holder, project)
    other_holder = make_member(AffiliationType.INDUSTRY, email="other.holder@example.org")
    assign_perm("ipup.hold_project", other_holder, ResearchProjectFactory())

    for user in (holder, coordinator_holder, other_holder, researcher, lea_member):
        client = client_for(user)
        assert client.get(_url("document-review", project)).status_code == 404
        response = client.post(_url("document-review", project), {"decision": "approved"})
        assert response.status_code == 404
    for user in (holder, other_holder, researcher, lea_member):
        assert client_for(user).get(REVIEWS).status_code == 404
    # a coordinator holding the project sees it in the queue but is not offered to review it
    queue = client_for(coordinator_holder).get(REVIEWS).content.decode()
    assert "another coordinator reviews it" in queue
    assert client_for(None).get(REVIEWS).status_code == 302
    document.refresh_from_db()
    assert document.state == ProjectDocument.State.SUBMITTED
    # community managers review too
    assert client_for(manager).get(_url("document-review", project)).status_code == 200


@pytest.mark.django_db
def test_nothing_to_review_sends_back_to_the_document(client_for, holder, coordinator, project):
    document_for(project, ID_CARD)

    response = client_for(coordinator).get(_url("document-review", project))

    assert response.status_code == 302
    assert response["Location"] == _url("document-detail", project)


@pytest.mark.django_db
def test_a_holder_who_lost_the_project_no_longer_sees_its_review_notifications(
    client_for, holder, coordinator, project
):
    # given a decision the holder was told about
    _submitted(project, holder)
    client_for(coordinator).post(
        _url("document-review", project),
        {"decision": "changes_requested", "note": "Internal: rework everything."},
    )
    client = client_for(holder)
    assert "changes requested" in client.get(NOTIFICATIONS).content.decode().lower()

    # when the holder no longer holds the project
    remove_perm("ipup.hold_project", holder, project)

    # then the notification, the document and its comments are gone for them
    assert "changes requested" not in client.get(NOTIFICATIONS).content.decode().lower()
    assert client.get(_url("document-detail", project)).status_code == 404
    assert client.get(_url("document-edit", project)).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 6])
def test_the_review_queue_in_constant_queries(
    client_for, holder, coordinator, project, size, django_assert_max_num_queries
):
    _submitted(project, holder)
    for _ in range(size):
        extra = ResearchProjectFactory()
        assign_perm("ipup.hold_project", holder, extra)
        _submitted(extra, holder)
    client = client_for(coordinator)
    client.get(REVIEWS)

    with django_assert_max_num_queries(16):
        response = client.get(REVIEWS)

    assert len(response.context["page"].object_list) == size + 1


@pytest.mark.django_db
def test_review_notifications_vanish_with_access_even_once_a_version_is_approved(
    client_for, holder, coordinator, project
):
    # given an approved version (members may read it), then changes asked on a new one
    document = _submitted(project, holder)
    reviewer = client_for(coordinator)
    reviewer.post(_url("document-review", project), {"decision": "approved"})
    document_draft_save(actor=holder, document=document, data={**COMPLETE, "scope": "v2"})
    document_submit(actor=holder, document=document)
    reviewer.post(
        _url("document-review", project),
        {"decision": "changes_requested", "note": "Rework the scope."},
    )
    client = client_for(holder)
    assert "changes requested" in client.get(NOTIFICATIONS).content.decode().lower()

    # when the holder no longer holds the project
    remove_perm("ipup.hold_project", holder, project)

    # then they read the approved version as any member, but no longer the review's news
    html = client.get(NOTIFICATIONS).content.decode().lower()
    assert "changes requested" not in html
    assert "approved" not in html
    response = client.get(_url("document-detail", project))
    assert response.status_code == 200
    assert "Rework the scope." not in response.content.decode()


@pytest.mark.django_db
def test_a_resubmission_goes_to_every_coordinator_when_the_reviewer_left(
    client_for, holder, coordinator, make_member, project
):
    # given changes asked by a coordinator who then leaves the role
    second = make_member(
        AffiliationType.OTHER, roles=[Role.IPUP_COORDINATOR], email="second@example.org"
    )
    document = _submitted(project, holder)
    client_for(coordinator).post(
        _url("document-review", project), {"decision": "changes_requested", "note": "Shorter."}
    )
    coordinator.groups.clear()

    # when the holder resubmits
    document_draft_save(actor=holder, document=document, data={**COMPLETE, "scope": "Short"})
    document_submit(actor=holder, document=document)

    # then the remaining coordinators are told, so the document does not wait unseen
    assert "resubmitted" in client_for(second).get(NOTIFICATIONS).content.decode()
