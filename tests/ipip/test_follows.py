"""Follows (SPEC §4.3): the follows page (domains to tick, projects to stop following) and the
follow button of a project page, for every kind of member, with bad input refused."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from community.models import AffiliationType, AuditLogEntry, Domain
from ipip.models import Follow
from ipip.services.alerts import follow_domains_save, follow_project
from tests.ipup.factories import ResearchProjectFactory

FOLLOWS = reverse("ipip:follows")


def _button(project):
    return reverse("ipip:follow-project", args=[project.pk])


@pytest.mark.django_db
def test_the_menu_and_the_project_page_lead_to_follows(client_for, researcher):
    project = ResearchProjectFactory()
    client = client_for(researcher)
    home = client.get("/")
    assert FOLLOWS in home.content.decode()
    page = client.get(reverse("ipup:project-detail", args=[project.pk]))
    assert _button(project) in page.content.decode()


@pytest.mark.django_db
def test_a_member_chooses_domains(client_for, researcher):
    cyber, migration = (
        Domain.objects.get(slug=s) for s in ("cybercrime", "migration-border-management")
    )
    client = client_for(researcher)
    response = client.post(FOLLOWS, {"domains": [cyber.pk, migration.pk]})
    assert response.status_code == 302
    assert set(Follow.objects.filter(member=researcher).values_list("domain_id", flat=True)) == {
        cyber.pk,
        migration.pk,
    }
    client.post(FOLLOWS, {"domains": [cyber.pk]})
    assert list(Follow.objects.filter(member=researcher).values_list("domain_id", flat=True)) == [
        cyber.pk
    ]
    page = client.get(FOLLOWS)
    assert page.context["form"].initial["domains"] == [cyber.pk]
    assert AuditLogEntry.objects.filter(actor=researcher, action="follow.domains_save").count() == 2


@pytest.mark.django_db
def test_an_unknown_domain_is_refused_and_nothing_stored(client_for, researcher):
    response = client_for(researcher).post(FOLLOWS, {"domains": ["999999"]})
    assert response.status_code == 200
    assert response.context["form"].errors["domains"]
    assert not Follow.objects.exists()
    assert not AuditLogEntry.objects.filter(action="follow.domains_save").exists()


@pytest.mark.django_db
def test_lea_members_see_their_expertise_ticked_until_they_save(client_for, lea_member):
    cyber = Domain.objects.get(slug="cybercrime")
    lea_member.domains.add(cyber)
    client = client_for(lea_member)
    page = client.get(FOLLOWS)
    assert page.context["lea_default"] is True
    assert page.context["form"].initial["domains"] == [cyber.pk]
    client.post(FOLLOWS, {})
    page = client.get(FOLLOWS)
    assert page.context["lea_default"] is False
    assert page.context["form"].initial["domains"] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who", ["researcher", "lea_member", "industry_member", "unverified_member"]
)
def test_members_follow_and_stop_following_a_project(client_for, request, who):
    member = request.getfixturevalue(who)
    project = ResearchProjectFactory()
    client = client_for(member)
    assert client.get(_button(project)).context["following"] is False
    response = client.post(_button(project), {"action": "follow"})
    assert response.status_code == 302
    assert response["Location"] == reverse("ipup:project-detail", args=[project.pk])
    assert Follow.objects.filter(member=member, project=project).exists()
    fragment = client.get(_button(project), HTTP_HX_REQUEST="true")
    assert "Stop following" in fragment.content.decode()
    assert "<html" not in fragment.content.decode()
    assert project.acronym in client.get(FOLLOWS).content.decode()
    response = client.post(_button(project), {"action": "unfollow", "next": "follows"})
    assert response["Location"] == FOLLOWS
    assert not Follow.objects.exists()


@pytest.mark.django_db
def test_htmx_post_answers_with_the_button(client_for, researcher):
    project = ResearchProjectFactory()
    response = client_for(researcher).post(
        _button(project), {"action": "follow"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "Stop following" in response.content.decode()


@pytest.mark.django_db
def test_bad_action_and_missing_project(client_for, researcher):
    project = ResearchProjectFactory()
    client = client_for(researcher)
    response = client.post(_button(project), {"action": "delete"})
    assert response.status_code == 400
    assert "Choose to follow" in response.content.decode()
    assert (
        client.post(reverse("ipip:follow-project", args=[999999]), {"action": "follow"}).status_code
        == 404
    )
    assert client.get(reverse("ipip:follow-project", args=[999999])).status_code == 404
    assert not Follow.objects.exists()


@pytest.mark.django_db
def test_outsiders_cannot_follow(client_for, make_member):
    project = ResearchProjectFactory()
    anonymous = client_for(None)
    assert anonymous.get(FOLLOWS).status_code == 302
    assert anonymous.post(_button(project), {"action": "follow"}).status_code == 302
    suspended = make_member(
        AffiliationType.RESEARCH, suspended_until=timezone.now() + timedelta(days=2)
    )
    client = client_for(suspended)
    assert client.get(FOLLOWS).status_code == 403
    assert client.post(_button(project), {"action": "follow"}).status_code == 403
    assert client.post(FOLLOWS, {"domains": [Domain.objects.first().pk]}).status_code == 403
    # The services refuse too, whoever calls them.
    with pytest.raises(PermissionDenied):
        follow_project(actor=suspended, project=project)
    with pytest.raises(PermissionDenied):
        follow_domains_save(actor=suspended, domains=[])
    assert not Follow.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 20])
def test_the_follows_page_in_a_constant_number_of_queries(
    client_for, researcher, count, django_assert_max_num_queries
):
    for _ in range(count):
        Follow.objects.create(member=researcher, project=ResearchProjectFactory())
    client = client_for(researcher)
    client.get(FOLLOWS)
    with django_assert_max_num_queries(14):
        response = client.get(FOLLOWS)
    assert len(response.context["projects"]) == count
