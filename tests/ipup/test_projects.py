"""The research project pages: list, filters and search within a constant query budget, the
project page and who sees the contacts' details, and the holders (grant, claim, approve, edit)
with the refusals."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from community.models import AffiliationType, AuditLogEntry, Domain
from community.roles import Role
from ipup.models import ProjectClaim, ProjectContact, ProjectParticipant, ResearchProject
from ipup.permissions import holds_project
from ipup.services.projects import project_holder_grant, project_search_vector_refresh
from tests.community.factories import OrganisationFactory
from tests.ipup.factories import ResearchProjectFactory

LIST = reverse("ipup:project-list")
# The page's own queries and the navigation's (the unread-notification badge is one of them,
# even for a member who sees no room: notifications about events and documents count too).
QUERIES = 10


@pytest.fixture
def coordinator(make_member):
    return make_member(
        AffiliationType.OTHER, roles=[Role.IPUP_COORDINATOR], email="coordinator@example.org"
    )


def _detail(project):
    return reverse("ipup:project-detail", args=[project.pk])


def _listed(response) -> set[str]:
    return {project.acronym for project in response.context["page"].object_list}


@pytest.mark.django_db
def test_the_list_filters_by_programme_status_domain_trl_country_and_year(client_for, researcher):
    today = timezone.localdate()
    cyber = Domain.objects.get(slug="cybercrime")
    ended = ResearchProjectFactory(
        acronym="ENDED",
        programme="FP7 Security",
        start_date=today.replace(year=2010),
        end_date=today.replace(year=2013),
        trl=6,
    )
    ended.domains.add(cyber)
    upcoming = ResearchProjectFactory(
        acronym="SOON", start_date=today + timedelta(days=30), end_date=None
    )
    ResearchProjectFactory(acronym="NOW")
    ProjectParticipant.objects.create(
        project=upcoming, organisation=OrganisationFactory(country="PT"), role="coordinator"
    )
    client = client_for(researcher)

    assert _listed(client.get(LIST)) == {"ENDED", "SOON", "NOW"}
    assert _listed(client.get(LIST, {"programme": "FP7 Security"})) == {"ENDED"}
    assert _listed(client.get(LIST, {"status": "ended"})) == {"ENDED"}
    assert _listed(client.get(LIST, {"status": "upcoming"})) == {"SOON"}
    assert _listed(client.get(LIST, {"status": "ongoing"})) == {"NOW"}
    assert _listed(client.get(LIST, {"domain": cyber.pk})) == {"ENDED"}
    assert _listed(client.get(LIST, {"trl": 6})) == {"ENDED"}
    assert _listed(client.get(LIST, {"country": "PT"})) == {"SOON"}
    assert _listed(client.get(LIST, {"year": 2010})) == {"ENDED"}
    # bad input: a clear error on the form, nothing listed
    response = client.get(LIST, {"year": "last", "trl": 12})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"year", "trl"}
    assert _listed(response) == set()


@pytest.mark.django_db
def test_search_is_full_text_with_websearch_syntax_and_ranked(client_for, researcher):
    ResearchProjectFactory(acronym="TITLE", title="Firearms trafficking detection")
    ResearchProjectFactory(
        acronym="SUMMARY", title="Other work", summary="Trafficking of firearms across borders."
    )
    ResearchProjectFactory(acronym="DRUGS", title="Drug trafficking routes")
    client = client_for(researcher)

    response = client.get(LIST, {"q": "firearm trafficking"})
    # stemmed words in the title weigh more than in the summary
    assert [p.acronym for p in response.context["page"].object_list] == ["TITLE", "SUMMARY"]
    assert _listed(client.get(LIST, {"q": "trafficking -firearms"})) == {"DRUGS"}
    assert _listed(client.get(LIST, {"q": '"drug trafficking"'})) == {"DRUGS"}
    assert client.get(LIST, {"q": "'\"&|!():*"}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("count", [5, 60])
def test_the_list_and_search_keep_a_constant_query_count(
    client_for, researcher, django_assert_max_num_queries, count
):
    cyber = Domain.objects.get(slug="cybercrime")
    for _ in range(count):
        ResearchProjectFactory(summary="cyber attack tools").domains.add(cyber)
    client = client_for(researcher)
    client.get(LIST)  # the session and the member, read once

    with django_assert_max_num_queries(QUERIES):
        assert client.get(LIST, {"q": "cyber attack"}).status_code == 200
    with django_assert_max_num_queries(QUERIES):
        response = client.get(LIST, {"domain": cyber.pk, "status": "ongoing"})
    assert len(response.context["page"].object_list) == min(count, 25)


@pytest.mark.django_db
def test_the_list_and_search_of_ten_thousand_projects_cost_the_same_queries(
    client_for, researcher, django_assert_max_num_queries
):
    # given: 10,000 projects (written in bulk, indexed as the import does), a tenth in a domain
    cyber = Domain.objects.get(slug="cybercrime")
    today = timezone.localdate()
    projects = ResearchProject.objects.bulk_create(
        ResearchProject(
            source=ResearchProject.Source.CORDIS, source_id=str(n), acronym=f"P{n}",
            title=f"Project {n} on {'cyber attack tools' if n % 10 == 0 else 'border checks'}",
            programme="Horizon 2020", start_date=today - timedelta(days=n % 900 + 1),
        )
        for n in range(10_000)
    )  # fmt: skip
    project_search_vector_refresh([p.pk for p in projects])
    ResearchProject.domains.through.objects.bulk_create(
        ResearchProject.domains.through(researchproject_id=p.pk, domain_id=cyber.pk)
        for p in projects[::10]
    )
    client = client_for(researcher)
    client.get(LIST)  # the session and the member, read once

    # then: the list, a search and a filter each run in the same queries as with five
    with django_assert_max_num_queries(QUERIES):
        assert client.get(LIST).status_code == 200
    with django_assert_max_num_queries(QUERIES):
        searched = client.get(LIST, {"q": "cyber attack"})
    with django_assert_max_num_queries(QUERIES):
        filtered = client.get(LIST, {"domain": cyber.pk, "status": "ongoing"})
    assert searched.context["page"].paginator.count == 1_000
    assert filtered.context["page"].paginator.count == 1_000


@pytest.mark.django_db
def test_the_project_page_shows_contact_details_to_verified_members_only(
    client_for, researcher, unverified_member
):
    project = ResearchProjectFactory(acronym="PAGE", trl=5, website="https://page.example.org")
    project.tags.add("surveillance")
    ProjectParticipant.objects.create(
        project=project,
        organisation=OrganisationFactory(name="Police lab", country="BE"),
        role="coordinator",
    )
    ProjectContact.objects.create(
        project=project,
        name="Ada Contact",
        email="ada@page.example.org",
        verified_at=timezone.now() - timedelta(days=400),
    )

    page = client_for(researcher).get(_detail(project)).content.decode()
    assert "PAGE" in page
    assert "Police lab" in page
    assert "surveillance" in page
    assert "ada@page.example.org" in page
    assert "last verified" in page

    page = client_for(unverified_member).get(_detail(project)).content.decode()
    assert "Ada Contact" in page
    assert "ada@page.example.org" not in page

    # an anonymous visitor is sent to sign in; a project that does not exist is a 404
    assert client_for(None).get(_detail(project)).status_code == 302
    missing = reverse("ipup:project-detail", args=[project.pk + 1000])
    assert client_for(researcher).get(missing).status_code == 404


@pytest.mark.django_db
def test_a_coordinator_grants_and_revokes_holding_by_name(
    client_for, coordinator, researcher, unverified_member
):
    project = ResearchProjectFactory()
    url = reverse("ipup:project-holders", args=[project.pk])
    client = client_for(coordinator)
    # the project page links the holders page
    assert url in client.get(_detail(project)).content.decode()

    # when: the coordinator looks the member up by name and grants
    found = client.get(url, {"q": researcher.last_name}).context["found"]
    assert researcher in list(found)
    client.post(url, {"action": "grant", "member": researcher.pk})
    # then
    assert holds_project(researcher, ResearchProject.objects.get(pk=project.pk))
    assert AuditLogEntry.objects.filter(action="project.holder_grant").exists()

    # when: revoked
    client.post(url, {"action": "revoke", "member": researcher.pk})
    researcher = type(researcher).objects.get(pk=researcher.pk)  # guardian caches per instance
    assert not holds_project(researcher, project)
    assert AuditLogEntry.objects.filter(action="project.holder_revoke").exists()

    # bad input: a member who does not exist, an unknown action
    response = client.post(url, {"action": "grant", "member": 999999}, follow=True)
    assert "Choose a member from the list." in response.content.decode()
    client.post(url, {"action": "steal", "member": researcher.pk})
    assert not holds_project(type(researcher).objects.get(pk=researcher.pk), project)
    # a member whose affiliation is not verified cannot hold a project (the directory does not
    # offer them, and the service refuses them all the same)
    response = client.post(url, {"action": "grant", "member": unverified_member.pk}, follow=True)
    assert "Choose a member from the list." in response.content.decode()
    with pytest.raises(ValidationError, match="Only a verified member"):
        project_holder_grant(actor=coordinator, project=project, member=unverified_member)
    assert not holds_project(unverified_member, project)


@pytest.mark.django_db
def test_members_cannot_grant_or_decide(client_for, researcher, industry_member):
    project = ResearchProjectFactory()
    client = client_for(researcher)
    url = reverse("ipup:project-holders", args=[project.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "grant", "member": researcher.pk}).status_code == 404
    assert client.get(reverse("ipup:project-claims")).status_code == 404
    claim = ProjectClaim.objects.create(project=project, member=industry_member, message="mine")
    decide = reverse("ipup:project-claim-decide", args=[claim.pk])
    assert client.post(decide, {"decision": "approve"}).status_code == 404
    assert not holds_project(researcher, project)
    assert ProjectClaim.objects.get(pk=claim.pk).status == ProjectClaim.Status.PENDING


@pytest.mark.django_db
def test_a_member_claims_a_project_and_edits_it_once_approved(client_for, coordinator, researcher):
    # given
    project = ResearchProjectFactory(acronym="MINE")
    member = client_for(researcher)
    claim_url = reverse("ipup:project-claim", args=[project.pk])
    edit_url = reverse("ipup:project-edit", args=[project.pk])
    assert claim_url in member.get(_detail(project)).content.decode()
    assert member.get(edit_url).status_code == 404

    # when: the member claims without a message, then with one
    response = member.post(claim_url, {"message": ""})
    assert response.context["form"].errors["message"]
    member.post(claim_url, {"message": "I coordinated work package 3."})
    # then: one pending claim, and a second one is refused
    claim = ProjectClaim.objects.get(project=project, member=researcher)
    assert claim.status == ProjectClaim.Status.PENDING
    assert "waits for a coordinator" in member.get(_detail(project)).content.decode()
    response = member.post(claim_url, {"message": "Again"})
    assert "already asked" in response.content.decode()
    assert ProjectClaim.objects.count() == 1

    # when: the coordinator sees it on their home page and the claims page, and approves
    coordinator_client = client_for(coordinator)
    home = coordinator_client.get(reverse("community:home")).content.decode()
    assert reverse("ipup:project-claims") in home
    claims = coordinator_client.get(reverse("ipup:project-claims"))
    assert "I coordinated work package 3." in claims.content.decode()
    decide = reverse("ipup:project-claim-decide", args=[claim.pk])
    coordinator_client.post(decide, {"decision": "approve"})
    # a decided claim is not decided twice
    response = coordinator_client.post(decide, {"decision": "decline"}, follow=True)
    assert "already decided" in response.content.decode()

    # then: the member holds the project and edits it
    claim.refresh_from_db()
    assert claim.status == ProjectClaim.Status.APPROVED
    assert claim.decided_by == coordinator
    cyber = Domain.objects.get(slug="cybercrime")
    response = member.post(
        edit_url,
        {
            "summary": "Tools against ransomware gangs.",
            "objectives": "Attribute attacks.",
            "trl": 7,
            "website": "https://mine.example.org",
            "domains": [cyber.pk],
            "tags": "ransomware, attribution",
        },
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.summary, project.trl) == ("Tools against ransomware gangs.", 7)
    assert set(project.tags.names()) == {"ransomware", "attribution"}
    assert list(project.domains.all()) == [cyber]
    assert AuditLogEntry.objects.filter(action="project.update", target_id=str(project.pk))
    # the new text is searchable at once
    assert "MINE" in _listed(member.get(LIST, {"q": "ransomware"}))

    # bad input: a TRL out of range and a website that is not a URL; nothing changes
    response = member.post(edit_url, {"summary": "x", "trl": 12, "website": "nope"})
    assert set(response.context["form"].errors) == {"trl", "website"}
    project.refresh_from_db()
    assert project.trl == 7


@pytest.mark.django_db
def test_a_declined_claim_gives_nothing(client_for, coordinator, researcher):
    project = ResearchProjectFactory()
    claim = ProjectClaim.objects.create(project=project, member=researcher, message="mine")
    client_for(coordinator).post(
        reverse("ipup:project-claim-decide", args=[claim.pk]),
        {"decision": "decline", "reason": "Not in the consortium."},
    )
    claim.refresh_from_db()
    assert (claim.status, claim.reason) == (ProjectClaim.Status.DECLINED, "Not in the consortium.")
    assert not holds_project(researcher, project)
    assert (
        client_for(researcher).get(reverse("ipup:project-edit", args=[project.pk])).status_code
        == 404
    )


@pytest.mark.django_db
def test_a_non_holder_cannot_edit_and_an_unverified_member_cannot_claim(
    client_for, researcher, unverified_member
):
    project = ResearchProjectFactory(summary="Original")
    edit_url = reverse("ipup:project-edit", args=[project.pk])
    assert client_for(researcher).post(edit_url, {"summary": "Defaced"}).status_code == 404
    claim_url = reverse("ipup:project-claim", args=[project.pk])
    assert client_for(unverified_member).post(claim_url, {"message": "me"}).status_code == 404
    project.refresh_from_db()
    assert project.summary == "Original"
    assert not ProjectClaim.objects.exists()


@pytest.mark.django_db
def test_the_projects_are_linked_from_the_navigation_and_the_home_page(client_for, researcher):
    page = client_for(researcher).get(reverse("community:home")).content.decode()
    assert page.count(f'href="{LIST}"') >= 2


@pytest.mark.django_db
def test_a_holder_keeps_the_points_of_contact(client_for, researcher, industry_member):
    # given: a holder of a project flagged stale for its one old contact
    project = ResearchProjectFactory(contacts_stale_since=timezone.now())
    old = ProjectContact.objects.create(
        project=project, name="Old Contact", email="old@example.org", verified_at=None
    )
    assign_perm("ipup.hold_project", researcher, project)
    client = client_for(researcher)
    url = reverse("ipup:project-contacts", args=[project.pk])
    assert url in client.get(_detail(project)).content.decode()

    # when: bad input, then a new contact, a correction and the old one removed
    response = client.post(url, {"name": "New", "email": "not an address", "phone": "call me"})
    assert set(response.context["form"].errors) == {"email", "phone"}
    assert project.contacts.count() == 1
    client.post(url, {"name": "New Contact", "email": "new@example.org", "phone": "+32 2 555 00"})
    new = project.contacts.get(name="New Contact")
    edit = reverse("ipup:project-contact-edit", args=[project.pk, new.pk])
    client.post(edit, {"name": "New Contact", "email": "fixed@example.org", "function": "PI"})
    client.post(reverse("ipup:project-contact-delete", args=[project.pk, old.pk]))

    # then: the holder's details count as verified, and the project is no longer stale
    new.refresh_from_db()
    assert (new.email, new.function) == ("fixed@example.org", "PI")
    assert new.verified_at is not None
    assert list(project.contacts.all()) == [new]
    project.refresh_from_db()
    assert project.contacts_stale_since is None
    actions = set(AuditLogEntry.objects.values_list("action", flat=True))
    assert {"project.contact_add", "project.contact_update", "project.contact_remove"} <= actions

    # and another member cannot touch them, nor reach a contact through another project
    other = client_for(industry_member)
    assert other.get(url).status_code == 404
    assert (
        other.post(reverse("ipup:project-contact-delete", args=[project.pk, new.pk])).status_code
        == 404
    )
    elsewhere = ResearchProjectFactory()
    assign_perm("ipup.hold_project", industry_member, elsewhere)
    cross = reverse("ipup:project-contact-edit", args=[elsewhere.pk, new.pk])
    assert (
        client_for(industry_member).post(cross, {"name": "X", "email": "x@example.org"}).status_code
        == 404
    )
    assert project.contacts.get().email == "fixed@example.org"
