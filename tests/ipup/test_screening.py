"""Screening a need (SPEC §3.6): the ranked candidates and why, the coordinator's judgements,
state-of-the-art study recommendations and their workflow, the need's pipeline (§3.9), the
``screen`` command, and who may do any of it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from community.models import AffiliationType, AuditLogEntry, Domain
from community.roles import Role
from community.tiers import Tier
from ipup import embeddings, screening
from ipup.models import Need, ResearchProject, ScreeningCandidate, SotaRecommendation
from ipup.services.projects import project_search_vector_refresh
from ipup.services.screening import (
    candidate_judge,
    projects_embed,
    sota_recommend,
    sota_status_change,
)
from ipup.tasks import project_embeddings_task
from tests.ipup.factories import NeedFactory, ResearchProjectFactory

pytestmark = pytest.mark.django_db

FIREARMS = "Diversion of firearms into criminal hands"


def _indexed(projects):
    ids = [project.pk for project in projects]
    project_search_vector_refresh(ids)
    projects_embed(ids)
    return projects


def _projects(count=0):
    """Three projects on distinct subjects, and ``count`` more on unrelated ones."""
    projects = [
        ResearchProjectFactory(
            acronym="DIVERT",
            title="Diversion of live-firing firearms in the EU",
            objectives="Research on how legal guns are diverted into illicit trafficking.",
        ),
        ResearchProjectFactory(
            acronym="SNOWWHITE",
            title="Coordinated tackling of new trends in drug trafficking",
            objectives="Cocaine routes through European ports.",
        ),
        ResearchProjectFactory(
            acronym="TITANIUM",
            title="Tools for the investigation of transactions in underground markets",
            objectives="Tracing cryptocurrency payments on dark-web markets.",
        ),
    ]
    projects += [
        ResearchProjectFactory(title=f"Flood resilience of hospitals {n}", objectives="Water.")
        for n in range(count)
    ]
    return _indexed(projects)


@pytest.fixture
def coordinator(make_member):
    return make_member(
        AffiliationType.OTHER, roles=[Role.IPUP_COORDINATOR], email="coordinator@example.org"
    )


@pytest.fixture
def need():
    return NeedFactory(
        title=FIREARMS,
        description="Legal guns leak into illicit trafficking; we need to trace the diversion.",
        status=Need.Status.PRIORITISED,
    )


@pytest.fixture
def projects():
    return _projects()


# --- the ranking -------------------------------------------------------------------------


def test_the_need_s_subject_comes_first_with_the_reasons_it_was_proposed(need, projects):
    candidates = screening.screen_need(need)
    best = candidates[0]
    assert best.project.acronym == "DIVERT"
    assert {"firearm", "divers", "traffick"} <= set(best.matching_terms)
    for candidate in candidates:
        for part in (candidate.text_relevance, candidate.similarity, candidate.domain_overlap):
            assert 0.0 <= part <= 1.0
    assert best.text_relevance == 1.0
    assert best.similarity == 1.0


def test_domain_overlap_counts_the_share_of_the_need_s_domains(need, projects):
    cyber, terror = Domain.objects.get(slug="cybercrime"), Domain.objects.get(slug="terrorism")
    need.domains.set([cyber, terror])
    projects[2].domains.set([cyber])
    (titanium,) = screening.screen_need(need, project_ids=[projects[2].pk])
    assert titanium.domain_overlap == 0.5


def test_a_text_of_punctuation_breaks_no_query_and_matches_no_word(projects):
    candidates = screening.screen("'' & | !( :* \\", limit=5)
    assert all(c.text_relevance == 0 and not c.matching_terms for c in candidates)


def test_projects_are_embedded_by_the_task_idempotently():
    # given a project saved without its embedding
    project = ResearchProjectFactory(title="Firearms trafficking")
    assert project.embedding is None
    # when the task runs twice (a retry)
    assert project_embeddings_task.apply(args=[[project.pk]]).get() == 1
    first = ResearchProject.objects.get(pk=project.pk).embedding
    project_embeddings_task.apply(args=[[project.pk, project.pk]]).get()
    # then
    project.refresh_from_db()
    assert project.embedding_model == embeddings.MODEL_NAME
    assert bytes(project.embedding) == bytes(first)
    assert embeddings.from_bytes(project.embedding).shape == (embeddings.DIMENSIONS,)


# --- the screening page ------------------------------------------------------------------


def test_the_coordinator_reaches_the_screening_from_the_need_page(
    client_for, coordinator, need, projects
):
    client = client_for(coordinator)
    detail = client.get(reverse("ipup:need-detail", args=[need.pk]))
    url = reverse("ipup:need-screening", args=[need.pk])
    assert url in detail.content.decode()
    page = client.get(url).content.decode()
    assert page.index("DIVERT") < page.index("SNOWWHITE")
    assert "Matching words" in page
    assert "40%" in page
    assert "50%" in page
    assert "10%" in page


@pytest.mark.parametrize("extra", [0, 8])
def test_the_screening_page_costs_the_same_queries_at_any_size(
    client_for, coordinator, need, django_assert_max_num_queries, extra
):
    projects = _projects(extra)
    for project in projects[:2]:
        candidate_judge(actor=coordinator, need=need, project=project, judgement="not_met")
    sota_recommend(actor=coordinator, need=need, topic="T", rationale="R", scope="S")
    client = client_for(coordinator)
    # 18 with the navigation's unread-notification badge, a query even when no room is visible.
    with django_assert_max_num_queries(18):
        assert client.get(reverse("ipup:need-screening", args=[need.pk])).status_code == 200


# --- judgements ---------------------------------------------------------------------------


def test_a_judgement_is_recorded_audited_and_screens_the_need(
    client_for, coordinator, need, projects
):
    # when the coordinator says DIVERT partially meets the need
    response = client_for(coordinator).post(
        reverse("ipup:need-screening-judge", args=[need.pk, projects[0].pk]),
        {"judgement": "partial", "note": "Covers the legal market, not conflict zones."},
        follow=True,
    )
    # then
    candidate = ScreeningCandidate.objects.get(need=need, project=projects[0])
    assert candidate.judgement == ScreeningCandidate.Judgement.PARTIAL
    assert candidate.note == "Covers the legal market, not conflict zones."
    assert candidate.judged_by == coordinator
    assert candidate.score > 0
    assert candidate.similarity == 1.0
    assert AuditLogEntry.objects.filter(
        action="need.candidate_judge", actor=coordinator, data__judgement="partial"
    ).exists()
    need.refresh_from_db()
    assert need.status == Need.Status.SCREENED
    assert "Partially meets the need" in response.content.decode()


def test_a_project_that_meets_the_need_matches_it_and_rules_out_a_study(
    coordinator, need, projects
):
    candidate_judge(actor=coordinator, need=need, project=projects[0], judgement="meets")
    need.refresh_from_db()
    assert need.status == Need.Status.MATCHED
    with pytest.raises(ValidationError):
        sota_recommend(actor=coordinator, need=need, topic="T", rationale="R", scope="S")
    assert not SotaRecommendation.objects.exists()


@pytest.mark.parametrize("data", [{}, {"judgement": "pending"}, {"judgement": ""}])
def test_a_judgement_without_a_valid_choice_stores_nothing(
    client_for, coordinator, need, projects, data
):
    response = client_for(coordinator).post(
        reverse("ipup:need-screening-judge", args=[need.pk, projects[0].pk]), data, follow=True
    )
    assert "Choose a judgement" in response.content.decode()
    assert not ScreeningCandidate.objects.exists()
    need.refresh_from_db()
    assert need.status == Need.Status.PRIORITISED


def test_judging_an_unknown_project_is_a_404(client_for, coordinator, need):
    response = client_for(coordinator).post(
        reverse("ipup:need-screening-judge", args=[need.pk, 999999]), {"judgement": "meets"}
    )
    assert response.status_code == 404


# --- state-of-the-art studies --------------------------------------------------------------


def test_a_study_is_recommended_through_the_page(client_for, coordinator, need, projects):
    candidate_judge(actor=coordinator, need=need, project=projects[0], judgement="not_met")
    response = client_for(coordinator).post(
        reverse("ipup:need-sota-create", args=[need.pk]),
        {"topic": "Firearms diversion in Europe", "rationale": "No project", "scope": "EU-27"},
    )
    assert response.status_code == 302
    study = SotaRecommendation.objects.get(need=need)
    assert (study.topic, study.status, study.created_by) == (
        "Firearms diversion in Europe", "proposed", coordinator,
    )  # fmt: skip
    assert AuditLogEntry.objects.filter(action="need.sota_recommend", actor=coordinator).exists()
    need.refresh_from_db()
    assert need.status == Need.Status.SOTA


def test_a_study_without_its_topic_is_refused_with_the_form_kept(client_for, coordinator, need):
    response = client_for(coordinator).post(
        reverse("ipup:need-sota-create", args=[need.pk]),
        {"topic": "", "rationale": "Kept text", "scope": "EU"},
    )
    assert response.status_code == 400
    assert "Kept text" in response.content.decode()
    assert not SotaRecommendation.objects.exists()


def test_the_study_workflow_refuses_invalid_transitions(client_for, coordinator, need):
    study = sota_recommend(actor=coordinator, need=need, topic="T", rationale="R", scope="S")
    with pytest.raises(ValidationError):
        sota_status_change(actor=coordinator, recommendation=study, status="completed")
    with pytest.raises(ValidationError):
        sota_status_change(actor=coordinator, recommendation=study, status="nonsense")
    url = reverse("ipup:need-sota-status", args=[need.pk, study.pk])
    client = client_for(coordinator)
    # the page offers only the next step
    screening_page = client.get(reverse("ipup:need-screening", args=[need.pk])).content.decode()
    assert '<option value="tendering">' in screening_page
    assert '<option value="completed">' not in screening_page
    page = client.post(url, {"status": "in_progress"}, follow=True).content.decode()
    assert "cannot go from" in page
    for status in ("tendering", "in_progress"):
        client.post(url, {"status": status})
    # a completed study has its final report
    client.post(url, {"status": "completed", "final_report_url": "not a url"})
    client.post(url, {"status": "completed"})
    study.refresh_from_db()
    assert study.status == "in_progress"
    client.post(url, {"status": "completed", "final_report_url": "https://kf.example.eu/r/1"})
    study.refresh_from_db()
    assert (study.status, study.final_report_url) == ("completed", "https://kf.example.eu/r/1")
    assert AuditLogEntry.objects.filter(action="need.sota_status").count() == 3


# --- who may screen -----------------------------------------------------------------------


def test_screening_is_a_404_for_a_coordinator_who_may_not_see_the_need(
    client_for, coordinator, projects
):
    hidden = NeedFactory(tier=Tier.LEA, status=Need.Status.PRIORITISED)
    client = client_for(coordinator)
    urls = [
        ("get", reverse("ipup:need-screening", args=[hidden.pk]), {}),
        ("post", reverse("ipup:need-screening-judge", args=[hidden.pk, projects[0].pk]),
         {"judgement": "meets"}),
        ("post", reverse("ipup:need-sota-create", args=[hidden.pk]),
         {"topic": "T", "rationale": "R", "scope": "S"}),
    ]  # fmt: skip
    for method, url, data in urls:
        assert getattr(client, method)(url, data).status_code == 404
    assert not ScreeningCandidate.objects.exists()
    assert not SotaRecommendation.objects.exists()
    with pytest.raises(PermissionDenied):
        candidate_judge(actor=coordinator, need=hidden, project=projects[0], judgement="meets")


def test_members_who_do_not_manage_needs_get_a_404_and_visitors_sign_in(
    client_for, lea_member, need, projects
):
    url = reverse("ipup:need-screening", args=[need.pk])
    assert client_for(lea_member).get(url).status_code == 404
    detail = client_for(lea_member).get(reverse("ipup:need-detail", args=[need.pk]))
    assert url not in detail.content.decode()
    assert client_for(None).get(url).status_code == 302


# --- the pipeline on the need page --------------------------------------------------------


@pytest.mark.parametrize("extra", [0, 6])
def test_the_need_page_shows_its_path_in_constant_queries(
    client_for, coordinator, lea_member, need, django_assert_max_num_queries, extra
):
    # given judged projects and a study
    projects = _projects(extra)
    candidate_judge(
        actor=coordinator, need=need, project=projects[0], judgement="partial", note="Internal"
    )
    for project in projects[1:]:
        candidate_judge(actor=coordinator, need=need, project=project, judgement="not_met")
    sota_recommend(actor=coordinator, need=need, topic="Arms study", rationale="R", scope="S")
    # when a member reads the need
    client = client_for(lea_member)
    # With the navigation's notification badge and the events its projects were shown at.
    with django_assert_max_num_queries(14):
        page = client.get(reverse("ipup:need-detail", args=[need.pk]))
    # then the path shows, without the coordinators' notes
    text = page.content.decode()
    assert "Path of this need" in text
    assert "DIVERT" in text
    assert "Partially meets the need" in text
    assert "Arms study" in text
    assert "Proposed" in text
    assert "Internal" not in text
    assert (
        "Internal"
        in client_for(coordinator).get(reverse("ipup:need-detail", args=[need.pk])).content.decode()
    )


# --- the command --------------------------------------------------------------------------


def test_the_screen_command_prints_the_candidates_with_their_scores(need, projects, capsys):
    call_command("screen", "cocaine trafficking routes through ports", "--limit", "2")
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("score")
    assert "SNOWWHITE" in out[1]
    assert len(out) == 3
    call_command("screen", "--need", str(need.pk))
    assert "DIVERT" in capsys.readouterr().out.splitlines()[1]


def test_the_screen_command_embeds_what_is_missing(capsys):
    project = ResearchProjectFactory(title="Firearms trafficking")
    project_search_vector_refresh([project.pk])
    call_command("screen", "--embed", "firearms")
    project.refresh_from_db()
    assert project.embedding_model == embeddings.MODEL_NAME


@pytest.mark.parametrize(
    "args", [[], ["text", "--need", "1"], ["--need", "999999"], ["text", "--limit", "0"]]
)
def test_the_screen_command_refuses_bad_arguments(args):
    with pytest.raises(CommandError):
        call_command("screen", *args)
