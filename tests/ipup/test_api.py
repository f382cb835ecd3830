"""IPUP's endpoints (ipup.api): what a project and a need's candidates show, and what they
never show (points of contact, another need's candidates)."""

from datetime import date

import pytest
from django.urls import reverse

from ipup.models import ProjectParticipant, ScreeningCandidate
from tests.community.factories import OrganisationFactory
from tests.ipup.factories import NeedFactory, ProjectContactFactory, ResearchProjectFactory

pytestmark = pytest.mark.django_db


def test_a_project_shows_its_consortium_and_tags_never_its_contacts(client_for, researcher):
    # given
    prj = ResearchProjectFactory(
        summary="Tracing firearms.", start_date=date(2017, 5, 1), end_date=date(2020, 4, 30)
    )
    prj.tags.add("firearms")
    organisation = OrganisationFactory(name="Police Lab", country="BE")
    ProjectParticipant.objects.create(project=prj, organisation=organisation, role="coordinator")
    ProjectContactFactory(project=prj, email="ann@example.org")
    # when
    response = client_for(researcher).get(reverse("api:project-detail", args=[prj.pk]))
    # then
    body = response.json()
    assert body["summary"] == "Tracing firearms."
    assert body["status"] == "ended"
    assert body["tags"] == ["firearms"]
    assert body["consortium"] == [{"name": "Police Lab", "country": "BE", "role": "coordinator"}]
    assert "ann@example.org" not in response.content.decode()
    assert "embedding" not in body
    assert "search_vector" not in body


def test_candidates_best_first_and_only_under_their_own_need(client_for, manager):
    need, other = NeedFactory(), NeedFactory()
    low = ScreeningCandidate.objects.create(need=need, project=ResearchProjectFactory(), score=0.2)
    high = ScreeningCandidate.objects.create(
        need=need, project=ResearchProjectFactory(acronym="HIGH"), score=0.9
    )
    client = client_for(manager)

    body = client.get(reverse("api:need-candidate-list", args=[need.pk])).json()

    assert [row["id"] for row in body["results"]] == [high.pk, low.pk]
    assert body["results"][0]["project"]["acronym"] == "HIGH"
    url = reverse("api:need-candidate-detail", args=[other.pk, low.pk])
    assert client.get(url).status_code == 404
    assert client.get(reverse("api:need-candidate-list", args=[999999])).status_code == 404


def test_lists_cost_the_same_whatever_their_length(
    client_for, manager, django_assert_max_num_queries
):
    need = NeedFactory()
    for index in range(30):
        prj = ResearchProjectFactory()
        prj.tags.add(f"tag{index}")
        ScreeningCandidate.objects.create(need=need, project=prj, score=index)
    client = client_for(manager)

    for url in (
        reverse("api:project-list"),
        reverse("api:need-list"),
        reverse("api:need-candidate-list", args=[need.pk]),
    ):
        with django_assert_max_num_queries(14):
            assert client.get(url).status_code == 200


def test_projects_filter_as_on_the_pages(client_for, researcher):
    # given
    ended = ResearchProjectFactory(
        programme="FP7", start_date=date(2010, 1, 1), end_date=date(2013, 1, 1)
    )
    ResearchProjectFactory(programme="H2020", start_date=date(2019, 1, 1), end_date=None)
    client = client_for(researcher)
    url = reverse("api:project-list")
    # when / then
    for params in ({"status": "ended"}, {"programme": "FP7"}, {"year": 2010}):
        rows = client.get(url, params).json()["results"]
        assert [row["id"] for row in rows] == [ended.pk], params


@pytest.mark.parametrize(
    ("params", "field"),
    [({"year": "soon"}, "year"), ({"status": "lost"}, "status"), ({"trl": 12}, "trl")],
)
def test_a_bad_filter_is_a_400_naming_the_field(client_for, researcher, params, field):
    ResearchProjectFactory()

    response = client_for(researcher).get(reverse("api:project-list"), params)

    assert response.status_code == 400
    assert field in response.json()
